package smstest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"smsmfa/internal/sms/twilio"
)

// TwilioMessage is a message the Twilio emulator accepted.
type TwilioMessage struct {
	SID            string
	To, From, Body string
	StatusCallback string
}

// Twilio emulates the Messages API of one account.
type Twilio struct {
	AccountSID, AuthToken string
	Server                *httptest.Server
	mu                    sync.Mutex
	msgs                  []TwilioMessage
	calls                 []TwilioCall
	refuse                map[string]int // To → Twilio error code
}

// Refuse makes the emulator answer messages to number with a Twilio error
// code (21610 opted out, 21211 invalid number, 30004 blocked, …).
func (t *Twilio) Refuse(number string, code int) {
	t.mu.Lock()
	if t.refuse == nil {
		t.refuse = map[string]int{}
	}
	t.refuse[number] = code
	t.mu.Unlock()
}

// NewTwilio starts an emulator for the account.
func NewTwilio(accountSID, authToken string) *Twilio {
	t := &Twilio{AccountSID: accountSID, AuthToken: authToken}
	t.Server = httptest.NewServer(http.HandlerFunc(t.serve))
	return t
}

// Messages returns what was sent, oldest first.
func (t *Twilio) Messages() []TwilioMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TwilioMessage(nil), t.msgs...)
}

func (t *Twilio) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != t.AccountSID || pass != t.AuthToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":20003,"message":"Authenticate","status":401}`)
		return
	}
	if r.URL.Path == "/2010-04-01/Accounts/"+t.AccountSID+"/Calls.json" && r.ParseForm() == nil {
		t.serveCall(w, r)
		return
	}
	if r.URL.Path != "/2010-04-01/Accounts/"+t.AccountSID+"/Messages.json" || r.ParseForm() != nil {
		http.NotFound(w, r)
		return
	}
	t.mu.Lock()
	if code, ok := t.refuse[r.PostForm.Get("To")]; ok {
		t.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code":%d,"message":"refused by the emulator","status":400}`, code)
		return
	}
	m := TwilioMessage{SID: fmt.Sprintf("SM%032d", len(t.msgs)+1), To: r.PostForm.Get("To"), From: r.PostForm.Get("From"),
		Body: r.PostForm.Get("Body"), StatusCallback: r.PostForm.Get("StatusCallback")}
	if m.From == "" {
		m.From = r.PostForm.Get("MessagingServiceSid")
	}
	t.msgs = append(t.msgs, m)
	t.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid":%q,"status":"queued","to":%q}`, m.SID, m.To)
}

// Post sends a form to url signed as Twilio signs it (token is the auth
// token to sign with: pass a wrong one to forge).
func Post(target, token string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Signature(token, target, form))
	return http.DefaultClient.Do(req)
}

// StatusCallback posts a delivery receipt for m, signed with token.
func (t *Twilio) StatusCallback(m TwilioMessage, status, errorCode, token string) (*http.Response, error) {
	f := url.Values{"MessageSid": {m.SID}, "MessageStatus": {status}, "To": {m.To}, "From": {m.From}, "AccountSid": {t.AccountSID}}
	if errorCode != "" {
		f.Set("ErrorCode", errorCode)
	}
	return Post(m.StatusCallback, token, f)
}

// TwilioCall is a call the Twilio emulator accepted.
type TwilioCall struct {
	SID            string
	To, From       string
	Twiml          string
	SendDigits     string
	StatusCallback string
}

// Calls returns the calls placed, oldest first.
func (t *Twilio) Calls() []TwilioCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TwilioCall(nil), t.calls...)
}

// serveCall answers the Calls API: a call needs To, From and Twiml (the
// emulator does not fetch a Url); a number refused with Refuse is refused
// for calls too.
func (t *Twilio) serveCall(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	c := TwilioCall{To: r.PostForm.Get("To"), From: r.PostForm.Get("From"), Twiml: r.PostForm.Get("Twiml"),
		SendDigits: r.PostForm.Get("SendDigits"), StatusCallback: r.PostForm.Get("StatusCallback")}
	if c.To == "" || c.From == "" || !strings.HasPrefix(c.Twiml, "<Response>") {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":21201,"message":"No 'To', 'From' or 'Twiml' specified","status":400}`)
		return
	}
	t.mu.Lock()
	if code, ok := t.refuse[c.To]; ok {
		t.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code":%d,"message":"refused by the emulator","status":400}`, code)
		return
	}
	c.SID = fmt.Sprintf("CA%032d", len(t.calls)+1)
	t.calls = append(t.calls, c)
	t.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid":%q,"status":"queued","to":%q}`, c.SID, c.To)
}
