package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/sms/webhook"
)

// event mirrors Okta's telephony hook request; the emulator decodes with
// DisallowUnknownFields so that any field we invent is caught.
type event struct {
	EventID           string `json:"eventId"`
	EventTime         string `json:"eventTime"`
	EventType         string `json:"eventType"`
	EventTypeVersion  string `json:"eventTypeVersion"`
	ContentType       string `json:"contentType"`
	CloudEventVersion string `json:"cloudEventVersion"`
	Source            string `json:"source"`
	RequestType       string `json:"requestType"`
	Data              struct {
		Context struct {
			Request struct {
				ID string `json:"id"`
			} `json:"request"`
		} `json:"context"`
		MessageProfile struct {
			MsgTemplate     string `json:"msgTemplate"`
			PhoneNumber     string `json:"phoneNumber"`
			OTPExpires      string `json:"otpExpires"`
			DeliveryChannel string `json:"deliveryChannel"`
			OTPCode         string `json:"otpCode"`
			Locale          string `json:"locale"`
		} `json:"messageProfile"`
	} `json:"data"`
}

// emulator is a telephony-hook receiver as an operator would write it: it
// checks the auth header (Okta's authScheme) and X-Smsmfa-Signature, reads
// the event, and answers in Okta's format. It reacts to magic numbers:
//
//	+15005550001 → error, cause "Invalid phone number"
//	+15005550002 → error, cause "Provider could not deliver OTP"
//	+15005550003 → action FAILED
//	+15005550004 → error, cause "Recipient opted out"
//	+15005550005 → action PENDING
//	+15005550006 → 200 with a body that is not JSON
//	+15005550007 → action with an invalid status
//	+15005550008 → 200 with an empty JSON object
//	+15005550429 → 429, Retry-After: 5
//	+15005550500 → 500
type emulator struct {
	t      *testing.T
	header string
	secret string
	now    time.Time

	mu     sync.Mutex
	events []event
}

func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost || r.URL.Path != "/hooks/sms" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if got := r.Header.Get(e.header); got != e.secret {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	if !webhook.VerifySignature(e.secret, r.Header.Get(webhook.SignatureHeader), body, e.now, time.Minute) {
		http.Error(w, `{"error":"bad signature"}`, http.StatusForbidden)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("Content-Type = %q", ct)
	}
	var ev event
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		e.t.Errorf("event does not match Okta's shape: %v", err)
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.events = append(e.events, ev)
	e.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	switch ev.Data.MessageProfile.PhoneNumber {
	case "+15005550001":
		writeJSON(w, hookError("Invalid phone number", "INVALID_PHONE_NUMBER"))
	case "+15005550002":
		writeJSON(w, hookError("Provider could not deliver OTP", "carrier down"))
	case "+15005550003":
		writeJSON(w, action("FAILED", ""))
	case "+15005550004":
		writeJSON(w, hookError("Recipient opted out", "STOP received"))
	case "+15005550005":
		writeJSON(w, action("PENDING", "tx-pending-1"))
	case "+15005550006":
		w.Write([]byte("OK"))
	case "+15005550007":
		writeJSON(w, action("DONE", "tx-2"))
	case "+15005550008":
		w.Write([]byte("{}"))
	case "+15005550429":
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"slow down"}`))
	case "+15005550500":
		w.WriteHeader(http.StatusInternalServerError)
	default:
		writeJSON(w, action("SUCCESSFUL", "SM49a8ece2c9ce4d5c9e8b4c1a2f5e3d7b"))
	}
}

func (e *emulator) last() event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) == 0 {
		e.t.Fatal("the emulator received no authenticated event")
	}
	return e.events[len(e.events)-1]
}

func action(status, txID string) map[string]any {
	return map[string]any{"commands": []any{map[string]any{
		"type": "com.okta.telephony.action",
		"value": []any{map[string]string{
			"status": status, "provider": "EMULATOR", "transactionId": txID, "transactionMetadata": "Duration=300ms",
		}},
	}}}
}

func hookError(summary, reason string) map[string]any {
	return map[string]any{"error": map[string]any{
		"errorSummary": "Failed to deliver SMS OTP",
		"errorCauses":  []any{map[string]string{"errorSummary": summary, "reason": reason, "location": "US"}},
	}}
}

func writeJSON(w http.ResponseWriter, v any) {
	json.NewEncoder(w).Encode(v)
}
