package sms_test

import (
	"testing"

	"smsmfa/internal/sms"
)

func TestClassifyKeyword(t *testing.T) {
	for _, tc := range []struct {
		body string
		want sms.Keyword
	}{
		{"STOP", sms.KeywordStop},
		{"stop", sms.KeywordStop},
		{"  Stop.\n", sms.KeywordStop},
		{"STOPALL", sms.KeywordStop},
		{"unsubscribe", sms.KeywordStop},
		{"Cancel", sms.KeywordStop},
		{"END", sms.KeywordStop},
		{"quit!", sms.KeywordStop},
		{"OPTOUT", sms.KeywordStop},
		{"revoke", sms.KeywordStop},
		{"START", sms.KeywordStart},
		{"Yes", sms.KeywordStart},
		{"unstop", sms.KeywordStart},
		{"HELP?", sms.KeywordHelp},
		{"info", sms.KeywordHelp},
		{"", sms.KeywordNone},
		{"   ", sms.KeywordNone},
		{"!", sms.KeywordNone},
		{"stop it", sms.KeywordNone},
		{"STOP STOP", sms.KeywordNone},
		{"nonstop", sms.KeywordNone},
		{"482913", sms.KeywordNone},
	} {
		if got := sms.ClassifyKeyword(tc.body); got != tc.want {
			t.Errorf("ClassifyKeyword(%q) = %s, want %s", tc.body, got, tc.want)
		}
	}
}
