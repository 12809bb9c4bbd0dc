package telephony_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/webhook"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
)

type env struct {
	svc   mfa.Services
	keys  *secret.Keys
	pool  *telephony.Pool
	hooks *httptest.Server
	ctx   context.Context
}

// newEnv returns a pool with the development sink (as with --dev), each
// mod applied to its options first.
func newEnv(t *testing.T, mods ...func(*telephony.Options)) *env {
	db := storetest.New(t)
	keys, err := secret.Derive(bytes.Repeat([]byte{4}, 32))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	hooks := httptest.NewServer(mux)
	t.Cleanup(hooks.Close)
	dc := mfa.Config{Store: db, CodeKey: keys.CodeMAC, Sealer: keys, Hasher: password.NewHasher(password.Fast), ProviderKinds: telephony.AllKinds(), Settings: mfa.NewSettingsCache()}
	tel := mfa.NewTelephony(dc)
	o := telephony.Options{Service: tel, Keys: keys, Sink: devsink.New(10, nil), BaseURL: hooks.URL, TryTimeout: 300 * time.Millisecond}
	for _, mod := range mods {
		mod(&o)
	}
	pool := telephony.New(o)
	disp := delivery.New(db, keys, pool, mfa.SystemClock{}, nil, nil)
	disp.Wait = 5 * time.Second
	dc.Deliver = disp
	svc := mfa.New(dc)
	svc.Telephony = tel
	mux.Handle("/hooks/", pool.Hooks())
	e := &env{svc: svc, keys: keys, pool: pool, hooks: hooks, ctx: mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})}
	if err := svc.Org.UpdateSettings(e.ctx, map[string]string{"sms_enabled": "true", "resend_cooldown": "0s"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) add(t *testing.T, p mfa.ProviderConfig) {
	t.Helper()
	if _, err := e.svc.Telephony.AddProvider(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
}

func (e *env) gateway(t *testing.T, name string, priority int) *smstest.Gateway {
	t.Helper()
	g, err := smstest.NewGateway("secret-" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	e.add(t, mfa.ProviderConfig{Name: name, Type: webhook.Type, BaseURL: g.URL(), Priority: priority, Credentials: map[string]string{"secret": "secret-" + name}})
	return g
}

func (e *env) user(t *testing.T, login string) *mfa.User {
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: "Pass-word-2026", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) log(t *testing.T, userID string) []mfa.DeliveryRecord {
	recs, err := e.svc.Telephony.DeliveryLog(e.ctx, mfa.MessageFilter{UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestFailoverToTheSecondProvider(t *testing.T) {
	for _, c := range []struct {
		name    string
		mode    smstest.Mode
		outcome string
	}{
		{"Down", smstest.Down, "transient"},
		{"SlowPastTheTimeout", smstest.Hang, "transient"},
		{"RejectingCredentials", smstest.BadCredentials, "configuration"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			first, second := e.gateway(t, "first", 1), e.gateway(t, "second", 2)
			first.SetMode(c.mode)
			u := e.user(t, "fo@example.com")
			f, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550123"})
			if err != nil || sent.Delivery.State != mfa.MessageSent {
				t.Fatalf("enroll: %v %+v", err, sent)
			}
			got := second.Received()
			if len(got) != 1 || got[0].To != "+14155550123" || got[0].Code == "" {
				t.Fatalf("second provider got %+v", got)
			}
			if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, got[0].Code); err != nil {
				t.Fatalf("the code from the second provider: %v", err)
			}
			recs := e.log(t, u.ID)
			if len(recs) != 1 || recs[0].Provider != "second" || recs[0].State != mfa.MessageSent || len(recs[0].Attempts) != 2 ||
				recs[0].Attempts[0].Provider != "first" || recs[0].Attempts[0].Outcome != c.outcome || recs[0].Attempts[1].Outcome != "sent" {
				t.Fatalf("delivery log: %+v", recs)
			}
		})
	}
}

func TestBothProvidersDownTheMessageWaitsAndIsRetried(t *testing.T) {
	e := newEnv(t)
	a, b := e.gateway(t, "a", 1), e.gateway(t, "b", 2)
	a.SetMode(smstest.Down)
	b.SetMode(smstest.Down)
	u := e.user(t, "down@example.com")
	_, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550124"})
	if err != nil || sent.Delivery.State != mfa.MessageQueued {
		t.Fatalf("enroll with every provider down: %v %+v (the page must say the code is on its way)", err, sent)
	}
	r := e.log(t, u.ID)[0]
	if r.State != mfa.MessageQueued || len(r.Attempts) != 2 || r.Attempts[0].Outcome != "transient" || r.Attempts[1].Outcome != "transient" || !r.NextAttempt.After(r.Created) {
		t.Fatalf("message %+v, attempts %+v", r.Message, r.Attempts)
	}
}

func (e *env) twilio(t *testing.T, name string, senders ...string) *smstest.Twilio {
	tw := smstest.NewTwilio("AC"+strings.Repeat("1", 32), "token-"+name)
	t.Cleanup(tw.Server.Close)
	p := mfa.ProviderConfig{Name: name, Type: twilio.Type, BaseURL: tw.Server.URL,
		Credentials: map[string]string{"account_sid": tw.AccountSID, "auth_token": tw.AuthToken}}
	for _, s := range senders {
		snd, err := mfa.ParseSender(s)
		if err != nil {
			t.Fatal(err)
		}
		p.Senders = append(p.Senders, snd)
	}
	e.add(t, p)
	return tw
}

func TestDeliveryReceipts(t *testing.T) {
	for _, c := range []struct {
		name      string
		token     string // signs the receipt; "" is the account's own
		status    string
		errorCode string
		answer    int
		state     mfa.MessageState
		cause     string // in the receipt error
	}{
		// A forged receipt (signed with another token) is refused and changes nothing.
		{"ErrForged", "not-the-token", "undelivered", "30003", http.StatusForbidden, mfa.MessageSent, ""},
		{"Delivered", "", "delivered", "", http.StatusNoContent, mfa.MessageDelivered, ""},
		{"UndeliveredWithItsCode", "", "undelivered", "30003", http.StatusNoContent, mfa.MessageUndelivered, "30003"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			tw := e.twilio(t, "tw", "+15557654321")
			u := e.user(t, "rc@example.com")
			if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550125"}); err != nil {
				t.Fatal(err)
			}
			m := tw.Messages()[0]
			if !strings.HasPrefix(m.SID, "SM") || m.StatusCallback != e.hooks.URL+"/hooks/twilio/tw/status" || m.From != "+15557654321" {
				t.Fatalf("message at Twilio: %+v", m)
			}
			token := c.token
			if token == "" {
				token = tw.AuthToken
			}
			res, err := tw.StatusCallback(m, c.status, c.errorCode, token)
			if err != nil || res.StatusCode != c.answer {
				t.Fatalf("receipt: %v %v, want HTTP %d", res.StatusCode, err, c.answer)
			}
			r := e.log(t, u.ID)[0]
			if r.State != c.state || !strings.Contains(r.ReceiptError, c.cause) || (c.answer == http.StatusNoContent) == r.ReceiptAt.IsZero() {
				t.Fatalf("after the receipt: %+v", r.Message)
			}
		})
	}
}

// stopForm is an inbound STOP from +14155550126 to the sender +15557654321.
func stopForm(tw *smstest.Twilio) url.Values {
	return url.Values{"MessageSid": {"SMin1"}, "From": {"+14155550126"}, "To": {"+15557654321"}, "Body": {" stop "}, "AccountSid": {tw.AccountSID}}
}

func TestForgedStopIsRefused(t *testing.T) {
	e := newEnv(t)
	tw := e.twilio(t, "tw", "+15557654321", "+15557654322")
	res, err := smstest.Post(e.hooks.URL+"/hooks/twilio/tw/inbound", "forged", stopForm(tw))
	if err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged STOP: %v %v", res.StatusCode, err)
	}
	if outs, _, _ := e.svc.Telephony.OptOuts(e.ctx, 10); len(outs) != 0 {
		t.Fatal("a forged STOP was recorded")
	}
}

func TestStopIsRecordedAndAnotherSenderPreferred(t *testing.T) {
	e := newEnv(t)
	tw := e.twilio(t, "tw", "+15557654321", "+15557654322")
	u := e.user(t, "stop@example.com")
	inbound := e.hooks.URL + "/hooks/twilio/tw/inbound"
	res, err := smstest.Post(inbound, tw.AuthToken, stopForm(tw))
	if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "xml") {
		t.Fatalf("STOP: %v %v", res.StatusCode, err)
	}
	outs, evs := mustOptOuts(t, e)
	if len(outs) != 1 || outs[0].Sender != "+15557654321" || len(evs) != 1 || evs[0].Keyword != "stop" || evs[0].ProviderMessageID != "SMin1" {
		t.Fatalf("opt-outs %+v, evidence %+v", outs, evs)
	}
	// Codes still go out, from the other sender, every time.
	f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550126"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range tw.Messages() {
		if m.From != "+15557654322" {
			t.Fatalf("a code went from the sender the recipient stopped: %+v", m)
		}
	}
	// START lifts it.
	start := url.Values{"MessageSid": {"SMin2"}, "From": {"+14155550126"}, "To": {"+15557654321"}, "Body": {"START"}, "AccountSid": {tw.AccountSID}}
	if res, err := smstest.Post(inbound, tw.AuthToken, start); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("START: %v %v", res, err)
	}
	if outs, evs := mustOptOuts(t, e); len(outs) != 0 || len(evs) != 2 {
		t.Fatalf("after START: %+v %+v", outs, evs)
	}
	if evs := mustEvents(t, e, mfa.EvOptOut); len(evs) != 1 {
		t.Fatal("the opt-out is not in the system log")
	}
	// The system log names the number by its keyed id and masked form only.
	for _, ev := range append(mustEvents(t, e, mfa.EvOptOut), mustEvents(t, e, mfa.EvOptIn)...) {
		if !strings.HasPrefix(ev.Target.ID, "phn") || strings.Contains(fmt.Sprintf("%+v", ev), "4155550126") {
			t.Fatalf("opt-out event holds the number: %+v", ev)
		}
	}
}

