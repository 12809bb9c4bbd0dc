package mfa_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

func TestSignInEnrollThenChallenge(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "tx@example.com")
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "TX@example.com ", "Correct-Horse-9", "relay")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFAEnroll || v.Txn.StateToken == "" || v.Txn.RelayState != "relay" || v.User.ID != u.ID {
		t.Fatalf("primary auth: %+v", v.Txn)
	}
	tok := v.Txn.StateToken
	v, sent, err := e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: alicePhone})
	if err != nil || v.Txn.Status != mfa.TxnMFAEnrollActivate || v.Factor == nil || sent.To != alicePhone {
		t.Fatalf("enroll: %+v %v", v, err)
	}
	if _, err := e.svc.Signin.TxnActivate(e.ctx, tok, v.Factor.ID, wrong(e.lastCode(t, alicePhone))); reason(err) != mfa.RCodeWrong {
		t.Fatalf("wrong code: %v", err)
	}
	v, err = e.svc.Signin.TxnActivate(e.ctx, tok, v.Factor.ID, e.lastCode(t, alicePhone))
	if err != nil || v.Txn.Status != mfa.TxnSuccess || v.Txn.SessionToken == "" {
		t.Fatalf("activate: %+v %v", v, err)
	}
	// The state token is finished; the session token works once.
	_, err = e.svc.Signin.Txn(e.ctx, tok)
	wantReason(t, err, mfa.RInvalidToken)
	su, amr, err := e.svc.Signin.TakeSessionToken(e.ctx, v.Txn.SessionToken)
	if err != nil || su.ID != u.ID {
		t.Fatalf("session token: %v", err)
	}
	// The sign-in verified an SMS code: its amr says so (as Okta's does).
	if want := (mfa.AMR{"pwd", "sms", "mfa"}); !slices.Equal(amr, want) {
		t.Errorf("session token amr = %v, want %v", amr, want)
	}
	_, _, err = e.svc.Signin.TakeSessionToken(e.ctx, v.Txn.SessionToken)
	wantReason(t, err, mfa.RInvalidToken)

	// Second sign-in: MFA_REQUIRED → challenge → verify.
	e.clock.Advance(time.Minute)
	v, err = e.svc.Signin.PrimaryAuth(e.ctx, "tx@example.com", "Correct-Horse-9", "")
	if err != nil || v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 1 {
		t.Fatalf("second sign-in: %+v %v", v, err)
	}
	tok = v.Txn.StateToken
	fid := v.Factors[0].ID
	_, err = e.svc.Signin.TxnVerify(e.ctx, tok, fid, "123456")
	wantReason(t, err, mfa.RCodeExpired) // no code sent yet
	v, _, err = e.svc.Signin.TxnChallenge(e.ctx, tok, fid)
	if err != nil || v.Txn.Status != mfa.TxnMFAChallenge || v.Pending == nil {
		t.Fatalf("challenge: %+v %v", v, err)
	}
	_, _, err = e.svc.Signin.TxnResendChallenge(e.ctx, tok, fid)
	wantReason(t, err, mfa.RResendTooSoon)
	e.clock.Advance(30 * time.Second)
	if _, _, err := e.svc.Signin.TxnResendChallenge(e.ctx, tok, fid); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Signin.TxnVerify(e.ctx, tok, fid, e.lastCode(t, alicePhone))
	if err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func TestTransactionStateRules(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "st@example.com")
	e.activeFactor(t, u, alicePhone)
	v, _ := e.svc.Signin.PrimaryAuth(e.ctx, "st@example.com", "Correct-Horse-9", "")
	tok := v.Txn.StateToken
	_, _, err := e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: alicePhone})
	wantReason(t, err, mfa.RWrongState)
	_, err = e.svc.Signin.Txn(e.ctx, "nonsense")
	wantReason(t, err, mfa.RInvalidToken)

	// previous: MFA_CHALLENGE → MFA_REQUIRED
	e.clock.Advance(time.Minute)
	v, _, err = e.svc.Signin.TxnChallenge(e.ctx, tok, v.Factors[0].ID)
	if err != nil || v.Txn.Status != mfa.TxnMFAChallenge {
		t.Fatalf("challenge: %v", err)
	}
	v, err = e.svc.Signin.TxnPrevious(e.ctx, tok)
	if err != nil || v.Txn.Status != mfa.TxnMFARequired {
		t.Fatalf("previous: %+v %v", v, err)
	}
	// Sliding expiry: each step extends it; idle past it, the token dies.
	e.clock.Advance(4 * time.Minute)
	if _, err := e.svc.Signin.Txn(e.ctx, tok); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(4 * time.Minute)
	if _, err := e.svc.Signin.Txn(e.ctx, tok); err != nil {
		t.Fatalf("expired although used 4 minutes ago: %v", err)
	}
	e.clock.Advance(5 * time.Minute)
	_, err = e.svc.Signin.Txn(e.ctx, tok)
	wantReason(t, err, mfa.RInvalidToken)

	// cancel revokes the token
	v, _ = e.svc.Signin.PrimaryAuth(e.ctx, "st@example.com", "Correct-Horse-9", "")
	if _, err := e.svc.Signin.TxnCancel(e.ctx, v.Txn.StateToken); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Signin.Txn(e.ctx, v.Txn.StateToken)
	wantReason(t, err, mfa.RInvalidToken)
}

