package delivery_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/mfa"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
)

// script is a Sender that answers from a list of errors (nil = accepted)
// and records what it was given.
type script struct {
	mu      sync.Mutex
	answers []error
	got     []sms.Message
	block   chan struct{} // when set, Send waits for it to close
}

func (s *script) Send(ctx context.Context, msg sms.Message) (delivery.Result, error) {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, msg)
	var err error
	if len(s.answers) > 0 {
		err, s.answers = s.answers[0], s.answers[1:]
	}
	tries := []sms.Try{{Provider: "p1", Sender: "+15557654321", Started: time.Now(), Err: err}}
	if err != nil {
		return delivery.Result{Provider: "p1", Tries: tries}, err
	}
	return delivery.Result{Provider: "p1", Sender: "+15557654321", ProviderMessageID: "PM" + msg.ID, Tries: tries}, nil
}

func (s *script) sends() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.got) }

type env struct {
	db    *store.DB
	keys  *secret.Keys
	clock *mfa.FakeClock
	snd   *script
	d     *delivery.Dispatcher
	fire  chan time.Time
}

func newEnv(t *testing.T) *env {
	keys, _ := secret.Derive(bytes.Repeat([]byte{9}, 32))
	e := &env{db: storetest.New(t), keys: keys, clock: mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), snd: &script{}, fire: make(chan time.Time)}
	e.d = delivery.New(e.db, keys, e.snd, e.clock, nil, nil)
	e.d.After = func(time.Duration) <-chan time.Time { return e.fire }
	return e
}

