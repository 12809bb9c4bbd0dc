package mfa_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
)

// env is a Service on a fresh SQLite database, a fake clock and the
// development sink.
type env struct {
	svc   mfa.Services
	db    *store.DB
	clock *mfa.FakeClock
	sink  *devsink.Sink
	ctx   context.Context
	obs   *tally // what the service told its Observer
}

var start = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	db := storetest.New(t)
	return newEnvOn(t, db)
}

func newEnvOn(t testing.TB, db *store.DB) *env {
	t.Helper()
	keys, err := secret.Derive(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := mfa.NewFakeClock(start)
	sink := devsink.New(1000, nil)
	disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, clock, nil, nil)
	disp.Wait = 5 * time.Second
	obs := &tally{}
	svc := mfa.New(mfa.Config{Store: db, Clock: clock, CodeKey: keys.CodeMAC, Sealer: keys,
		Hasher: password.NewHasher(password.Fast), Deliver: disp, Host: "login.example.com", ProviderKinds: telephony.AllKinds(), Observer: obs})
	e := &env{svc: svc, db: db, clock: clock, sink: sink, obs: obs,
		ctx: mfa.WithClient(context.Background(), mfa.Client{IP: "192.0.2.10", UserAgent: "test", RequestID: "req1"})}
	if err := svc.Org.SetSMSEnabled(e.ctx, true); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) user(t testing.TB, login string) *mfa.User {
	t.Helper()
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: "Correct-Horse-9", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// lastCode returns the code of the newest SMS to number.
func (e *env) lastCode(t testing.TB, number string) string {
	t.Helper()
	msgs := e.sink.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == number {
			if msgs[i].Code == "" {
				t.Fatalf("the SMS to %s carries no code", number)
			}
			return msgs[i].Code
		}
	}
	t.Fatalf("no SMS to %s", number)
	return ""
}

func (e *env) sentTo(number string) int {
	n := 0
	for _, m := range e.sink.Messages() {
		if m.To == number {
			n++
		}
	}
	return n
}

// activeFactor enrolls and activates the SMS factor on number.
func (e *env) activeFactor(t testing.TB, u *mfa.User, number string) *mfa.Factor {
	t.Helper()
	f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: number})
	if err != nil {
		t.Fatal(err)
	}
	f, err = e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCode(t, number))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wrong returns a code that is not code.
func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func reason(err error) mfa.Reason { return mfa.ReasonOf(err) }

func wantReason(t testing.TB, err error, r mfa.Reason) {
	t.Helper()
	if got := reason(err); got != r {
		t.Fatalf("got %v (reason %q), want reason %q", err, got, r)
	}
}

// events returns the system log's event types (newest first) with an outcome.
func (e *env) events(t testing.TB, typ string) []mfa.Event {
	t.Helper()
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{typ}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// relaxLimits raises the sending limits so a test can send many codes.
func (e *env) relaxLimits(t testing.TB) {
	t.Helper()
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_phone_15m": "1000", "limit_phone_day": "10000", "limit_user_hour": "1000", "limit_ip_hour": "1000"}); err != nil {
		t.Fatal(err)
	}
}
