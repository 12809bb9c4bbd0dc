package mfa_test

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// RFC 6238 appendix B, SHA1 rows: the seed is the ASCII string
// "12345678901234567890", codes have 8 digits, T0 = 0, X = 30 s.
func TestTOTPCodeRFC6238Vectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := mfa.TOTPStep(time.Unix(v.unix, 0))
		if got := mfa.TOTPCode(seed, step, 8); got != v.code {
			t.Errorf("T=%d: code %s, want %s", v.unix, got, v.code)
		}
	}
	// 6 digits are the low 6 digits of the same value (RFC 4226 §5.4).
	if got := mfa.TOTPCode(seed, mfa.TOTPStep(time.Unix(59, 0)), 6); got != "287082" {
		t.Errorf("6-digit code at T=59: %s, want 287082", got)
	}
}

// totpEnv is an env with the authenticator app factor on.
func totpEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "totp", true); err != nil {
		t.Fatal(err)
	}
	return e
}

// secretOf decodes the base32 secret of a setup.
func secretOf(t *testing.T, st *mfa.TOTPSetup) []byte {
	t.Helper()
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(st.GroupedSecret(), " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) totpAt(sec []byte, d time.Duration) string {
	return mfa.TOTPCode(sec, mfa.TOTPStep(e.clock.Now().Add(d)), mfa.TOTPDigits)
}

// activeTOTP enrolls and activates an authenticator app factor for u and
// returns it with its secret.
func (e *env) activeTOTP(t *testing.T, u *mfa.User) (*mfa.Factor, []byte) {
	t.Helper()
	f, st, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	sec := secretOf(t, st)
	if f, err = e.svc.Factors.ActivateTOTP(e.ctx, u.ID, f.ID, e.totpAt(sec, 0)); err != nil {
		t.Fatal(err)
	}
	if f.Status != mfa.FactorActive {
		t.Fatalf("status %s after activation", f.Status)
	}
	e.clock.Advance(mfa.TOTPPeriod) // the activation code's step is spent
	return f, sec
}

func TestTOTPEnrollShowsSecretAndURI(t *testing.T) {
	e := totpEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"org_name": "Acme"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "ann@example.com")
	f, st, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "OKTA")
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != mfa.FactorPending || f.Type != mfa.FactorTypeTOTP || f.Provider != "OKTA" {
		t.Fatalf("factor %+v", f)
	}
	if len(secretOf(t, st)) != 20 {
		t.Fatalf("secret %q is not 20 bytes", st.Secret)
	}
	if !strings.HasPrefix(st.URI, "otpauth://totp/Acme:ann@example.com?") || !strings.Contains(st.URI, "secret="+st.Secret) || !strings.Contains(st.URI, "issuer=Acme") {
		t.Fatalf("URI %q", st.URI)
	}
	png, err := st.QRCode(200)
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("QR code: %v (%d bytes)", err, len(png))
	}
	// The stored secret is sealed: not the secret itself.
	stored, err := e.svc.Factors.UserFactors(e.ctx, u.ID)
	if err != nil || len(stored) != 1 {
		t.Fatal(stored, err)
	}
	if strings.Contains(string(stored[0].Secret), string(secretOf(t, st))) || len(stored[0].Secret) == 0 {
		t.Fatal("the stored secret is not sealed")
	}
	// The secret is in no event.
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.Contains(fmt.Sprint(ev), st.Secret) {
			t.Fatalf("event %s holds the secret", ev.Type)
		}
	}
	if len(e.events(t, mfa.EvFactorEnroll)) != 1 {
		t.Fatal("no enroll event")
	}
}

func TestTOTPDisabledRefused(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ann@example.com")
	_, _, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	wantReason(t, err, mfa.RFactorDisabled)
	e = totpEnv(t)
	u = e.user(t, "ann@example.com")
	_, _, err = e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "RSA")
	wantReason(t, err, mfa.RInvalidInput)
}

func TestTOTPActivateWithWrongCodeStaysPending(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	f, st, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Factors.ActivateTOTP(e.ctx, u.ID, f.ID, wrong(e.totpAt(secretOf(t, st), 0)))
	wantReason(t, err, mfa.RCodeWrong)
	fs, _ := e.svc.Factors.UserFactors(e.ctx, u.ID)
	if fs[0].Status != mfa.FactorPending {
		t.Fatal("a wrong code activated the factor")
	}
}

