package mfa_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/passkeytest"
)

const (
	waRP     = "login.example.com"
	waOrigin = "http://login.example.com"
)

// passkeyEnv is env with the webauthn factor on and the SMS factor off.
func passkeyEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// signIn starts a sign-in of login with its password.
func (e *env) signIn(t *testing.T, login string) *mfa.TxnView {
	t.Helper()
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// enrollPasskey sets up a passkey for login through a sign-in and returns
// the authenticator.
func (e *env) enrollPasskey(t *testing.T, login string) *passkeytest.Authenticator {
	t.Helper()
	v := e.signIn(t, login)
	if v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("status %s, want MFA_ENROLL", v.Txn.Status)
	}
	v, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New()
	cd, att := a.Create(waRP, waOrigin, v.Creation.Challenge)
	v, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "Laptop")
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("status %s after activation, want SUCCESS", v.Txn.Status)
	}
	return a
}

// challengePasskey signs login in up to the passkey challenge.
func (e *env) challengePasskey(t *testing.T, login string) *mfa.TxnView {
	t.Helper()
	v := e.signIn(t, login)
	if v.Txn.Status != mfa.TxnMFARequired {
		t.Fatalf("status %s, want MFA_REQUIRED", v.Txn.Status)
	}
	v, err := e.svc.Signin.TxnWebAuthnChallenge(e.ctx, v.Txn.StateToken, "")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func assertion(cd, ad, sig []byte, id []byte) mfa.AssertionInput {
	return mfa.AssertionInput{CredentialID: id, ClientDataJSON: cd, AuthenticatorData: ad, Signature: sig}
}

func TestPasskeySetUpAndSignIn(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	st, err := e.svc.Factors.WebAuthn(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Factor == nil || st.Factor.Status != mfa.FactorActive || len(st.Credentials) != 1 || st.Credentials[0].Name != "Laptop" ||
		!bytes.Equal(st.Credentials[0].CredentialID, a.ID) || st.Credentials[0].Format != "none" {
		t.Fatalf("after setup: %+v", st)
	}
	if n := len(e.events(t, mfa.EvFactorActivate)); n != 1 {
		t.Fatalf("%d activation events, want 1", n)
	}

	v := e.challengePasskey(t, u.Login)
	if v.Txn.Status != mfa.TxnMFAChallenge || v.Request == nil || v.Request.UserVerification != "required" || len(v.Request.AllowedCredentials) != 1 {
		t.Fatalf("challenge: %s %+v", v.Txn.Status, v.Request)
	}
	cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
	// Okta's API sends no credential id: the server finds it.
	v, err = e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, nil))
	if err != nil {
		t.Fatal(err)
	}
	if v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("status %s, want SUCCESS", v.Txn.Status)
	}
	_, amr, err := e.svc.Signin.TakeSessionToken(e.ctx, v.Txn.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(amr, mfa.AMR{"pwd", "pop", "mfa"}) {
		t.Fatalf("amr %v", amr)
	}
	st, _ = e.svc.Factors.WebAuthn(e.ctx, u.ID)
	if st.Credentials[0].SignCount != 1 || !st.Credentials[0].LastUsed.Equal(start) {
		t.Fatalf("sign count %d, last used %v", st.Credentials[0].SignCount, st.Credentials[0].LastUsed)
	}
}

func TestPasskeyReplayedAssertionRefused(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	v := e.challengePasskey(t, u.Login)
	cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
	if _, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, a.ID)); err != nil {
		t.Fatal(err)
	}
	// The same answer in a new sign-in: its challenge is another.
	v2 := e.challengePasskey(t, u.Login)
	_, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v2.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
	wantReason(t, err, mfa.RCodeWrong)
	// And that sign-in's ceremony is spent: even a right answer to it now fails.
	cd, ad, sig = a.Get(waRP, waOrigin, v2.Request.Challenge)
	_, err = e.svc.Signin.TxnWebAuthnVerify(e.ctx, v2.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
	wantReason(t, err, mfa.RCodeExpired)
	u2, _ := e.svc.Users.GetUser(e.ctx, u.ID)
	if u2.FailedMFA != 1 { // like a code never sent, an answer to no ceremony is not a guess
		t.Fatalf("failed MFA %d, want 1", u2.FailedMFA)
	}
}

