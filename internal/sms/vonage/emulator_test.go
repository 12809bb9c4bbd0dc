package vonage_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"smsmfa/internal/sms/internal/adaptertest"
)

// emulator is a local stand-in for Vonage's SMS API (POST /sms/json). Like
// Vonage it answers HTTP 200 with a per-message status even on failure. It
// checks the credentials in the form and the required parameters, and
// reacts to "magic" destinations:
//
//	15005550001 → 1 throttled        15005550005 → 5 internal error
//	15005550006 → 6 unroutable       15005550007 → 7 number barred (e.g. after STOP)
//	15005550009 → 9 quota exceeded   15005550029 → 29 non-whitelisted destination
//	15005550033 → 33 number de-activated
//
// and to the sender "BADSENDER" with 15 (illegal sender address).
type emulator struct {
	t         *testing.T
	apiKey    string
	apiSecret string
	forms     adaptertest.Recorder[url.Values] // of the requests that passed auth
}

func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/sms/json" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		e.t.Errorf("Content-Type = %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		reject(w, "3", "Invalid form")
		return
	}
	if len(r.URL.Query()) != 0 {
		e.t.Errorf("parameters in the query string: %v", r.URL.Query())
	}
	form := r.PostForm
	for _, p := range []string{"api_key", "api_secret", "from", "to", "text"} {
		if form.Get(p) == "" {
			reject(w, "2", "Missing "+p+" param")
			return
		}
	}
	if form.Get("api_key") != e.apiKey || form.Get("api_secret") != e.apiSecret {
		reject(w, "4", "Bad Credentials")
		return
	}
	e.forms.Record(form)

	to := form.Get("to")
	if !adaptertest.IsE164("+" + to) { // Vonage takes E.164 without the +
		reject(w, "3", "Invalid to address")
		return
	}
	if form.Get("from") == "BADSENDER" {
		reject(w, "15", "Illegal Sender Address - rejected")
		return
	}
	switch to {
	case "15005550001":
		reject(w, "1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
	case "15005550005":
		reject(w, "5", "Internal Error")
	case "15005550006":
		reject(w, "6", "Unroutable message - rejected")
	case "15005550007":
		reject(w, "7", "Number barred.")
	case "15005550009":
		reject(w, "9", "Quota Exceeded - rejected")
	case "15005550029":
		reject(w, "29", "Non White-listed Destination - rejected")
	case "15005550033":
		reject(w, "33", "Number de-activated.")
	default:
		answer(w, map[string]string{
			"to":                to,
			"message-id":        "0A0000000123ABCD1",
			"status":            "0",
			"remaining-balance": "3.14159265",
			"message-price":     "0.03330000",
			"network":           "12345",
			"client-ref":        form.Get("client-ref"),
		})
	}
}

func reject(w http.ResponseWriter, status, text string) {
	answer(w, map[string]string{"status": status, "error-text": text})
}

func answer(w http.ResponseWriter, msgs ...map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"message-count": "1", "messages": msgs})
}