func TestTOTPSkewOneStepAcceptedTwoRefused(t *testing.T) {
	for _, c := range []struct {
		d  time.Duration
		ok bool
	}{{-mfa.TOTPPeriod, true}, {0, true}, {mfa.TOTPPeriod, true}, {-2 * mfa.TOTPPeriod, false}, {2 * mfa.TOTPPeriod, false}} {
		t.Run(c.d.String(), func(t *testing.T) {
			e := totpEnv(t)
			u := e.user(t, "ann@example.com")
			f, sec := e.activeTOTP(t, u)
			e.clock.Advance(5 * mfa.TOTPPeriod) // past the activation step, so the -1 step is unused
			err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.totpAt(sec, c.d))
			if c.ok && err != nil {
				t.Fatalf("a code %s off refused: %v", c.d, err)
			}
			if !c.ok {
				wantReason(t, err, mfa.RCodeWrong)
			}
		})
	}
}

func TestTOTPReplayRefused(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	f, sec := e.activeTOTP(t, u)
	code := e.totpAt(sec, 0)
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code); err != nil {
		t.Fatal(err)
	}
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RCodeReplayed)
	// Still refused 20 s later, within the window.
	e.clock.Advance(20 * time.Second)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RCodeReplayed)
	// An earlier step's code, inside the window, is refused too: steps
	// only go forward.
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.totpAt(sec, -mfa.TOTPPeriod)), mfa.RCodeReplayed)
	// The next step's code works.
	e.clock.Advance(mfa.TOTPPeriod)
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.totpAt(sec, 0)); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Reason == string(mfa.RCodeReplayed) && ev.Details["factor_type"] == mfa.FactorTypeTOTP {
			found = true
		}
	}
	if !found {
		t.Fatal("the replay is not in the system log")
	}
}

func TestTOTPConcurrentUseOfOneCodeOnceOnly(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	f, sec := e.activeTOTP(t, u)
	code := e.totpAt(sec, 0)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if mfa.ReasonOf(err) != mfa.RCodeReplayed {
			t.Fatalf("unexpected refusal %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent uses of one code passed, want 1", ok)
	}
}

func TestTOTPGuessingLocksLikeSMS(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	f, sec := e.activeTOTP(t, u)
	set, err := e.svc.Org.Settings(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	right := e.totpAt(sec, 0)
	var last error
	for range set.MFALockFailures {
		last = e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(right))
	}
	wantReason(t, last, mfa.RUserLocked)
	// Locked: even the right code is refused.
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, right), mfa.RUserLocked)
	if len(e.events(t, mfa.EvAccountLock)) != 1 {
		t.Fatal("the lockout is not in the system log")
	}
	wrongs := 0
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Reason == string(mfa.RCodeWrong) && ev.Details["factor_type"] == mfa.FactorTypeTOTP {
			wrongs++
		}
	}
	if wrongs != set.MFALockFailures {
		t.Fatalf("%d wrong codes logged, want %d", wrongs, set.MFALockFailures)
	}
	// After the lockout the right code of a new step works.
	e.clock.Advance(set.MFALockDuration + time.Minute)
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.totpAt(sec, 0)); err != nil {
		t.Fatal(err)
	}
}

func TestTOTPWrongCodesCountPerAddress(t *testing.T) {
	e := totpEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_failed_hour": "3"}); err != nil {
		t.Fatal(err)
	}
	var fs []*mfa.Factor
	var us []*mfa.User
	var secs [][]byte
	for i := range 4 {
		u := e.user(t, fmt.Sprintf("u%d@example.com", i))
		f, sec := e.activeTOTP(t, u)
		us, fs, secs = append(us, u), append(fs, f), append(secs, sec)
	}
	for i := range 3 {
		wantReason(t, e.svc.Factors.VerifySMS(e.ctx, us[i].ID, fs[i].ID, wrong(e.totpAt(secs[i], 0))), mfa.RCodeWrong)
	}
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, us[3].ID, fs[3].ID, e.totpAt(secs[3], 0)), mfa.RGuessLimit)
}

