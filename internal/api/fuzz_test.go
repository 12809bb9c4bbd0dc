package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store/storetest"
)

// The fuzz targets send fuzzed values, and fuzzed raw bodies, through the
// real API on a fresh database, then check that no answer is a 5xx and
// that everything stored is fit to store (storetest.TextChecker). .ci/run
// runs each for a bounded time; go test runs their seeds.

// fuzzEnv is an API whose limits do not stop a fuzz run, with SMS on, a
// user without a factor (enroll@) and one whose factor is active
// (verify@, on +14155550101).
type fuzzEnv struct {
	*env
	text          *storetest.TextChecker
	verifyID, fID string
	enrollID      string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	e := &fuzzEnv{env: newEnv(f)}
	e.text = storetest.NewTextChecker(e.db)
	if err := e.svc.Org.UpdateSettings(e.ctx, storetest.FuzzSettings); err != nil {
		f.Fatal(err)
	}
	e.enrollID = e.user("enroll@example.com", true)
	e.verifyID = e.user("verify@example.com", true)
	factor, _, err := e.svc.Factors.EnrollSMS(e.ctx, e.verifyID, mfa.EnrollRequest{Phone: "+14155550101"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, e.verifyID, factor.ID, e.code("+14155550101")); err != nil {
		f.Fatal(err)
	}
	e.fID = factor.ID
	return e
}

// run points the env at this run's t.
func (e *fuzzEnv) run(t *testing.T) { e.t = t }

// send calls the API (authn when token is false) and fails on a 5xx.
func (e *fuzzEnv) send(method, path string, token bool, body any) resp {
	e.t.Helper()
	var r resp
	if token {
		r = e.api(method, path, body)
	} else {
		r = e.do(method, path, "", body)
	}
	if r.status >= 500 {
		e.t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

// end checks what the run stored and moves the clock on an hour, past
// every lockout and rate-limit window.
func (e *fuzzEnv) end() {
	e.t.Helper()
	e.text.Check(e.t)
	e.clock.Advance(time.Hour)
}

// tricky are seeds every target starts from: the attacks of issue 9 and
// text at and over the caps.
var tricky = []string{"", "enroll@example.com", "ad\x00min", "ad\xffmin", "admin\u202Egnp", "a\tb\r\nc", strings.Repeat("é", 257),
	strings.Repeat("x", 2049), "/./\\evil.example", "+1 415 555 0123", "123456", "%00", "javascript:alert(1)"}

// rawBodies are seeds of raw JSON bodies.
var rawBodies = []string{"", "null", "{}", `{"username":"a\u0000b","password":"x"}`, `{"profile":{"login":"\u0000"}}`, "[1]", `{"a":` + strings.Repeat("[", 1000)}

func FuzzAuthnBodies(f *testing.F) {
	for i, v := range tricky {
		f.Add(v, "Pass-word-2026", v, v, v, []byte(rawBodies[i%len(rawBodies)]))
	}
	f.Add("enroll@example.com", "Pass-word-2026", "/app", "+1 415 555 0123", "000000", []byte(`{"stateToken":"x"}`))
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, username, password, relayState, number, passCode string, raw []byte) {
		e.run(t)
		e.send("POST", "/api/v1/authn", false, string(raw))
		e.send("POST", "/api/v1/authn", false, map[string]string{"username": username, "password": password, "relayState": relayState})
		// Enrollment, from a real transaction.
		r := e.send("POST", "/api/v1/authn", false, map[string]string{"username": "enroll@example.com", "password": "Pass-word-2026", "relayState": relayState})
		tok := r.str("stateToken")
		r = e.send("POST", "/api/v1/authn/factors", false, map[string]any{"stateToken": tok, "factorType": "sms", "provider": "OKTA",
			"profile": map[string]any{"phoneNumber": number}})
		if fid, ok := r.obj("_embedded", "factor")["id"].(string); ok {
			e.send("POST", "/api/v1/authn/factors/"+url.PathEscape(fid)+"/lifecycle/activate", false, map[string]string{"stateToken": tok, "passCode": passCode})
			e.send("POST", "/api/v1/authn/factors/"+url.PathEscape(fid)+"/lifecycle/resend", false, map[string]string{"stateToken": tok})
		}
		e.send("POST", "/api/v1/authn/factors/"+url.PathEscape(passCode)+"/lifecycle/activate", false, map[string]string{"stateToken": tok, "passCode": passCode})
		e.send("POST", "/api/v1/authn/cancel", false, map[string]string{"stateToken": tok})
		// Verification, from a real transaction.
		r = e.send("POST", "/api/v1/authn", false, map[string]string{"username": "verify@example.com", "password": "Pass-word-2026"})
		tok = r.str("stateToken")
		e.send("POST", "/api/v1/authn/factors/"+e.fID+"/verify", false, map[string]string{"stateToken": tok})
		e.send("POST", "/api/v1/authn/factors/"+e.fID+"/verify", false, map[string]string{"stateToken": tok, "passCode": passCode})
		e.send("POST", "/api/v1/authn/factors/"+e.fID+"/verify", false, json.RawMessage(raw))
		e.send("POST", "/api/v1/authn/introspect", false, map[string]string{"stateToken": passCode})
		e.end()
	})
}

func FuzzUsersAPI(f *testing.F) {
	for i, v := range tricky {
		f.Add(v, v, v, v, v, v, []byte(rawBodies[i%len(rawBodies)]))
	}
	f.Add("new@example.com", "Ada", "Lovelace", "ada@example.com", "en_GB", "Europe/London", []byte(`{"profile":{"login":"x@example.com"}}`))
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, login, first, last, email, locale, timeZone string, raw []byte) {
		e.run(t)
		e.send("POST", "/api/v1/users", true, map[string]any{"profile": map[string]string{"login": login, "firstName": first, "lastName": last,
			"email": email, "locale": locale, "timeZone": timeZone}, "credentials": map[string]any{"password": map[string]string{"value": "Pass-word-2026"}}})
		e.send("POST", "/api/v1/users?activate=false", true, string(raw))
		e.send("GET", "/api/v1/users?q="+url.QueryEscape(first)+"&after="+url.QueryEscape(last)+"&limit=5", true, nil)
		e.send("GET", "/api/v1/users/"+url.PathEscape(login), true, nil)
		e.send("POST", "/api/v1/users/"+url.PathEscape(login)+"/lifecycle/unlock", true, nil)
		e.send("GET", "/api/v1/logs?q="+url.QueryEscape(email)+"&filter="+url.QueryEscape(locale), true, nil)
		e.end()
	})
}

