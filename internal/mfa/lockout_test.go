package mfa_test

import (
	"fmt"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// Issue 9, item 10: somebody who holds a user's password guesses codes for
// a simulated month, as fast as the rules let them. With the defaults
// (10 failures, 15 minutes, 3 lockouts within 24 hours) they get 30
// guesses in all: 10, a 15-minute lock, 10, a 30-minute lock, 10, and a
// lock that only an administrator ends. The user is told at their next
// sign-in.
func TestGuessingForAMonthGetsThirtyGuesses(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "guessed@example.com")
	e.activeFactor(t, u, alicePhone)
	attacker := mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.9"})
	firstGuess := time.Time{}
	guessesPerDay := map[int]int{}
	startDay := e.clock.Now()
	end := startDay.Add(30 * 24 * time.Hour)
	for e.clock.Now().Before(end) {
		day := int(e.clock.Now().Sub(startDay) / (24 * time.Hour))
		v, err := e.svc.Signin.PrimaryAuth(attacker, u.Login, "Correct-Horse-9", "")
		if reason(err) == mfa.RAuthFailed { // a locked user's password is refused too
			e.clock.Advance(time.Hour)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		tok, fid := v.Txn.StateToken, v.Factors[0].ID
		if _, _, err := e.svc.Signin.TxnChallenge(attacker, tok, fid); err != nil {
			if reason(err) != mfa.RUserLocked {
				t.Fatalf("day %d: unexpected refusal: %v", day, err)
			}
			e.clock.Advance(time.Hour) // locked: come back later
			continue
		}
		code := e.lastCode(t, alicePhone)
		for range 5 { // a code takes 5 tries
			_, err := e.svc.Signin.TxnVerify(attacker, tok, fid, wrong(code))
			if r := reason(err); r != mfa.RCodeWrong && r != mfa.RUserLocked {
				t.Fatalf("day %d: guess answered %v", day, err)
			}
			if firstGuess.IsZero() {
				firstGuess = e.clock.Now()
			}
			guessesPerDay[day]++
			if reason(err) == mfa.RUserLocked {
				break
			}
		}
		e.clock.Advance(31 * time.Second)
	}
	total := 0
	for _, n := range guessesPerDay {
		total += n
	}
	if total != 30 || guessesPerDay[0] != 30 {
		t.Fatalf("%d guesses in a month (per day %v), want 30, all on the first day", total, guessesPerDay)
	}
	got := e.stored(t, u.ID)
	if !got.LockedUntilUnlocked() {
		t.Fatalf("after three lockouts the user is locked until %v, want until an administrator unlocks", got.LockedUntil)
	}
	locks := e.events(t, mfa.EvAccountLock)
	if len(locks) != 3 || locks[0].Message != "User locked out until an administrator unlocks them" || locks[0].Severity != mfa.SeverityWarn {
		t.Fatalf("lock events: %d, newest %+v", len(locks), locks[0])
	}
	// The lockouts lasted 15 and 30 minutes: the second lock came 15
	// minutes (plus the attacker's wait) after the first.
	if gap := locks[1].Published.Sub(locks[2].Published); gap < 15*time.Minute || gap > 90*time.Minute {
		t.Fatalf("first lockout lasted about %v", gap)
	}
	if gap := locks[0].Published.Sub(locks[1].Published); gap < 30*time.Minute || gap > 2*time.Hour {
		t.Fatalf("second lockout lasted about %v", gap)
	}

	// The administrator unlocks; the user signs in and is told, once.
	if err := e.svc.Users.Unlock(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	v := signInWithCode(t, e, u)
	if v.Txn.MissedCodes != 30 || !v.Txn.MissedSince.Equal(firstGuess) {
		t.Fatalf("told of %d failed attempts since %v, want 30 since %v", v.Txn.MissedCodes, v.Txn.MissedSince, firstGuess)
	}
	e.clock.Advance(time.Minute)
	if v := signInWithCode(t, e, u); v.Txn.MissedCodes != 0 {
		t.Fatalf("told again: %d", v.Txn.MissedCodes)
	}
}

// signInWithCode signs u in with the right code, from the user's address.
func signInWithCode(t *testing.T, e *env, u *mfa.User) *mfa.TxnView {
	t.Helper()
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	tok, fid := v.Txn.StateToken, v.Factors[0].ID
	if _, _, err := e.svc.Signin.TxnChallenge(e.ctx, tok, fid); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Signin.TxnVerify(e.ctx, tok, fid, e.lastCode(t, alicePhone))
	if err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("sign-in: %v", err)
	}
	return v
}

// Lockouts more than 24 hours apart start a new streak: a user who fumbles
// their code now and then is never locked for good.
func TestLockoutStreakEndsAfterADay(t *testing.T) {
	e := newEnv(t)
	e.relaxLimits(t)
	u := e.user(t, "fumbles@example.com")
	f := e.activeFactor(t, u, alicePhone)
	lockOnce := func() {
		t.Helper()
		for i := 0; ; i++ {
			e.clock.Advance(31 * time.Second)
			if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
				t.Fatalf("code %d: %v", i, err)
			}
			code := e.lastCode(t, alicePhone)
			for range 5 {
				if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)); reason(err) == mfa.RUserLocked {
					return
				}
			}
		}
	}
	for day := range 5 {
		lockOnce()
		got := e.stored(t, u.ID)
		if got.LockedUntilUnlocked() || got.MFALockouts != 1 {
			t.Fatalf("day %d: lockout %d of the streak, until %v; want a first 15-minute lockout", day, got.MFALockouts, got.LockedUntil)
		}
		e.clock.Advance(25 * time.Hour)
	}
}

func TestLockoutsToAdminIsASetting(t *testing.T) {
	for _, c := range []struct {
		setting string
		locks   int // lockouts before the one only an admin ends; -1 never
	}{{"1", 0}, {"2", 1}, {"0", -1}} {
		t.Run(fmt.Sprintf("after%s", c.setting), func(t *testing.T) {
			e := newEnv(t)
			e.relaxLimits(t)
			if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"mfa_lockouts_to_admin": c.setting, "mfa_lockout_failures": "3"}); err != nil {
				t.Fatal(err)
			}
			u := e.user(t, "s@example.com")
			f := e.activeFactor(t, u, alicePhone)
			for i := range 4 {
				e.clock.Advance(31 * time.Second)
				if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
					if c.locks >= 0 && i > c.locks {
						wantReason(t, err, mfa.RUserLocked)
						return
					}
					t.Fatalf("lockout %d: %v", i, err)
				}
				code := e.lastCode(t, alicePhone)
				wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RCodeWrong)
				wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RCodeWrong)
				wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RUserLocked)
				if got := e.stored(t, u.ID); got.LockedUntilUnlocked() != (i == c.locks) {
					t.Fatalf("lockout %d: until an admin unlocks = %v", i+1, got.LockedUntilUnlocked())
				}
				e.clock.Advance(time.Duration(15<<i) * time.Minute)
			}
			if c.locks >= 0 {
				t.Fatal("never locked until an admin unlocks")
			}
		})
	}
}
