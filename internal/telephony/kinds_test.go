package telephony_test

import (
	"slices"
	"testing"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/telephony"
)

// TestKindsAreEveryAdapter: a pool without Kinds runs every adapter, and
// the types are the command line's --type values.
func TestKindsAreEveryAdapter(t *testing.T) {
	if got, want := telephony.AllKinds().Types(), []string{"aws-eum", "aws-sns", "twilio", "vonage", "webhook"}; !slices.Equal(got, want) {
		t.Fatalf("adapters declare %v, want %v", got, want)
	}
	if got := telephony.New(telephony.Options{}).Types(); !slices.Equal(got, telephony.AllKinds().Types()) {
		t.Fatalf("a pool without Kinds runs %v, want every adapter", got)
	}
}

func TestKindsProblems(t *testing.T) {
	made := 0
	acme := sms.Kind{Name: "acme", Required: []string{"key"}, Make: func(string, map[string]string) (sms.Provider, error) {
		made++
		return nil, nil
	}}
	ks := telephony.NewKinds(twilio.Kind(), acme)
	if got := ks.Types(); !slices.Equal(got, []string{"acme", "twilio"}) {
		t.Fatalf("Types = %v", got)
	}
	sid := mfa.Sender{Value: "MG0123456789abcdef0123456789abcdef", Kind: mfa.SenderService}
	got := ks.Problems(mfa.ProviderConfig{Type: "acme", Senders: []mfa.Sender{sid}})
	want := []string{"credential key is required for acme", "sender " + sid.Value + ": Messaging Service SIDs work with twilio only"}
	if !slices.Equal(got, want) || made != 0 {
		t.Fatalf("Problems = %q (adapter made %d times), want %q and no adapter while rules are broken", got, made, want)
	}
	if got := ks.Problems(mfa.ProviderConfig{Type: "acme", Credentials: map[string]string{"key": "k"}}); len(got) != 0 || made != 1 {
		t.Fatalf("Problems = %q, adapter made %d times; want none and the adapter tried once", got, made)
	}
	if _, err := ks.Build(mfa.ProviderConfig{Type: "sinch"}); err == nil {
		t.Fatal("Build made an unknown type")
	}
}
