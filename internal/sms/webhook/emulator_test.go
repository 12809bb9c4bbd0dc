package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/sms/webhook"
)

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
//
// It decodes events as smstest.HookEvent with DisallowUnknownFields, so
// that any field we invent is caught.
type emulator struct {
	t      *testing.T
	header string
	secret string
	now    time.Time
	events adaptertest.Recorder[smstest.HookEvent]
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
	var ev smstest.HookEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		e.t.Errorf("event does not match Okta's shape: %v", err)
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	e.events.Record(ev)

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
