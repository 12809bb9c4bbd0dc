package twilio_test

import (
	"net/url"
	"testing"

	"smsmfa/internal/sms/twilio"
)

// The example from Twilio's request-validation documentation.
const (
	docToken = "12345"
	docURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docSig   = "GvWf1cFY/Q7PnoempGyD5oXAezc="
)

func docForm() url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675310"},
		"Digits":  {"1234"},
		"From":    {"+14158675310"},
		"To":      {"+18005551212"},
	}
}

func TestVerifySignature(t *testing.T) {
	t.Run("OKDocumentedVector", func(t *testing.T) {
		if !twilio.VerifySignature(docToken, docURL, docForm(), docSig) {
			t.Fatal("the documented signature does not verify")
		}
		if got := twilio.Signature(docToken, docURL, docForm()); got != docSig {
			t.Fatalf("Signature = %q, want %q", got, docSig)
		}
	})

	t.Run("OKDefaultPortAdded", func(t *testing.T) {
		withPort := "https://mycompany.com:443/myapp.php?foo=1&bar=2"
		if !twilio.VerifySignature(docToken, withPort, docForm(), docSig) {
			t.Fatal("signature of the URL without port not accepted for the URL with :443")
		}
		sig := twilio.Signature(docToken, withPort, docForm())
		if !twilio.VerifySignature(docToken, docURL, docForm(), sig) {
			t.Fatal("signature of the URL with :443 not accepted for the URL without port")
		}
	})

	t.Run("OKRepeatedParameter", func(t *testing.T) {
		form := url.Values{"A": {"2", "1"}, "B": {"x"}}
		sig := twilio.Signature(docToken, docURL, form)
		reordered := url.Values{"B": {"x"}, "A": {"1", "2"}}
		if !twilio.VerifySignature(docToken, docURL, reordered, sig) {
			t.Fatal("value order of a repeated parameter changed the signature")
		}
	})

	forged := func(mod func(f url.Values)) url.Values {
		f := docForm()
		mod(f)
		return f
	}
	for _, tc := range []struct {
		name          string
		token, u, sig string
		form          url.Values
	}{
		{"ErrWrongToken", "54321", docURL, docSig, docForm()},
		{"ErrTamperedValue", docToken, docURL, docSig, forged(func(f url.Values) { f.Set("Digits", "1235") })},
		{"ErrAddedParameter", docToken, docURL, docSig, forged(func(f url.Values) { f.Set("Body", "STOP") })},
		{"ErrRemovedParameter", docToken, docURL, docSig, forged(func(f url.Values) { f.Del("Caller") })},
		{"ErrOtherURL", docToken, "https://mycompany.com/myapp.php?foo=1&bar=3", docSig, docForm()},
		{"ErrOtherScheme", docToken, "http://mycompany.com/myapp.php?foo=1&bar=2", docSig, docForm()},
		{"ErrEmptySignature", docToken, docURL, "", docForm()},
		{"ErrNotBase64", docToken, docURL, "not base64!", docForm()},
		{"ErrTruncated", docToken, docURL, docSig[:20], docForm()},
		{"ErrEmptyToken", "", docURL, docSig, docForm()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if twilio.VerifySignature(tc.token, tc.u, tc.form, tc.sig) {
				t.Fatal("forged signature accepted")
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add(docToken, docURL, "CallSid=CA1234567890ABCDE&Digits=1234", docSig)
	f.Add("", "", "", "")
	f.Add("t", "http://[::1]:80/x", "a=1&a=2", "AAAA")
	f.Fuzz(func(t *testing.T, token, u, rawForm, sig string) {
		form, _ := url.ParseQuery(rawForm)
		twilio.VerifySignature(token, u, form, sig)
		if token != "" && !twilio.VerifySignature(token, u, form, twilio.Signature(token, u, form)) {
			t.Fatal("own signature rejected")
		}
	})
}
