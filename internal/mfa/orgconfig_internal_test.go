package mfa

import "testing"

// A provider URL in apply's diff and in the system log loses its user
// information and query string (either can carry a token).
func TestShownURLDropsTokens(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.example.net/sms?token=s3cr3t":   "https://hooks.example.net/sms",
		"https://user:pa55@hooks.example.net/sms#frag": "https://hooks.example.net/sms",
		"https://api.twilio.example/2010-04-01":        "https://api.twilio.example/2010-04-01",
		"":                                             "",
	} {
		if got := shownURL(in); got != want {
			t.Errorf("shownURL(%q) = %q, want %q", in, got, want)
		}
	}
}
