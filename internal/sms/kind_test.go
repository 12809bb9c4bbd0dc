package sms_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"smsmfa/internal/sms"
)

// testKind is a provider type whose Make records what it was given.
func testKind(got *map[string]string) sms.Kind {
	return sms.Kind{
		Name: "acme", Required: []string{"key", "secret"}, Optional: []string{"from"}, Receipts: []string{"receipt_secret"},
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			*got = creds
			return &fake{name: "acme"}, nil
		},
	}
}

func TestKindProblems(t *testing.T) {
	var made map[string]string
	k := testKind(&made)
	for _, tc := range []struct {
		name  string
		url   string
		creds map[string]string
		want  []string
	}{
		{"OK", "", map[string]string{"key": "k", "secret": "s", "from": "f", "receipt_secret": "r"}, nil},
		{"MissingAndBlank", "", map[string]string{"secret": " "}, []string{"credential key is required for acme", "credential secret is required for acme"}},
		{"Unknown", "", map[string]string{"key": "k", "secret": "s", "token": "hunter2"},
			[]string{"credential token is not used by acme (it takes key, secret, from, receipt_secret)"}},
		{"BadURL", "ftp://x", map[string]string{"key": "k", "secret": "s"}, []string{`url: "ftp://x" is not an http(s) URL`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := k.Problems(tc.url, tc.creds)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Problems = %q, want %q", got, tc.want)
			}
			if strings.Contains(strings.Join(got, " "), "hunter2") {
				t.Fatal("a credential's value is in a problem")
			}
		})
	}
	k.NeedsURL = true
	if got := k.Problems("", map[string]string{"key": "k", "secret": "s"}); !slices.Equal(got, []string{"url: a acme provider needs --url"}) {
		t.Fatalf("no URL for a type that needs one: %q", got)
	}
}

func TestKindNew(t *testing.T) {
	var made map[string]string
	k := testKind(&made)
	if _, err := k.New("", map[string]string{"secret": "s", "token": "t"}); err == nil ||
		err.Error() != "credential key is required for acme; credential token is not used by acme (it takes key, secret, from, receipt_secret)" || made != nil {
		t.Fatalf("New = %v (Make given %v): want every problem, sorted, and no adapter", err, made)
	}
	p, err := k.New("https://api.example.com", map[string]string{"key": "k", "secret": "s", "receipt_secret": "r"})
	if err != nil || p == nil {
		t.Fatal(p, err)
	}
	if want := map[string]string{"key": "k", "secret": "s"}; !maps.Equal(made, want) {
		t.Fatalf("Make was given %v, want %v (receipt-only credentials left out)", made, want)
	}
}

func TestMade(t *testing.T) {
	var nilFake *fake
	if p, err := sms.Made(nilFake, errors.New("no")); p != nil || err == nil {
		t.Fatalf("Made of a failed constructor = %#v, %v; want a plain nil", p, err)
	}
	if p, err := sms.Made(&fake{}, nil); p == nil || err != nil {
		t.Fatalf("Made = %v, %v", p, err)
	}
}
