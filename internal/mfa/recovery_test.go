package mfa_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"smsmfa/internal/mfa"
)

func (e *env) signInToMFA(t *testing.T, login string) *mfa.TxnView {
	t.Helper()
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFARequired {
		t.Fatalf("status %s", v.Txn.Status)
	}
	return v
}

func TestRecoveryCodesSignInOnceEach(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ann@example.com")
	e.activeFactor(t, u, "+14155550100")
	codes, err := e.svc.Factors.RegenerateRecoveryCodes(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 12 || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	v := e.signInToMFA(t, "ann@example.com")
	if v.RecoveryLeft != 10 {
		t.Fatalf("RecoveryLeft %d", v.RecoveryLeft)
	}
	// Typed with a dash, in capitals: accepted.
	v, err = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, strings.ToUpper(mfa.FormatRecoveryCode(codes[0])))
	if err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("%v %v", v, err)
	}
	_, amr, err := e.svc.Signin.TakeSessionToken(e.ctx, v.Txn.SessionToken)
	if err != nil || fmt.Sprint(amr) != fmt.Sprint(mfa.RecoveryAMR) {
		t.Fatalf("amr %v %v", amr, err)
	}
	// Used: refused the second time, and counted as a wrong code.
	v = e.signInToMFA(t, "ann@example.com")
	_, err = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, codes[0])
	wantReason(t, err, mfa.RCodeWrong)
	if left, _ := e.svc.Factors.RecoveryCodesLeft(e.ctx, u.ID); left != 9 {
		t.Fatalf("%d left", left)
	}
	used := false
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Message == "Recovery code used" && ev.Details["codes_left"] == "9" {
			used = true
		}
		if strings.Contains(fmt.Sprint(ev), codes[0]) {
			t.Fatal("a recovery code is in the system log")
		}
	}
	if !used {
		t.Fatal("the use of a recovery code is not logged")
	}
	// Regenerating kills the old set.
	fresh, err := e.svc.Factors.RegenerateRecoveryCodes(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	v = e.signInToMFA(t, "ann@example.com")
	_, err = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, codes[1])
	wantReason(t, err, mfa.RCodeWrong)
	if v, err = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, fresh[1]); err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("%v %v", v, err)
	}
}

func TestRecoveryCodeGuessingLocks(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ann@example.com")
	e.activeFactor(t, u, "+14155550100")
	codes, err := e.svc.Factors.RegenerateRecoveryCodes(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := e.svc.Org.Settings(e.ctx)
	v := e.signInToMFA(t, "ann@example.com")
	var last error
	for i := range set.MFALockFailures {
		last = func() error {
			_, err := e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, fmt.Sprintf("guess%07d", i))
			return err
		}()
	}
	wantReason(t, last, mfa.RUserLocked)
	_, err = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, codes[0])
	wantReason(t, err, mfa.RUserLocked)
	if len(e.events(t, mfa.EvAccountLock)) != 1 {
		t.Fatal("no lockout event")
	}
}

func TestRecoveryCodeConcurrentUseOnce(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ann@example.com")
	e.activeFactor(t, u, "+14155550100")
	codes, err := e.svc.Factors.RegenerateRecoveryCodes(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var vs []*mfa.TxnView
	for range 4 {
		vs = append(vs, e.signInToMFA(t, "ann@example.com"))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(vs))
	for i, v := range vs {
		wg.Go(func() { _, errs[i] = e.svc.Signin.TxnVerifyRecovery(e.ctx, v.Txn.StateToken, codes[3]) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d sign-ins with one recovery code, want 1 (%v)", ok, errs)
	}
}

func TestResetFactorsKillsRecoveryCodes(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	e.activeTOTP(t, u)
	if _, err := e.svc.Factors.RegenerateRecoveryCodes(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Factors.ResetFactors(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	fs, _ := e.svc.Factors.UserFactors(e.ctx, u.ID)
	left, _ := e.svc.Factors.RecoveryCodesLeft(e.ctx, u.ID)
	if len(fs) != 0 || left != 0 {
		t.Fatalf("%d factors and %d recovery codes after a reset", len(fs), left)
	}
}
