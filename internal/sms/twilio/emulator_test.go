package twilio_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/sms/internal/adaptertest"
)

// emulator is a local stand-in for Twilio's Messages API. It checks the
// path, method, content type and basic auth the way Twilio does, validates
// the form, and answers in Twilio's JSON shapes. Like Twilio's test
// credentials it reacts to "magic" destination numbers:
//
//	+15005550001 → 21211 invalid number
//	+15005550002 → 21612 cannot route
//	+15005550003 → 21408 no permission for the region
//	+15005550004 → 21610 unsubscribed (opted out)
//	+15005550009 → 21614 not a mobile number
type emulator struct {
	t     *testing.T
	sid   string
	token string
	forms adaptertest.Recorder[url.Values] // of the requests that passed auth
}

func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+e.sid+"/Messages.json" {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != e.sid || pass != e.token {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		e.t.Errorf("Content-Type = %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21100, "cannot parse form")
		return
	}
	form := r.PostForm
	e.forms.Record(form)

	to := form.Get("To")
	switch {
	case !adaptertest.IsE164(to):
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case form.Get("From") == "" && form.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		return
	case form.Get("From") != "" && form.Get("MessagingServiceSid") != "":
		twilioError(w, http.StatusBadRequest, 21603, "Only one of 'From' and 'MessagingServiceSid' may be given")
		return
	case form.Get("Body") == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	switch to {
	case "+15005550001":
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
	case "+15005550002":
		twilioError(w, http.StatusBadRequest, 21612, "The 'To' phone number is not currently reachable via SMS.")
	case "+15005550003":
		twilioError(w, http.StatusBadRequest, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number")
	case "+15005550004":
		twilioError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
	case "+15005550009":
		twilioError(w, http.StatusBadRequest, 21614, fmt.Sprintf("'To' number %s is not a valid mobile number", to))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"sid":         "SM" + strings.ToLower(rand.Text()[:26]) + "000000",
			"account_sid": e.sid,
			"to":          to,
			"from":        form.Get("From"),
			"body":        form.Get("Body"),
			"status":      "queued",
			"error_code":  nil,
		})
	}
}

// twilioError writes Twilio's error JSON.
func twilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}