func TestPasskeyCeremonyNotReusedAfterSuccess(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	// Through the Factors API (no transaction): verify twice on one challenge.
	st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID)
	_, opts, err := e.svc.Factors.BeginWebAuthnLogin(e.ctx, u.ID, st.Factor.ID, mfa.ScopeFactorsAPI)
	if err != nil {
		t.Fatal(err)
	}
	cd, ad, sig := a.Get(waRP, waOrigin, opts.Challenge)
	if _, err := e.svc.Factors.FinishWebAuthnLogin(e.ctx, u.ID, st.Factor.ID, mfa.ScopeFactorsAPI, assertion(cd, ad, sig, nil)); err != nil {
		t.Fatal(err)
	}
	a.Count++
	cd, ad, sig = a.Sign(waRP, cd)
	_, err = e.svc.Factors.FinishWebAuthnLogin(e.ctx, u.ID, st.Factor.ID, mfa.ScopeFactorsAPI, assertion(cd, ad, sig, nil))
	wantReason(t, err, mfa.RCodeExpired)
}

func TestPasskeyOfAnotherUserRefused(t *testing.T) {
	e := passkeyEnv(t)
	alice := e.user(t, "alice@example.com")
	bob := e.user(t, "bob@example.com")
	e.enrollPasskey(t, alice.Login)
	bobKey := e.enrollPasskey(t, bob.Login)
	v := e.challengePasskey(t, alice.Login)
	cd, ad, sig := bobKey.Get(waRP, waOrigin, v.Request.Challenge)
	for _, id := range [][]byte{bobKey.ID, nil} {
		_, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, id))
		if mfa.ReasonOf(err) != mfa.RCodeWrong && mfa.ReasonOf(err) != mfa.RCodeExpired {
			t.Fatalf("bob's key for alice: %v", err)
		}
		v = e.challengePasskey(t, alice.Login)
		cd, ad, sig = bobKey.Get(waRP, waOrigin, v.Request.Challenge)
	}
	got, _ := e.svc.Users.GetUser(e.ctx, alice.ID)
	if got.FailedMFA != 2 {
		t.Fatalf("alice's failed MFA %d, want 2", got.FailedMFA)
	}
	evs := e.events(t, mfa.EvMFAVerify)
	if len(evs) == 0 || evs[0].Outcome != mfa.OutcomeFailure || evs[0].Details["factor_type"] != "webauthn" {
		t.Fatalf("newest verify event: %+v", evs)
	}
}

func TestPasskeyWrongOriginOrRPRefused(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	for _, c := range []struct{ rp, origin string }{{waRP, "http://evil.example.net"}, {"evil.example.net", waOrigin}, {waRP, "https://login.example.com"}} {
		v := e.challengePasskey(t, u.Login)
		cd, ad, sig := a.Get(c.rp, c.origin, v.Request.Challenge)
		_, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
		wantReason(t, err, mfa.RCodeWrong)
	}
	// A registration for another origin stores nothing.
	b := e.user(t, "bob@example.com")
	v := e.signIn(t, b.Login)
	v, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	cd, att := passkeytest.New().Create(waRP, "http://evil.example.net", v.Creation.Challenge)
	_, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "")
	wantReason(t, err, mfa.RCodeWrong)
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, b.ID); len(st.Credentials) != 0 || st.Factor.Status != mfa.FactorPending {
		t.Fatalf("after a refused registration: %+v", st)
	}
}

