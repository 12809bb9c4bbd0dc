package mfa

import (
	"fmt"
	"time"
)

// humanDuration prints a duration for people: "5 minutes", "90 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0 && d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// HumanDuration prints a duration for people ("5 minutes").
func HumanDuration(d time.Duration) string { return humanDuration(d) }