func TestPreviousThenEnrollAnotherNumber(t *testing.T) {
	e := newEnv(t)
	e.user(t, "pv@example.com")
	v, _ := e.svc.Signin.PrimaryAuth(e.ctx, "pv@example.com", "Correct-Horse-9", "")
	tok := v.Txn.StateToken
	if _, _, err := e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: "+14155550100"}); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Signin.TxnPrevious(e.ctx, tok)
	if err != nil || v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("previous: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	v, _, err = e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: alicePhone, UpdatePhone: true})
	if err != nil || v.Factor.PhoneNumber != alicePhone {
		t.Fatalf("enroll again: %+v %v", v, err)
	}
	if _, err := e.svc.Signin.TxnActivate(e.ctx, tok, v.Factor.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
}

func TestSMSOffMeansPasswordOnly(t *testing.T) {
	e := newEnv(t)
	e.user(t, "off@example.com")
	e.svc.Org.SetSMSEnabled(e.ctx, false)
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "off@example.com", "Correct-Horse-9", "")
	if err != nil || v.Txn.Status != mfa.TxnSuccess || v.Txn.SessionToken == "" {
		t.Fatalf("%+v %v", v, err)
	}
}

func TestPasswordFailuresAndLockout(t *testing.T) {
	e := newEnv(t)
	e.user(t, "pw@example.com")
	for range 10 {
		_, err := e.svc.Signin.PrimaryAuth(e.ctx, "pw@example.com", "wrong-password", "")
		wantReason(t, err, mfa.RAuthFailed)
	}
	// Locked: the right password gets the same answer as a wrong one.
	_, errLocked := e.svc.Signin.PrimaryAuth(e.ctx, "pw@example.com", "Correct-Horse-9", "")
	_, errUnknown := e.svc.Signin.PrimaryAuth(e.ctx, "nobody@example.com", "Correct-Horse-9", "")
	wantReason(t, errLocked, mfa.RAuthFailed)
	if errLocked.Error() != errUnknown.Error() {
		t.Fatalf("locked and unknown users are told apart: %q vs %q", errLocked, errUnknown)
	}
	if len(e.events(t, mfa.EvAccountLock)) != 1 {
		t.Fatal("lockout not logged")
	}
	e.clock.Advance(15 * time.Minute)
	if _, err := e.svc.Signin.PrimaryAuth(e.ctx, "pw@example.com", "Correct-Horse-9", ""); err != nil {
		t.Fatalf("after 15 minutes: %v", err)
	}
	fails := e.events(t, mfa.EvSignIn)
	unknown := 0
	for _, ev := range fails {
		if ev.Reason == "unknown user" && ev.Actor.AlternateID == "nobody@example.com" && ev.ClientIP == "192.0.2.10" {
			unknown++
		}
	}
	if unknown != 1 {
		t.Fatal("failed sign-in of an unknown user not logged with its login and address")
	}
}

func TestStagedUserCannotSignIn(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "staged@example.com", Password: "Correct-Horse-9"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Signin.PrimaryAuth(e.ctx, "staged@example.com", "Correct-Horse-9", "")
	wantReason(t, err, mfa.RAuthFailed)
}

// Issue 9, item 9: somebody who holds only the password asks for codes in
// a loop for an hour, from a new address each time (so no per-address
// limit stops them). Every code they ask for belongs to their own sign-in:
// it kills none of the user's codes and counts in none of the user's
// buckets, so the user signs in throughout.
func TestPasswordHolderAskingForCodesCannotStopTheUser(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "loop@example.com")
	e.activeFactor(t, u, alicePhone)
	signIn := func(ctx context.Context) (string, string) {
		t.Helper()
		v, err := e.svc.Signin.PrimaryAuth(ctx, u.Login, "Correct-Horse-9", "")
		if err != nil {
			t.Fatal(err)
		}
		return v.Txn.StateToken, v.Factors[0].ID
	}
	attack := func(n int) {
		ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("203.0.113.%d", n%250), UserAgent: "curl"})
		tok, fid := signIn(ctx)
		if _, _, err := e.svc.Signin.TxnChallenge(ctx, tok, fid); err != nil {
			t.Fatalf("attacker's code %d refused: %v", n, err)
		}
	}
	userSignIns := 0
	for tick := range 120 { // every 30 s for an hour
		attack(tick)
		if tick%15 == 5 { // the user signs in every 7.5 minutes
			tok, fid := signIn(e.ctx)
			if _, _, err := e.svc.Signin.TxnChallenge(e.ctx, tok, fid); err != nil {
				t.Fatalf("minute %d: the user could not get a code: %v", tick/2, err)
			}
			code := e.lastCode(t, alicePhone)
			e.clock.Advance(10 * time.Second)
			attack(1000 + tick) // while the user types the code
			v, err := e.svc.Signin.TxnVerify(e.ctx, tok, fid, code)
			if err != nil || v.Txn.Status != mfa.TxnSuccess {
				t.Fatalf("minute %d: the user's code was refused: %v", tick/2, err)
			}
			userSignIns++
			e.clock.Advance(20 * time.Second)
			continue
		}
		e.clock.Advance(30 * time.Second)
	}
	if userSignIns != 8 {
		t.Fatalf("%d user sign-ins, want 8", userSignIns)
	}
}
