package main

import (
	"strings"
	"time"
)

// stamp prints a time for tables, or "-".
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func stringReader(s string) *strings.Reader { return strings.NewReader(s) }
