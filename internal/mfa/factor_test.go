package mfa_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

const alicePhone = "+14155550123"

func TestEnrollActivateVerify(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "alice@example.com")
	f, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "(415) 555-0123"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != mfa.FactorPending || f.PhoneNumber != alicePhone {
		t.Fatalf("factor = %+v", f)
	}
	if sent.Delivery.State != mfa.MessageSent || sent.To != alicePhone || !sent.Expires.Equal(start.Add(300*time.Second)) {
		t.Fatalf("sent = %+v", sent)
	}
	body := e.sink.Messages()[0].Body
	for _, want := range []string{"smsmfa", "expires in 5 minutes", "@login.example.com #"} {
		if !strings.Contains(body, want) {
			t.Errorf("SMS %q lacks %q", body, want)
		}
	}
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, wrong(e.lastCode(t, alicePhone))); reason(err) != mfa.RCodeWrong {
		t.Fatalf("wrong code: %v", err)
	}
	f, err = e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone))
	if err != nil || f.Status != mfa.FactorActive {
		t.Fatalf("activate: %+v %v", f, err)
	}
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Phone == nil || st.Phone.Number != alicePhone {
		t.Fatalf("verified phone = %+v", st.Phone)
	}

	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
	if len(e.events(t, mfa.EvFactorActivate)) != 1 || len(e.events(t, mfa.EvSMSVerifyCode)) != 1 {
		t.Fatal("activation and code sending are not in the system log")
	}
}

// codeEnv is a fresh environment with one user whose SMS factor is active.
func codeEnv(t *testing.T) (*env, *mfa.User, *mfa.Factor) {
	t.Helper()
	e := newEnv(t)
	e.relaxLimits(t)
	u := e.user(t, "bob@example.com")
	return e, u, e.activeFactor(t, u, alicePhone)
}

// Each subtest has its own database and clock.
func TestCodeLifecycle(t *testing.T) {
	t.Run("ExpiresAfterLifetime", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		code := e.lastCode(t, alicePhone)
		e.clock.Advance(300 * time.Second)
		wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RCodeExpired)
	})
	t.Run("UsableJustBeforeExpiry", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		e.clock.Advance(299 * time.Second)
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SingleUse", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		code := e.lastCode(t, alicePhone)
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code); err != nil {
			t.Fatal(err)
		}
		wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RCodeUsed)
	})
	t.Run("FiveWrongTriesKillTheCode", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		code := e.lastCode(t, alicePhone)
		for i := range 5 {
			err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code))
			wantReason(t, err, mfa.RCodeWrong)
			if got := mfa.ErrorOf(err).Remaining; got != 4-i {
				t.Fatalf("try %d: %d tries left reported, want %d", i+1, got, 4-i)
			}
		}
		wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RCodeExpired)
	})
	t.Run("ResendCooldown", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(29 * time.Second)
		_, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		wantReason(t, err, mfa.RResendTooSoon)
		if !strings.Contains(err.Error(), "1 second") || !mfa.ErrorOf(err).RetryAt.Equal(e.clock.Now().Add(time.Second)) {
			t.Fatalf("cooldown message/retry time: %v %v", err, mfa.ErrorOf(err).RetryAt)
		}
		e.clock.Advance(time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
			t.Fatalf("after the cooldown: %v", err)
		}
	})
	t.Run("ResendKillsTheOlderCode", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		old := e.lastCode(t, alicePhone)
		e.clock.Advance(30 * time.Second)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		newer := e.lastCode(t, alicePhone)
		if old != newer {
			wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, old), mfa.RCodeWrong)
		}
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, newer); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CodeWithSpacesIsAccepted", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		c := e.lastCode(t, alicePhone)
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, " "+c[:3]+" "+c[3:]+" "); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("EmptyCodeIsNotCounted", func(t *testing.T) {
		e, u, f := codeEnv(t)
		e.clock.Advance(time.Minute)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, ""), mfa.RCodeMissing)
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLockoutAfterTenFailuresInARow(t *testing.T) {
	e := newEnv(t)
	e.relaxLimits(t)
	u := e.user(t, "carol@example.com")
	f := e.activeFactor(t, u, alicePhone)
	fail := func(n int) {
		for range n {
			e.clock.Advance(31 * time.Second)
			if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
				t.Fatal(err)
			}
			e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(e.lastCode(t, alicePhone)))
		}
	}
	fail(9)
	// A success resets the count: failures must be in a row.
	e.clock.Advance(31 * time.Second)
	e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
	fail(9)
	e.clock.Advance(31 * time.Second)
	e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	code := e.lastCode(t, alicePhone)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RUserLocked)
	// Locked: even the right code and new codes are refused for 15 minutes.
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RUserLocked)
	e.clock.Advance(14 * time.Minute)
	_, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RUserLocked)
	if len(e.events(t, mfa.EvAccountLock)) != 1 {
		t.Fatal("lockout not in the system log")
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatalf("after 15 minutes: %v", err)
	}
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
}