func TestPasskeyWithoutUserVerificationRefused(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	v := e.signIn(t, u.Login)
	v, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	if v.Creation.AuthenticatorSelection.UserVerification != "required" || v.Creation.AuthenticatorSelection.ResidentKey != "preferred" {
		t.Fatalf("selection %+v", v.Creation.AuthenticatorSelection)
	}
	a := passkeytest.New()
	a.NoUV = true
	cd, att := a.Create(waRP, waOrigin, v.Creation.Challenge)
	_, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "")
	wantReason(t, err, mfa.RCodeWrong)
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID); len(st.Credentials) != 0 {
		t.Fatalf("a credential without user verification was stored: %+v", st.Credentials)
	}
	// Signing in without user verification fails too.
	e2 := passkeyEnv(t)
	u2 := e2.user(t, "bob@example.com")
	k := e2.enrollPasskey(t, u2.Login)
	k.NoUV = true
	v = e2.challengePasskey(t, u2.Login)
	cd, ad, sig := k.Get(waRP, waOrigin, v.Request.Challenge)
	_, err = e2.svc.Signin.TxnWebAuthnVerify(e2.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, k.ID))
	wantReason(t, err, mfa.RCodeWrong)
}

func TestPasskeyHugeOrMalformedAttestationRefused(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	v := e.signIn(t, u.Login)
	v, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New()
	cd, att := a.Create(waRP, waOrigin, v.Creation.Challenge)
	huge := append(att, make([]byte, mfa.MaxAttestationObject)...)
	_, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: huge}, "")
	wantReason(t, err, mfa.RInvalidInput)
	if mfa.ErrorOf(err).Code != mfa.EInvalid {
		t.Fatalf("code %v", mfa.ErrorOf(err).Code)
	}
	// The ceremony is untouched by a refused size: the right answer still works after garbage is refused…
	_, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: []byte{0xa1, 0x01}}, "")
	wantReason(t, err, mfa.RCodeWrong)
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID); len(st.Credentials) != 0 {
		t.Fatalf("stored: %+v", st.Credentials)
	}
	// …but the malformed answer spent it.
	_, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "")
	wantReason(t, err, mfa.RCodeExpired)
}

func TestPasskeyCeremonyExpires(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"transaction_lifetime": "30m"}); err != nil {
		t.Fatal(err)
	}
	v := e.challengePasskey(t, u.Login)
	e.clock.Advance(mfa.CeremonyLifetime + time.Second)
	cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
	_, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
	wantReason(t, err, mfa.RCodeExpired)
}

func TestPasskeyFailuresLockTheUser(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	var err error
	for range 10 {
		v := e.challengePasskey(t, u.Login)
		cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
		sig[len(sig)-1] ^= 1
		_, err = e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
	}
	wantReason(t, err, mfa.RUserLocked)
	if n := len(e.events(t, mfa.EvAccountLock)); n != 1 {
		t.Fatalf("%d lock events", n)
	}
	// Locked: the right answer is refused too.
	if _, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, "Correct-Horse-9", ""); err == nil {
		t.Fatal("a locked user got past the password")
	}
}