func mustOptOuts(t *testing.T, e *env) ([]mfa.OptOut, []mfa.OptOutEvent) {
	t.Helper()
	outs, evs, err := e.svc.Telephony.OptOuts(e.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	return outs, evs
}

func mustEvents(t *testing.T, e *env, typ string) []mfa.Event {
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{typ}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestDevelopmentSinkStandsInForNoProvider(t *testing.T) {
	e := newEnv(t)
	if err := e.pool.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if s := e.pool.Statuses(); len(s) != 1 || s[0].Name != telephony.DevSinkName || e.pool.Warning() != "" {
		t.Fatalf("routes: %+v, warning %q", s, e.pool.Warning())
	}
	e.gateway(t, "gw", 1)
	if s := e.pool.Statuses(); len(s) != 1 || s[0].Name != "gw" {
		t.Fatalf("with a provider, the sink must not be used: %+v", s)
	}
}

// TestNoProviderRefusesTheSend: without --dev (no sink) and without a
// provider, a code is refused at once with a message that says why, the
// message is not left queued, and the console is warned.
func TestNoProviderRefusesTheSend(t *testing.T) {
	e := newEnv(t, func(o *telephony.Options) { o.Sink = nil })
	if err := e.pool.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.pool.Statuses()) != 0 || e.pool.Warning() != telephony.NoProviderWarning {
		t.Fatalf("routes %+v, warning %q", e.pool.Statuses(), e.pool.Warning())
	}
	u := e.user(t, "nobody@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550127"})
	want := "Text messages cannot be sent: no SMS provider is configured. Contact your administrator."
	if me := mfa.ErrorOf(err); me.Reason != mfa.RSendFailed || me.Cause != "no_provider" || me.Message != want {
		t.Fatalf("enroll without a provider: %v (cause %q)", err, me.Cause)
	}
	if r := e.log(t, u.ID); len(r) != 1 || r[0].State != mfa.MessageFailed || !strings.Contains(r[0].Error, "no_provider") {
		t.Fatalf("delivery log %+v: the message must fail, not wait for a provider", r)
	}
	e.gateway(t, "gw", 1)
	if e.pool.Warning() != "" {
		t.Fatalf("warning %q with a provider", e.pool.Warning())
	}
}