func TestAdminUnlock(t *testing.T) {
	e := newEnv(t)
	e.relaxLimits(t)
	u := e.user(t, "dan@example.com")
	f := e.activeFactor(t, u, alicePhone)
	for range 10 {
		e.clock.Advance(31 * time.Second)
		e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
		e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(e.lastCode(t, alicePhone)))
	}
	e.clock.Advance(31 * time.Second)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); reason(err) != mfa.RUserLocked {
		t.Fatalf("not locked: %v", err)
	}
	if err := e.svc.Users.Unlock(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}

func TestConcurrentVerifySucceedsOnce(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "race@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(time.Minute)
	e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	code := e.lastCode(t, alicePhone)
	var wg sync.WaitGroup
	results := make(chan error, 20)
	for range 20 {
		wg.Go(func() { results <- e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code) })
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
		} else if reason(err) != mfa.RCodeUsed {
			t.Errorf("unexpected refusal: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 20 concurrent verifications succeeded, want exactly 1", ok)
	}
}

func TestRemoveAndSetUpAgainReusesVerifiedNumber(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "erin@example.com")
	f := e.activeFactor(t, u, alicePhone)
	if err := e.svc.Factors.DeleteFactor(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Factor != nil || st.Phone == nil || st.Phone.Number != alicePhone {
		t.Fatalf("after remove: %+v", st)
	}
	e.clock.Advance(time.Minute)
	f2, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if f2.PhoneNumber != alicePhone || sent.To != alicePhone || f2.ID == f.ID {
		t.Fatalf("re-enroll: %+v %+v", f2, sent)
	}
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f2.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
}

func TestExistingVerifiedNumberRules(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "fay@example.com")
	f := e.activeFactor(t, u, alicePhone)
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550199"})
	wantReason(t, err, mfa.RFactorExists)
	e.svc.Factors.DeleteFactor(e.ctx, u.ID, f.ID)
	e.clock.Advance(time.Minute)
	_, _, err = e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550199"})
	wantReason(t, err, mfa.RPhoneExists)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone}); err != nil {
		t.Fatalf("the same number needs no updatePhone: %v", err)
	}
	e.clock.Advance(time.Minute)
	f2, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550199", UpdatePhone: true})
	if err != nil {
		t.Fatal(err)
	}
	// Until the new number is verified, the old one stays on file.
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Phone.Number != alicePhone {
		t.Fatalf("verified number replaced before verification: %s", st.Phone.Number)
	}
	e.svc.Factors.ActivateSMS(e.ctx, u.ID, f2.ID, e.lastCode(t, "+14155550199"))
	st, _ = e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Phone.Number != "+14155550199" {
		t.Fatalf("verified number = %s", st.Phone.Number)
	}
}

func TestChangePhoneKeepsOldNumberUntilVerified(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "gus@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChangePhone(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+442079460958"}); reason(err) != mfa.RPhoneType {
		t.Fatalf("landline accepted: %v", err)
	}
	if _, err := e.svc.Factors.ChangePhone(e.ctx, u.ID, mfa.EnrollRequest{Phone: "07911 123456", Region: "GB"}); err != nil {
		t.Fatal(err)
	}
	// Sign-in codes still go to the old number meanwhile.
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Factor.PhoneNumber != alicePhone || st.Pending == nil || st.Pending.PhoneNumber != "+447911123456" {
		t.Fatalf("during change: %+v pending %+v", st.Factor, st.Pending)
	}
	newCode := e.lastCode(t, "+447911123456")
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, newCode); err != nil {
		t.Fatal(err)
	}
	st, _ = e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Factor.PhoneNumber != "+447911123456" || st.Phone.Number != "+447911123456" || st.Factor.Status != mfa.FactorActive {
		t.Fatalf("after change: %+v %+v", st.Factor, st.Phone)
	}
	if len(e.events(t, mfa.EvFactorUpdate)) != 1 {
		t.Fatal("number change not in the system log")
	}
}

