package mfa_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
)

// Issue 9, item 6: password spraying from one address gets
// limit_password_minute password checks a minute (60 by default: one
// argon2id hash a second), then a refusal before any hash; other addresses
// are not affected, and the refusal is in the system log once.
func TestPasswordChecksPerAddressPerMinute(t *testing.T) {
	e := newEnv(t)
	e.user(t, "sprayed@example.com")
	spray := mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.7"})
	for i := range 60 {
		_, err := e.svc.Signin.PrimaryAuth(spray, fmt.Sprintf("u%d@example.com", i), "Winter2026!", "")
		wantReason(t, err, mfa.RAuthFailed)
	}
	for range 5 {
		_, err := e.svc.Signin.PrimaryAuth(spray, "sprayed@example.com", "Correct-Horse-9", "")
		wantReason(t, err, mfa.RPasswordRate)
		if at := mfa.ErrorOf(err).RetryAt; !at.Equal(e.clock.Now().Truncate(time.Minute).Add(time.Minute)) {
			t.Fatalf("retry at %v", at)
		}
	}
	if _, err := e.svc.Signin.PrimaryAuth(e.ctx, "sprayed@example.com", "Correct-Horse-9", ""); err != nil {
		t.Fatalf("another address: %v", err)
	}
	n := 0
	for _, ev := range e.events(t, mfa.EvRateLimit) {
		if ev.Reason == string(mfa.RPasswordRate) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d password-rate events, want 1 per address and minute", n)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Signin.PrimaryAuth(spray, "sprayed@example.com", "Correct-Horse-9", ""); err != nil {
		t.Fatalf("next minute: %v", err)
	}
}

// busyHasher has a full queue.
type busyHasher struct{ mfa.PasswordHasher }

func (busyHasher) Verify(context.Context, string, string) (bool, bool, error) {
	return false, false, password.ErrBusy
}

// A full hashing queue answers "busy" at once: not a wrong password (no
// lockout counts), and told to the system log once a minute, not per
// request.
func TestFullHashingQueueIsBusyNotAWrongPassword(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "busy@example.com")
	keys := []byte("0123456789abcdef0123456789abcdef")
	busy := mfa.NewSignin(mfa.Config{Store: e.db, Clock: e.clock, CodeKey: keys, Sealer: sealer{}, Hasher: busyHasher{},
		Deliver: noDeliver{}})
	for range 30 {
		_, err := busy.PrimaryAuth(e.ctx, u.Login, "wrong", "")
		wantReason(t, err, mfa.RBusy)
		if mfa.ErrorOf(err).RetryAt.IsZero() {
			t.Fatal("busy without a retry time")
		}
	}
	if got := e.stored(t, u.ID); got.FailedPasswords != 0 || got.Locked(e.clock.Now()) {
		t.Fatalf("busy answers counted as wrong passwords: %d, locked %v", got.FailedPasswords, got.Locked(e.clock.Now()))
	}
	count := func() int {
		n := 0
		for _, ev := range e.events(t, mfa.EvRateLimit) {
			if ev.Reason == string(mfa.RBusy) {
				n++
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d busy events for 30 refusals in a minute, want 1", n)
	}
	e.clock.Advance(time.Minute)
	busy.PrimaryAuth(e.ctx, u.Login, "wrong", "")
	evs := e.events(t, mfa.EvRateLimit)
	if n := count(); n != 2 || evs[0].Details["refused"] != "30" {
		t.Fatalf("after a minute: %d busy events, newest %+v; want 2, the newest counting the 30 refused since", n, evs[0].Details)
	}
}

type sealer struct{}

func (sealer) Seal(p []byte, _ string) []byte { return p }

type noDeliver struct{}

func (noDeliver) Deliver(context.Context, mfa.Message) mfa.Delivery { return mfa.Delivery{} }

func (noDeliver) Claim(now time.Time) (string, time.Time) { return "test", now.Add(time.Minute) }
