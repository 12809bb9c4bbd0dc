package mfa_test

import (
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// A refusal commits what the unit of work counted before it; these tests
// read the counts back from the database through a second set of services
// (as another instance would), on SQLite and, with SMSMFA_TEST_ENGINE=postgres,
// on PostgreSQL.

// stored reads a user back from the database.
func (e *env) stored(t *testing.T, id string) *mfa.User {
	t.Helper()
	u, err := newEnvOn(t, e.db).svc.Users.GetUser(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestWrongCodeRefusalKeepsTheCounts(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "wrong@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(31 * time.Second)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(t, alicePhone)
	for i, left := range []int{4, 3} {
		err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code))
		wantReason(t, err, mfa.RCodeWrong)
		if got := mfa.ErrorOf(err).Remaining; got != left {
			t.Fatalf("wrong code %d: %d tries left, want %d (the code's attempt count was not kept)", i+1, got, left)
		}
		if got := e.stored(t, u.ID).FailedMFA; got != i+1 {
			t.Fatalf("wrong code %d: the user's failure count is %d in the database, want %d", i+1, got, i+1)
		}
	}
	if n := len(e.events(t, mfa.EvMFAVerify)); n < 2 {
		t.Fatalf("%d verification events in the system log, want the two failures", n)
	}
}

func TestLockoutRefusalIsStored(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"mfa_lockout_failures": "3"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "lock@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(31 * time.Second)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(t, alicePhone)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RCodeWrong)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RCodeWrong)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RUserLocked)
	if got := e.stored(t, u.ID); !got.Locked(e.clock.Now()) {
		t.Fatal("the lockout refusal did not store the lock")
	}
	if len(e.events(t, mfa.EvAccountLock)) != 1 {
		t.Fatal("the lockout is not in the system log")
	}
	// The lock holds for the right code and for new codes.
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RUserLocked)
	_, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RUserLocked)
}

func TestRateLimitRefusalsKeepTheBuckets(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"activation_limit": "2"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "bucket@example.com")
	f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone})
	if err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(t, alicePhone)
	// Each wrong code is refused, and each refusal keeps its count in the
	// activation bucket: the third try is over the limit even with the
	// right code.
	for range 2 {
		_, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, wrong(code))
		wantReason(t, err, mfa.RCodeWrong)
	}
	_, err = e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, code)
	wantReason(t, err, mfa.RActivationLimit)
	if len(e.events(t, mfa.EvRateLimit)) != 1 {
		t.Fatal("the limit refusal is not in the system log")
	}

	// The sending buckets: the per-user hourly limit counts the codes sent
	// before it, and its refusal lands in the system log.
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_user_hour": "2", "resend_cooldown": "0s"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	// The enrollment code above was the first of the hour.
	if _, err := e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RUserLimit)
	if len(e.events(t, mfa.EvRateLimit)) != 2 {
		t.Fatal("the sending limit refusal is not in the system log")
	}
}

func TestRolledBackRefusalLeavesNoTrace(t *testing.T) {
	e := newEnv(t)
	e.user(t, "taken@example.com")
	_, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "TAKEN@example.com", Password: "Correct-Horse-9"})
	wantReason(t, err, mfa.RLoginTaken)
	if n := len(e.events(t, mfa.EvUserCreate)); n != 1 {
		t.Fatalf("%d user-created events, want 1", n)
	}
	// The database took the refusal's rollback cleanly: the next unit of
	// work works.
	if _, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "free@example.com"}); err != nil {
		t.Fatal(err)
	}
}