func TestSignInWithTOTPAndChoice(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	sms := e.activeFactor(t, u, "+14155550100")
	e.clock.Advance(time.Minute)
	f, sec := e.activeTOTP(t, u)
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 2 || v.Factors[0].ID != f.ID || v.Factors[1].ID != sms.ID {
		t.Fatalf("status %s, factors %+v: want the newest (TOTP) first, then SMS", v.Txn.Status, v.Factors)
	}
	v, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, "", e.totpAt(sec, 0))
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("status %s", v.Txn.Status)
	}
	_, amr, err := e.svc.Signin.TakeSessionToken(e.ctx, v.Txn.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(amr) != fmt.Sprint(mfa.TOTPAMR) {
		t.Fatalf("amr %v", amr)
	}
	// With TOTP turned off, only SMS is offered.
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "totp", false); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Factors) != 1 || v.Factors[0].ID != sms.ID {
		t.Fatalf("factors %+v with totp off", v.Factors)
	}
	_, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, f.ID, e.totpAt(sec, mfa.TOTPPeriod))
	wantReason(t, err, mfa.RFactorDisabled)
}

// A user whose only factor is of a kind the org turned off proves the
// sign-in with it, then sets up an enabled kind: the password alone must
// not open the enrollment (whoever knows it would set up their own factor).
func TestUserStrandedByASwitchVerifiesThenEnrollsAnother(t *testing.T) {
	e := totpEnv(t)
	// One factor per user: the old factor must not count against the new
	// one (else the stranded user could never finish a sign-in).
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"factors_several": "false"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "ann@example.com")
	f, sec := e.activeTOTP(t, u)
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "totp", false); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 1 || v.Factors[0].ID != f.ID {
		t.Fatalf("status %s factors %+v: want the app factor to prove the sign-in", v.Txn.Status, v.Factors)
	}
	_, _, err = e.svc.Signin.TxnEnroll(e.ctx, v.Txn.StateToken, mfa.EnrollRequest{Phone: "+14155550123"})
	wantReason(t, err, mfa.RWrongState)
	_, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, f.ID, wrong(e.totpAt(sec, mfa.TOTPPeriod)))
	wantReason(t, err, mfa.RCodeWrong)
	v, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, f.ID, e.totpAt(sec, mfa.TOTPPeriod))
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFAEnroll || v.Txn.SessionToken != "" || len(v.Kinds) != 1 || v.Kinds[0].Type != mfa.FactorTypeSMS {
		t.Fatalf("after the app code: status %s kinds %+v, want MFA_ENROLL for SMS and no session", v.Txn.Status, v.Kinds)
	}
	if _, _, err := e.svc.Signin.TxnEnroll(e.ctx, v.Txn.StateToken, mfa.EnrollRequest{Phone: "+14155550123"}); err != nil {
		t.Fatalf("enrolling SMS after proving the sign-in: %v", err)
	}
	if v, err = e.svc.Signin.TxnActivate(e.ctx, v.Txn.StateToken, "", e.lastCode(t, "+14155550123")); err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("activating SMS: %v %v", v, err)
	}
	// With an enabled kind set up, the app factor no longer answers.
	v, err = e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil || v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 1 || v.Factors[0].Type != mfa.FactorTypeSMS {
		t.Fatalf("next sign-in: %v %+v", err, v)
	}
	_, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, f.ID, e.totpAt(sec, 3*mfa.TOTPPeriod))
	wantReason(t, err, mfa.RFactorDisabled)
	refused := 0
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Reason == string(mfa.RFactorDisabled) && ev.Outcome == mfa.OutcomeDeny && ev.Details["factor_id"] == f.ID {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d system-log events for the refused app factor, want 1", refused)
	}
	// Every factor off: MFA is off.
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "sms", false); err != nil {
		t.Fatal(err)
	}
	if v, err = e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", ""); err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("status %v, %v", v, err)
	}
	evs := e.events(t, mfa.EvOrgFactorDisable)
	if len(evs) != 2 {
		t.Fatalf("%d factor-off events, want 2", len(evs))
	}
}

func TestSignInEnrollTOTP(t *testing.T) {
	e := totpEnv(t)
	e.user(t, "ann@example.com")
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFAEnroll || len(v.Kinds) != 2 {
		t.Fatalf("status %s kinds %d", v.Txn.Status, len(v.Kinds))
	}
	v, err = e.svc.Signin.TxnEnrollTOTP(e.ctx, v.Txn.StateToken, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnMFAEnrollActivate || v.TOTP == nil {
		t.Fatalf("status %s setup %v", v.Txn.Status, v.TOTP)
	}
	sec := secretOf(t, v.TOTP)
	_, err = e.svc.Signin.TxnActivate(e.ctx, v.Txn.StateToken, "", wrong(e.totpAt(sec, 0)))
	wantReason(t, err, mfa.RCodeWrong)
	v, err = e.svc.Signin.TxnActivate(e.ctx, v.Txn.StateToken, "", e.totpAt(sec, 0))
	if err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("%v %v", v, err)
	}
}

