package store

import "strings"

// likePattern returns a LIKE pattern that finds s anywhere, lower-cased,
// with %, _ and \ in s matching themselves (use with ESCAPE '\').
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s)) + "%"
}