func TestPasskeyRemovedCannotSignIn(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	// A second passkey, from the account page's scope.
	_, opts, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, u.ID, "web:x", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.CredentialExcludeList) != 1 {
		t.Fatalf("exclude list %+v", opts.CredentialExcludeList)
	}
	b := passkeytest.New()
	cd, att := b.Create(waRP, waOrigin, opts.Challenge)
	if _, _, err := e.svc.Factors.FinishWebAuthnEnroll(e.ctx, u.ID, "web:x", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "Phone"); err != nil {
		t.Fatal(err)
	}
	st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID)
	if len(st.Credentials) != 2 {
		t.Fatalf("%d passkeys", len(st.Credentials))
	}
	first, second := st.Credentials[0].ID, st.Credentials[1].ID
	if !bytes.Equal(st.Credentials[0].CredentialID, a.ID) {
		first, second = second, first
	}
	if err := e.svc.Factors.RemoveWebAuthnCredential(e.ctx, u.ID, first); err != nil {
		t.Fatal(err)
	}
	v := e.challengePasskey(t, u.Login)
	if len(v.Request.AllowedCredentials) != 1 {
		t.Fatalf("allowed %+v", v.Request.AllowedCredentials)
	}
	cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
	_, err = e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, a.ID))
	wantReason(t, err, mfa.RCodeWrong)
	v = e.challengePasskey(t, u.Login)
	cd, ad, sig = b.Get(waRP, waOrigin, v.Request.Challenge)
	if _, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, nil)); err != nil {
		t.Fatal(err)
	}
	// The last one goes with the factor: the next sign-in asks to set one up.
	if err := e.svc.Factors.RemoveWebAuthnCredential(e.ctx, u.ID, second); err != nil {
		t.Fatal(err)
	}
	if v := e.signIn(t, u.Login); v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("status %s after removing every passkey", v.Txn.Status)
	}
}

func TestPasskeySignCountRegressionRefusedAndLogged(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	a := e.enrollPasskey(t, u.Login)
	a.Count = 10
	v := e.challengePasskey(t, u.Login)
	cd, ad, sig := a.Get(waRP, waOrigin, v.Request.Challenge)
	if _, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, nil)); err != nil {
		t.Fatal(err)
	}
	a.Count = 3 // a clone that is behind
	v = e.challengePasskey(t, u.Login)
	cd, ad, sig = a.Get(waRP, waOrigin, v.Request.Challenge)
	_, err := e.svc.Signin.TxnWebAuthnVerify(e.ctx, v.Txn.StateToken, "", assertion(cd, ad, sig, nil))
	wantReason(t, err, mfa.RCodeWrong)
	found := false
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Reason == "sign_count" && ev.Details["stored_count"] == "11" && ev.Details["count"] == "4" {
			found = true
		}
	}
	if !found {
		for _, ev := range e.events(t, mfa.EvMFAVerify) {
			t.Logf("%s %s %v", ev.Reason, ev.Message, ev.Details)
		}
		t.Fatal("no sign count warning in the system log")
	}
}

func TestPasskeyOffWhenDisabled(t *testing.T) {
	e := newEnv(t) // webauthn_enabled defaults to off
	u := e.user(t, "alice@example.com")
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	wantReason(t, err, mfa.RFactorDisabled)
}

// With passkeys on and text messages off, a leftover SMS factor proves
// the sign-in only until a passkey is set up (then the sign-in goes on to
// set one up, not to SUCCESS); after that it neither skips the passkey nor
// answers for it.
func TestPasskeyOnlyOrgRefusesTextMessages(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "alice@example.com")
	e.activeFactor(t, u, "+14155550101")
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	v := e.signIn(t, u.Login)
	if v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 1 || v.Factors[0].Type != mfa.FactorTypeSMS {
		t.Fatalf("status %s factors %+v, want the SMS factor to prove the sign-in", v.Txn.Status, v.Factors)
	}
	if _, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken); mfa.ReasonOf(err) != mfa.RWrongState {
		t.Fatalf("passkey enrollment on the password alone: %v", err)
	}
	if _, _, err := e.svc.Signin.TxnChallenge(e.ctx, v.Txn.StateToken, v.Factors[0].ID); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, "", e.lastCode(t, "+14155550101"))
	if err != nil || v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("after the text message code: %v %v, want MFA_ENROLL", v, err)
	}
	if v, err = e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken); err != nil {
		t.Fatal(err)
	}
	cd, att := passkeytest.New().Create(waRP, waOrigin, v.Creation.Challenge)
	v, err = e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "Laptop")
	if err != nil || v.Txn.Status != mfa.TxnSuccess {
		t.Fatalf("passkey set up after the text message code: %v %v", v, err)
	}
	v = e.signIn(t, u.Login)
	if v.Txn.Status != mfa.TxnMFARequired || len(v.Factors) != 1 || v.Factors[0].Type != mfa.FactorTypeWebAuthn {
		t.Fatalf("status %s, factors %+v", v.Txn.Status, v.Factors)
	}
	fs, err := e.svc.Factors.FactorState(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Signin.TxnChallenge(e.ctx, v.Txn.StateToken, fs.Factor.ID)
	wantReason(t, err, mfa.RFactorDisabled)
	_, err = e.svc.Signin.TxnVerify(e.ctx, v.Txn.StateToken, fs.Factor.ID, "123456")
	wantReason(t, err, mfa.RFactorDisabled)
}