func TestOneFactorPerUserPolicy(t *testing.T) {
	e := totpEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"factors_several": "false"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "ann@example.com")
	e.activeFactor(t, u, "+14155550100")
	_, _, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	wantReason(t, err, mfa.RFactorExists)
	v := e.user(t, "bob@example.com")
	e.activeTOTP(t, v)
	_, _, err = e.svc.Factors.EnrollSMS(e.ctx, v.ID, mfa.EnrollRequest{Phone: "+14155550101"})
	wantReason(t, err, mfa.RFactorExists)
	// Voice Call and passkeys follow the same rule.
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"call_enabled": "true", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: "+442079460958"})
	wantReason(t, err, mfa.RFactorExists)
	_, _, err = e.svc.Factors.BeginWebAuthnEnroll(e.ctx, v.ID, "web:bob", false)
	wantReason(t, err, mfa.RFactorExists)
	if n := e.sentTo("+442079460958"); n != 0 {
		t.Fatalf("%d calls placed for a refused enrollment", n)
	}
}

// "Call me instead" needs a factor with a number: on an authenticator app
// challenge it is refused and places no call (it would have called the
// empty number and spent the voice budget).
func TestCallInsteadNeedsANumber(t *testing.T) {
	e := totpEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"call_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "ann@example.com")
	f, _ := e.activeTOTP(t, u)
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err = e.svc.Signin.TxnChallenge(e.ctx, v.Txn.StateToken, f.ID); err != nil || v.Txn.Status != mfa.TxnMFAChallenge {
		t.Fatalf("challenge: %v %v", v, err)
	}
	before := len(e.sink.Messages())
	_, _, err = e.svc.Signin.TxnCallInstead(e.ctx, v.Txn.StateToken)
	wantReason(t, err, mfa.RFactorType)
	_, err = e.svc.Factors.CallInstead(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RFactorType)
	if after := len(e.sink.Messages()); after != before {
		t.Fatalf("%d messages queued for an app factor", after-before)
	}
}

func TestLastUsedFactorOfferedFirst(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	totp, sec := e.activeTOTP(t, u)
	e.clock.Advance(time.Minute)
	sms := e.activeFactor(t, u, "+14155550100")
	e.clock.Advance(time.Minute)
	first := func() string {
		t.Helper()
		v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
		if err != nil {
			t.Fatal(err)
		}
		return v.Factors[0].ID
	}
	if first() != sms.ID {
		t.Fatal("the factor set up last is not offered first")
	}
	// The user signs in with the authenticator app: next time it comes first.
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, "ann@example.com", "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, totp.ID, e.totpAt(sec, 0)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if first() != totp.ID {
		t.Fatal("the factor used last is not offered first")
	}
}

// The QR code link's key cannot be computed from a copy of the database
// (the sealed secret and the factor id): it is an HMAC under a key only the
// server holds.
func TestQRKeyNeedsTheServersKey(t *testing.T) {
	e := totpEnv(t)
	u := e.user(t, "ann@example.com")
	f, _, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.svc.Factors.UserFactors(e.ctx, u.ID)
	if err != nil || len(fs) != 1 || len(fs[0].Secret) == 0 {
		t.Fatalf("factors %+v %v", fs, err)
	}
	stored := fs[0]
	plain := sha256.Sum256(append([]byte("totp-qr:"), stored.Secret...))
	for _, guess := range []string{hex.EncodeToString(plain[:16]), hex.EncodeToString(plain[:]), ""} {
		_, err := e.svc.Factors.TOTPSetupOf(e.ctx, u.ID, f.ID, guess)
		wantReason(t, err, mfa.RFactorNotFound)
	}
	if st, err := e.svc.Factors.TOTPSetupOf(e.ctx, u.ID, f.ID, e.svc.Factors.TOTPQRKey(&stored)); err != nil || st == nil {
		t.Fatalf("the server's own link: %v", err)
	}
}