func TestPermanentRefusalsReachTheUserWithTheirCause(t *testing.T) {
	for _, c := range []struct {
		cause string
		code  int
	}{{"opted_out", 21610}, {"invalid_number", 21211}, {"blocked", 30004}} {
		t.Run(c.cause, func(t *testing.T) {
			e := newEnv(t)
			tw := e.twilio(t, "tw", "+15557654321")
			tw.Refuse("+14155550131", c.code)
			u := e.user(t, "refused@example.com")
			_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550131"})
			if me := mfa.ErrorOf(err); me.Reason != mfa.RSendFailed || me.Cause != c.cause || !strings.Contains(me.Message, "could not send") {
				t.Errorf("%v (cause %q), want send_failed / %s", err, me.Cause, c.cause)
			}
			if r := e.log(t, u.ID); len(r) != 1 || r[0].State != mfa.MessageFailed || len(r[0].Attempts) != 1 {
				t.Errorf("delivery log %+v", r)
			}
		})
	}
}

func TestRefusedNumberCanBeCorrectedAtOnce(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"resend_cooldown": "30s"}); err != nil {
		t.Fatal(err)
	}
	tw := e.twilio(t, "tw", "+15557654321")
	tw.Refuse("+14155550141", 21211)
	e.user(t, "fix@example.com")
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "fix@example.com", "Pass-word-2026", "")
	if err != nil {
		t.Fatal(err)
	}
	tok := v.Txn.StateToken
	v, _, err = e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: "+14155550141"})
	if mfa.ErrorOf(err).Cause != "invalid_number" || v == nil || v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("refused number: %v, status %v (want back in MFA_ENROLL)", err, v)
	}
	// No cooldown: the refused text never went out.
	v, sent, err := e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: "+14155550142", UpdatePhone: true})
	if err != nil || v.Txn.Status != mfa.TxnMFAEnrollActivate || sent.Delivery.State != mfa.MessageSent {
		t.Fatalf("corrected number: %v", err)
	}
}