// claimed puts a message in the outbox as the domain queues one for the
// request that sends it: claimed by the dispatcher, under its lease.
func (e *env) claimed(t *testing.T, id string, sealed []byte) mfa.Message {
	t.Helper()
	now := e.clock.Now()
	claim, lease := e.d.Claim(now)
	m := mfa.Message{ID: id, ChallengeID: "c-" + id, UserID: "u", To: "+14155550123", SealedBody: sealed,
		State: mfa.MessageSending, Attempts: 1, Claim: claim, LockedUntil: lease, NextAttempt: now, Created: now, Expires: now.Add(5 * time.Minute)}
	if err := e.db.InTx(context.Background(), func(tx mfa.Tx) error { return tx.InsertMessage(context.Background(), m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

// sealed is the content of a code's text, sealed for message id.
func (e *env) sealed(id string) []byte {
	return mfa.SealMessage(e.keys, id, mfa.MessageContent{Body: "Your code is 123456.", Code: "123456"})
}

func (e *env) record(t *testing.T, id string) mfa.DeliveryRecord {
	t.Helper()
	var out mfa.DeliveryRecord
	err := e.db.InTx(context.Background(), func(tx mfa.Tx) error {
		m, err := tx.GetMessage(context.Background(), id)
		out.Message = m
		if err == nil {
			out.Attempts, err = tx.ListAttempts(context.Background(), []string{id})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeliverSendsAtOnceAndErasesTheBody(t *testing.T) {
	e := newEnv(t)
	m := e.claimed(t, "m1", e.sealed("m1"))
	if got := e.d.Deliver(context.Background(), m); got.State != mfa.MessageSent {
		t.Fatalf("Deliver = %+v", got)
	}
	r := e.record(t, "m1")
	if r.State != mfa.MessageSent || r.SealedBody != nil || r.ProviderMessageID != "PMm1" || len(r.Attempts) != 1 || r.Attempts[0].Outcome != "sent" {
		t.Fatalf("record: %+v", r)
	}
	if got := e.snd.got[0]; got.Body != "Your code is 123456." || got.Code != "123456" || got.To != "+14155550123" {
		t.Fatalf("the provider got %+v", got)
	}
}

func TestMessageQueuedByAnOlderVersionIsSentWithoutACode(t *testing.T) {
	e := newEnv(t)
	// Before codes were carried apart, the text alone was sealed to the message id.
	m := e.claimed(t, "m1", e.keys.Seal([]byte("Your code is 123456."), "m1"))
	if got := e.d.Deliver(context.Background(), m); got.State != mfa.MessageSent {
		t.Fatalf("Deliver = %+v", got)
	}
	if got := e.snd.got[0]; got.Body != "Your code is 123456." || got.Code != "" {
		t.Fatalf("the provider got %+v", got)
	}
}

func TestMessageSealedForAnotherMessageFails(t *testing.T) {
	e := newEnv(t)
	m := e.claimed(t, "m1", e.sealed("m2"))
	if got := e.d.Deliver(context.Background(), m); got.State != mfa.MessageFailed || !strings.Contains(got.Error, "cannot be decrypted") {
		t.Fatalf("Deliver = %+v", got)
	}
	if e.snd.sends() != 0 {
		t.Fatal("a text that cannot be opened was sent")
	}
}

func TestSlowProviderDeliverAnswersOnItsWay(t *testing.T) {
	e := newEnv(t)
	e.snd.block = make(chan struct{})
	m := e.claimed(t, "m1", e.sealed("m1"))
	got := make(chan mfa.Delivery)
	go func() { got <- e.d.Deliver(context.Background(), m) }()
	e.fire <- time.Time{} // the bound passes while the provider is silent
	if r := <-got; r.State != mfa.MessageSending {
		t.Fatalf("Deliver = %+v, want sending", r)
	}
	close(e.snd.block)
	e.d.WaitIdle()
	if r := e.record(t, "m1"); r.State != mfa.MessageSent {
		t.Fatalf("after the provider answered: %s", r.State)
	}
}

func TestTransientFailuresRetryWithBackoffUntilTheCodeExpires(t *testing.T) {
	e := newEnv(t)
	down := sms.NewError(sms.ProviderDown, "503", "service unavailable")
	for range 50 {
		e.snd.answers = append(e.snd.answers, down)
	}
	m := e.claimed(t, "m1", e.sealed("m1"))
	if got := e.d.Deliver(context.Background(), m); got.State != mfa.MessageQueued {
		t.Fatalf("Deliver = %+v", got)
	}
	ctx := context.Background()
	var waits []time.Duration
	for step := 0; step < 20 && e.record(t, "m1").State == mfa.MessageQueued; step++ {
		next := e.record(t, "m1").NextAttempt
		e.d.RunOnce(ctx) // not due yet: nothing happens
		e.d.WaitIdle()
		if n := e.record(t, "m1").Message.Attempts; n != len(waits)+1 {
			t.Fatalf("sent before it was due (attempts %d)", n)
		}
		waits = append(waits, next.Sub(e.clock.Now()))
		e.clock.Advance(next.Sub(e.clock.Now()))
		e.d.RunOnce(ctx)
		e.d.WaitIdle()
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second}
	for i, w := range want[:5] {
		if waits[i] != w {
			t.Fatalf("wait %d = %v, want %v (all: %v)", i+1, waits[i], w, waits)
		}
	}
	r := e.record(t, "m1")
	if r.State != mfa.MessageExpired || r.SealedBody != nil {
		t.Fatalf("final state %s (body erased: %v)", r.State, r.SealedBody == nil)
	}
	if e.snd.sends() < 6 {
		t.Fatalf("%d attempts before the code expired, want the backoff to keep trying", e.snd.sends())
	}
	for _, a := range r.Attempts {
		if a.Outcome != "transient" || !strings.Contains(a.Error, "provider_down") {
			t.Fatalf("attempt %+v", a)
		}
	}
	if len(r.Attempts) != e.snd.sends() {
		t.Fatalf("%d attempts logged for %d sends", len(r.Attempts), e.snd.sends())
	}
}

func TestPermanentRefusalFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.snd.answers = []error{sms.NewError(sms.InvalidNumber, "21211", "invalid To")}
	m := e.claimed(t, "m1", e.sealed("m1"))
	if got := e.d.Deliver(context.Background(), m); got.State != mfa.MessageFailed || !strings.Contains(got.Error, "invalid_number") {
		t.Fatalf("Deliver = %+v", got)
	}
	e.clock.Advance(time.Minute)
	e.d.RunOnce(context.Background())
	e.d.WaitIdle()
	if e.snd.sends() != 1 {
		t.Fatalf("%d sends of a refused message", e.snd.sends())
	}
}

// A message is queued claimed for the request that sends it; if that
// request's process stops before sending, no worker takes the message
// while the lease runs, then one does and says it may arrive twice.
func TestInterruptedSendIsTakenOverAndNoted(t *testing.T) {
	e := newEnv(t)
	e.claimed(t, "m1", e.sealed("m1")) // and never delivered
	e.d.RunOnce(context.Background())
	e.d.WaitIdle()
	if e.snd.sends() != 0 {
		t.Fatal("sent while the other worker's lease runs")
	}
	e.clock.Advance(31 * time.Second)
	e.d.RunOnce(context.Background())
	e.d.WaitIdle()
	r := e.record(t, "m1")
	if r.State != mfa.MessageSent || e.snd.sends() != 1 || len(r.Attempts) != 2 || r.Attempts[0].Outcome != "lost" || !strings.Contains(r.Attempts[0].Error, "may arrive twice") {
		t.Fatalf("after take-over: %s, %d sends, attempts %+v", r.State, e.snd.sends(), r.Attempts)
	}
}
