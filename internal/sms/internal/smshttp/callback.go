package smshttp

import (
	"errors"
	"strings"
)

// Without returns an error "<what> without A and B" naming each field of a
// provider's callback whose value is empty, or nil. names and values are
// parallel: names[i] is the field's name as the provider sends it,
// values[i] its value.
func Without(what string, names []string, values ...string) error {
	var missing []string
	for i, v := range values {
		if v == "" {
			missing = append(missing, names[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errors.New(what + " without " + strings.Join(missing, " and "))
}

// Clip shortens text a caller controls (a callback's field) before it
// goes into an error.
func Clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