// callsOn turns the voice call factor on.
func (e *env) callsOn(t *testing.T) {
	t.Helper()
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"call_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
}

func TestCallFailsOverToTheSecondProvider(t *testing.T) {
	for _, c := range []struct {
		name    string
		mode    smstest.Mode
		outcome string
	}{
		{"Down", smstest.Down, "transient"},
		{"RejectingCredentials", smstest.BadCredentials, "configuration"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.callsOn(t)
			first, second := e.gateway(t, "first", 1), e.gateway(t, "second", 2)
			first.SetMode(c.mode)
			u := e.user(t, "callfo@example.com")
			f, sent, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: "+442079460958"})
			if err != nil || sent.Delivery.State != mfa.MessageSent {
				t.Fatalf("enroll: %v %+v", err, sent)
			}
			got := second.Received()
			// Okta's telephony hook for a call: deliveryChannel "Voice call",
			// the text to read out with the code twice, otpCode apart.
			if len(got) != 1 || got[0].To != "+442079460958" || got[0].Channel != "Voice call" || got[0].Code == "" ||
				strings.Count(got[0].Body, strings.Join(strings.Split(got[0].Code, ""), ", ")) != 2 {
				t.Fatalf("second provider got %+v", got)
			}
			if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, got[0].Code); err != nil {
				t.Fatalf("the code from the second provider's call: %v", err)
			}
			recs := e.log(t, u.ID)
			if len(recs) != 1 || recs[0].Provider != "second" || recs[0].Channel != mfa.ChannelVoice || len(recs[0].Attempts) != 2 || recs[0].Attempts[0].Outcome != c.outcome {
				t.Fatalf("delivery log: %+v", recs)
			}
		})
	}
}

func TestTwilioPlacesTheCallAndTextsStayTexts(t *testing.T) {
	e := newEnv(t)
	e.callsOn(t)
	tw := smstest.NewTwilio("AC"+strings.Repeat("2", 32), "token-voice")
	t.Cleanup(tw.Server.Close)
	e.add(t, mfa.ProviderConfig{Name: "tw", Type: twilio.Type, BaseURL: tw.Server.URL, Priority: 1,
		Credentials: map[string]string{"account_sid": tw.AccountSID, "auth_token": tw.AuthToken, "messaging_service_sid": "MG" + strings.Repeat("3", 32), "voice_from": "+15005550006"}})
	u := e.user(t, "twcall@example.com")
	f, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: "+442079460958", Extension: "77"})
	if err != nil {
		t.Fatal(err)
	}
	calls := tw.Calls()
	if len(calls) != 1 || len(tw.Messages()) != 0 {
		t.Fatalf("calls %+v, texts %+v", calls, tw.Messages())
	}
	c := calls[0]
	if c.To != "+442079460958" || c.From != "+15005550006" || c.SendDigits != "ww77" || c.StatusCallback != "" ||
		!strings.HasPrefix(c.Twiml, `<Response><Say language="en-US">`) || strings.Count(c.Twiml, `<Pause length="1"/>`) != 4 {
		t.Fatalf("call %+v", c)
	}
	code := codeIn(t, c.Twiml)
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, code); err != nil {
		t.Fatalf("the code read out: %v", err)
	}
	// A text to the same account is a text.
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550123"}); err != nil {
		t.Fatal(err)
	}
	if len(tw.Messages()) != 1 || len(tw.Calls()) != 1 {
		t.Fatalf("texts %d calls %d", len(tw.Messages()), len(tw.Calls()))
	}
}

// codeIn reads the code out of a call's TwiML: the digits of the second
// <Say>, which the fourth repeats.
func codeIn(t *testing.T, twiml string) string {
	t.Helper()
	says := strings.Split(twiml, "<Say")
	if len(says) != 6 {
		t.Fatalf("want 5 <Say>, got %q", twiml)
	}
	digits := func(s string) string {
		var b strings.Builder
		for _, r := range s[strings.Index(s, ">"):strings.Index(s, "</Say>")] {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	if digits(says[2]) == "" || digits(says[2]) != digits(says[4]) {
		t.Fatalf("the code is not read twice: %q", twiml)
	}
	return digits(says[2])
}