func FuzzFactorsAPI(f *testing.F) {
	for i, v := range tricky {
		f.Add(v, v, []byte(rawBodies[i%len(rawBodies)]))
	}
	f.Add("+1 415 555 0123", "123456", []byte(`{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+14155550199"}}`))
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, number, passCode string, raw []byte) {
		e.run(t)
		base := "/api/v1/users/" + e.enrollID + "/factors"
		r := e.send("POST", base, true, map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": number}})
		if fid, ok := r.body["id"].(string); ok {
			e.send("POST", base+"/"+url.PathEscape(fid)+"/lifecycle/activate", true, map[string]string{"passCode": passCode})
			e.send("POST", base+"/"+url.PathEscape(fid)+"/resend", true, nil)
			e.send("DELETE", base+"/"+url.PathEscape(fid), true, nil)
		}
		e.send("POST", base, true, string(raw))
		e.send("POST", base+"/"+url.PathEscape(passCode)+"/verify", true, map[string]string{"passCode": passCode})
		vbase := "/api/v1/users/" + e.verifyID + "/factors/" + e.fID
		e.send("POST", vbase+"/verify", true, nil)
		e.send("POST", vbase+"/verify", true, map[string]string{"passCode": passCode})
		e.send("POST", vbase+"/verify", true, string(raw))
		e.end()
	})
}