// A ceremony started in one scope (a browser session) cannot be answered
// from another.
func TestPasskeyCeremonyBoundToItsScope(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	_, opts, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, u.ID, "web:mine", false)
	if err != nil {
		t.Fatal(err)
	}
	cd, att := passkeytest.New().Create(waRP, waOrigin, opts.Challenge)
	in := mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}
	_, _, err = e.svc.Factors.FinishWebAuthnEnroll(e.ctx, u.ID, "web:theirs", in, "")
	wantReason(t, err, mfa.RCodeExpired)
	if _, _, err := e.svc.Factors.FinishWebAuthnEnroll(e.ctx, u.ID, "web:mine", in, ""); err != nil {
		t.Fatal(err)
	}
}

// One user cannot fill the disk with passkeys.
func TestPasskeysPerUserCapped(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	for i := range mfa.MaxPasskeys + 1 {
		_, opts, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, u.ID, "web:x", false)
		if i == mfa.MaxPasskeys {
			wantReason(t, err, mfa.RInvalidInput)
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cd, att := passkeytest.New().Create(waRP, waOrigin, opts.Challenge)
		if _, _, err := e.svc.Factors.FinishWebAuthnEnroll(e.ctx, u.ID, "web:x", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID); len(st.Credentials) != mfa.MaxPasskeys {
		t.Fatalf("%d passkeys", len(st.Credentials))
	}
}

// An administrator's reset removes the passkeys with the factor.
func TestResetFactorsRemovesPasskeys(t *testing.T) {
	e := passkeyEnv(t)
	u := e.user(t, "alice@example.com")
	e.enrollPasskey(t, u.Login)
	if err := e.svc.Factors.ResetFactors(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, u.ID); st.Factor != nil || len(st.Credentials) != 0 {
		t.Fatalf("after reset: %+v", st)
	}
	v := e.signIn(t, u.Login)
	if v.Txn.Status != mfa.TxnMFAEnroll {
		t.Fatalf("status %s after reset", v.Txn.Status)
	}
	// The old key does not come back with a new setup.
	v, err := e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Creation.CredentialExcludeList) != 0 {
		t.Fatalf("exclude list %+v", v.Creation.CredentialExcludeList)
	}
}

// The purge deletes expired ceremonies, and only those.
func TestPurgeDeletesExpiredCeremonies(t *testing.T) {
	e := passkeyEnv(t)
	alice := e.user(t, "alice@example.com")
	bob := e.user(t, "bob@example.com")
	if _, _, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, alice.ID, "web:a", false); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(mfa.CeremonyLifetime + time.Minute)
	if _, _, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, bob.ID, "web:b", false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Org.Purge(e.ctx); err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{}
	err := e.db.InTx(e.ctx, func(tx mfa.Tx) error {
		for _, c := range []struct{ user, scope string }{{alice.ID, "web:a"}, {bob.ID, "web:b"}} {
			_, err := tx.TakeWebAuthnCeremony(e.ctx, c.user, mfa.CeremonyRegister, c.scope)
			left[c.user] = err == nil
		}
		return nil
	})
	if err != nil || left[alice.ID] || !left[bob.ID] {
		t.Fatalf("after the purge: alice's %v, bob's %v (%v)", left[alice.ID], left[bob.ID], err)
	}
}