func TestPhonePolicy(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "hal@example.com")
	for _, c := range []struct {
		phone  string
		reason mfa.Reason
		says   string
	}{
		{"not a number", mfa.RPhoneInvalid, "valid mobile phone number"},
		{"+1 900 555 0199", mfa.RPhoneType, "premium-rate"},
		{"+1 800 555 0199", mfa.RPhoneType, "toll-free"},
		{"+44 20 7946 0958", mfa.RPhoneType, "landline"},
		{"+44 56 3000 1234", mfa.RPhoneType, "VoIP"},
		{"+1 555 415 1337", mfa.RPhoneUnverifiable, "invalid"},
	} {
		_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: c.phone})
		wantReason(t, err, c.reason)
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: message %q lacks %q", c.phone, err, c.says)
		}
	}
	if n := len(e.events(t, mfa.EvPhoneRefused)); n != 6 {
		t.Fatalf("%d refusals logged, want 6", n)
	}
	// validatePhone:false sends to a possible but unknown number.
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+1 555 415 1337", SkipValidation: true}); err != nil {
		t.Fatal(err)
	}
	// VoIP once the admin allows it; countries by calling code.
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"phone_types": "mobile,fixed_line_or_mobile,voip", "countries_allow": "1,44"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+44 56 3000 1234"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+33 6 12 34 56 78"})
	wantReason(t, err, mfa.RPhoneCountry)
	if !strings.Contains(err.Error(), "France") || !strings.Contains(err.Error(), "+1, +44") {
		t.Fatalf("country message: %v", err)
	}
}

func TestFactorOffForOrg(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ivy@example.com")
	e.svc.Org.SetSMSEnabled(e.ctx, false)
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone})
	wantReason(t, err, mfa.RFactorDisabled)
}

func TestActivateWithoutCode(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "jay@example.com")
	f, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone, Activate: true})
	if err != nil || f.Status != mfa.FactorActive || sent != nil || e.sentTo(alicePhone) != 0 {
		t.Fatalf("activate=true: %+v %+v %v, %d SMS", f, sent, err, e.sentTo(alicePhone))
	}
}

func TestActivationLimit(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "kim@example.com")
	f, _, _ := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone})
	code := e.lastCode(t, alicePhone)
	for range 4 {
		e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, wrong(code))
	}
	// The fifth try is still allowed but the code has had 4 wrong tries.
	e.clock.Advance(31 * time.Second)
	e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID)
	code = e.lastCode(t, alicePhone)
	e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, wrong(code))
	_, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, code)
	wantReason(t, err, mfa.RActivationLimit)
	e.clock.Advance(5 * time.Minute)
	e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID)
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatal(err)
	}
}

func TestRefusedEnrollmentLeavesTheFactorAlone(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "keep@example.com")
	f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550188", UpdatePhone: true})
	wantReason(t, err, mfa.RResendTooSoon)
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Factor.ID != f.ID || st.Factor.PhoneNumber != alicePhone {
		t.Fatalf("a refused enrollment changed the factor to %s", st.Factor.PhoneNumber)
	}
	if n := len(e.events(t, mfa.EvFactorEnroll)); n != 1 {
		t.Fatalf("%d enrollment events, want 1 (the refused one is a rate-limit event)", n)
	}
}

func TestOldEnrollmentCodeCannotRepointAFactorSetUpMeanwhile(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "meanwhile@example.com")
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "meanwhile@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	tok := v.Txn.StateToken
	v, _, err = e.svc.Signin.TxnEnroll(e.ctx, tok, mfa.EnrollRequest{Phone: "+14155550177"})
	if err != nil {
		t.Fatal(err)
	}
	oldCode := e.lastCode(t, "+14155550177")
	// An admin sets the factor up on the right number meanwhile.
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone, UpdatePhone: true, Activate: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Signin.TxnActivate(e.ctx, tok, v.Factor.ID, oldCode); err == nil {
		t.Fatal("an old enrollment code completed the sign-in on a factor set up meanwhile")
	}
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, v.Factor.ID, oldCode); err == nil {
		t.Fatal("an old enrollment code re-pointed the active factor")
	}
	st, _ := e.svc.Factors.FactorState(e.ctx, u.ID)
	if st.Factor.PhoneNumber != alicePhone || st.Factor.Status != mfa.FactorActive {
		t.Fatalf("factor %+v", st.Factor)
	}
}
