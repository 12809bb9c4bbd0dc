package mfa_test

import (
	"slices"
	"testing"

	"smsmfa/internal/mfa"
)

func TestParseSender(t *testing.T) {
	for _, tc := range []struct {
		in      string
		kind    mfa.SenderKind
		value   string
		codes   []int
		wantErr string
	}{
		{in: "+1 555 765 4321:1", kind: mfa.SenderNumber, value: "+15557654321", codes: []int{1}},
		{in: "12345", kind: mfa.SenderShortCode, value: "12345"},
		{in: "SMSMFA:44,33,44", kind: mfa.SenderAlphanumeric, value: "SMSMFA", codes: []int{33, 44}},
		{in: "SMSMFA:1,44", kind: mfa.SenderAlphanumeric, value: "SMSMFA", codes: []int{1, 44}},
		{in: "MG0123456789abcdef0123456789abcdef", kind: mfa.SenderService, value: "MG0123456789abcdef0123456789abcdef"},
		{in: "SMSMFA:1", wantErr: `sender "SMSMFA:1": US and Canada (+1) do not accept alphanumeric sender ids`},
		{in: "SMSMFA:+1,1", wantErr: `sender "SMSMFA:+1,1": US and Canada (+1) do not accept alphanumeric sender ids`},
		{in: "SMSMFA:x", wantErr: `sender "SMSMFA:x": "x" is not a calling code`},
		{in: "too long sender id", wantErr: `sender "too long sender id": use a number in E.164 form (+15557654321), a short code, an alphanumeric id of up to 11 characters, or a Messaging Service SID`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			s, err := mfa.ParseSender(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ParseSender = %+v, %v; want %s", s, err, tc.wantErr)
				}
				return
			}
			if err != nil || s.Kind != tc.kind || s.Value != tc.value || !slices.Equal(s.CallingCodes, tc.codes) {
				t.Fatalf("ParseSender = %+v, %v", s, err)
			}
		})
	}
}

func TestSenderServes(t *testing.T) {
	alnum := mfa.Sender{Value: "SMSMFA", Kind: mfa.SenderAlphanumeric}
	if alnum.Serves(1) || !alnum.Serves(44) {
		t.Error("an alphanumeric id must serve every country but +1")
	}
	limited := mfa.Sender{Value: "SMSMFA", Kind: mfa.SenderAlphanumeric, CallingCodes: []int{1, 44}}
	if limited.Serves(1) || !limited.Serves(44) || limited.Serves(33) {
		t.Error("a limited alphanumeric id serves its calling codes but +1")
	}
	us := mfa.Sender{Value: "+15557654321", Kind: mfa.SenderNumber, CallingCodes: []int{1}}
	if !us.Serves(1) || us.Serves(44) {
		t.Error("a number limited to +1 serves +1 only")
	}
}

// kinds is a ProviderKinds that finds the given problems.
type kinds []string

func (k kinds) Problems(p mfa.ProviderConfig) []string { return slices.Clone(k) }

func TestCheckProvider(t *testing.T) {
	p := mfa.ProviderConfig{Name: " tw ", Type: "twilio", BaseURL: "https://api.example.com/", Priority: 5}
	if err := mfa.CheckProvider(&p, kinds(nil)); err != nil || p.Name != "tw" || p.BaseURL != "https://api.example.com" {
		t.Fatalf("CheckProvider = %v, %+v", err, p)
	}
	bad := mfa.ProviderConfig{Name: "a/b", Type: "twilio", Priority: -1}
	err := mfa.CheckProvider(&bad, kinds{"credential x is required for twilio"})
	want := "provider: credential x is required for twilio; name: 1 to 40 printable characters without spaces or slashes; priority: 0 to 1000"
	if e := mfa.ErrorOf(err); e.Code != mfa.EInvalid || e.Reason != mfa.RInvalidInput || e.Message != want {
		t.Fatalf("CheckProvider = %v, want %s", err, want)
	}
}
