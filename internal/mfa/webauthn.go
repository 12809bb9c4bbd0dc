package mfa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// The webauthn factor (passkeys): a user's one factor of type webauthn holds
// any number of credentials. Registration and sign-in both require user
// verification; resident keys are preferred. The ceremonies' session data
// stays on the server (WebAuthnCeremony), bound to a scope, single-use and
// expiring after CeremonyLifetime.

// CeremonyLifetime is how long the options of a ceremony can be answered.
const CeremonyLifetime = 5 * time.Minute

// Limits of an authenticator's answer: anything larger is refused before
// it is parsed.
const (
	MaxClientDataJSON    = 4 << 10
	MaxAttestationObject = 32 << 10
	MaxAuthenticatorData = 4 << 10
	MaxSignature         = 1 << 10
	MaxCredentialName    = 60
	// MaxPasskeys is how many passkeys one user may have.
	MaxPasskeys = 20
)

func tooManyPasskeys() *Error {
	return Errorf(EInvalid, RInvalidInput, "You have %d passkeys, the most allowed. Remove one before adding another.", MaxPasskeys)
}

// AttestationInput is an authenticator's answer to a registration.
type AttestationInput struct {
	ClientDataJSON    []byte
	AttestationObject []byte
	Transports        []string
}

// AssertionInput is an authenticator's answer to a sign-in. CredentialID
// may be empty (Okta's API does not send it): every credential of the user
// is then tried.
type AssertionInput struct {
	CredentialID      []byte
	ClientDataJSON    []byte
	AuthenticatorData []byte
	Signature         []byte
	UserHandle        []byte
}

// CreationOptions are the PublicKeyCredentialCreationOptions a browser
// passes to navigator.credentials.create (JSON, binary fields base64url).
type CreationOptions = protocol.PublicKeyCredentialCreationOptions

// RequestOptions are the PublicKeyCredentialRequestOptions a browser
// passes to navigator.credentials.get.
type RequestOptions = protocol.PublicKeyCredentialRequestOptions

// waUser adapts a user and their credentials to the library.
type waUser struct {
	u     *User
	creds []WebAuthnCredential
}

func (w waUser) WebAuthnID() []byte          { return []byte(w.u.ID) }
func (w waUser) WebAuthnName() string        { return w.u.Login }
func (w waUser) WebAuthnDisplayName() string { return w.u.DisplayName() }
func (w waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.creds))
	for i, c := range w.creds {
		out[i] = libCredential(c)
	}
	return out
}

func libCredential(c WebAuthnCredential) webauthn.Credential {
	ts := make([]protocol.AuthenticatorTransport, len(c.Transports))
	for i, t := range c.Transports {
		ts[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{ID: c.CredentialID, PublicKey: c.PublicKey, AttestationFormat: c.Format, Transport: ts,
		Flags:         webauthn.CredentialFlagsFromMsgpByte(c.Flags),
		Authenticator: webauthn.Authenticator{AAGUID: c.AAGUID, SignCount: c.SignCount}}
}

// relyingParty builds the library for the org: the RP ID is the host of
// the server's base URL, the only origin accepted is the base URL's.
func (s *core) relyingParty(set Settings) (*webauthn.WebAuthn, error) {
	origin := s.origin
	if origin == "" {
		origin = "http://" + s.host
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("mfa: webauthn needs the server's base URL")
	}
	return webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: set.OrgName, RPOrigins: []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferDirectAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementPreferred,
			RequireResidentKey: protocol.ResidentKeyNotRequired(), UserVerification: protocol.VerificationRequired},
		Timeouts: webauthn.TimeoutsConfig{Login: webauthn.TimeoutConfig{Timeout: CeremonyLifetime, TimeoutUVD: CeremonyLifetime},
			Registration: webauthn.TimeoutConfig{Timeout: CeremonyLifetime, TimeoutUVD: CeremonyLifetime}},
	})
}

func webauthnDisabled() *Error {
	return Errorf(EForbidden, RFactorDisabled, "Security Key or Biometric Authenticator is not enabled for this organization.")
}

// ceremonyGone is the refusal for an answer with no live ceremony.
func ceremonyGone() *Error {
	return Errorf(EForbidden, RCodeExpired, "This request from your security key has expired or was already used. Start again.")
}

// saveCeremony stores the session data of a ceremony, replacing the older
// one of its kind and scope.
func (s *core) saveCeremony(ctx context.Context, tx Tx, u *User, kind, scope string, sd *webauthn.SessionData) error {
	sd.Expires = time.Time{} // expiry is ours, on the domain's clock
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return tx.PutWebAuthnCeremony(ctx, WebAuthnCeremony{ID: s.newRowID("wac"), UserID: u.ID, Kind: kind, Scope: scope, Data: string(b),
		Created: now, Expires: now.Add(CeremonyLifetime)})
}

// takeCeremony removes the ceremony of kind in scope and returns its
// session data: it cannot be answered twice, whatever the answer.
func (s *core) takeCeremony(ctx context.Context, tx Tx, u *User, kind, scope string) (*webauthn.SessionData, error) {
	c, err := tx.TakeWebAuthnCeremony(ctx, u.ID, kind, scope)
	if errors.Is(err, ErrNotFound) {
		return nil, ceremonyGone()
	}
	if err != nil {
		return nil, err
	}
	if !s.clock.Now().Before(c.Expires) {
		return nil, ceremonyGone()
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(c.Data), &sd); err != nil {
		return nil, err
	}
	return &sd, nil
}

// beginWebAuthnEnroll starts a registration for u: it makes the user's
// webauthn factor (pending) when there is none and returns the options.
func (s *core) beginWebAuthnEnroll(ctx context.Context, tx Tx, set Settings, u *User, scope string) (*Factor, *CreationOptions, error) {
	if !set.WebAuthnEnabled {
		return nil, nil, webauthnDisabled()
	}
	if err := checkSeveral(ctx, tx, set, u, FactorTypeWebAuthn); err != nil {
		return nil, nil, err
	}
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	if f == nil {
		f = &Factor{ID: s.newID("fwf"), UserID: u.ID, Type: FactorTypeWebAuthn, Status: FactorPending, Created: now, LastUpdated: now}
		if err := tx.InsertFactor(ctx, *f); err != nil {
			return nil, nil, err
		}
		if err := s.record(ctx, tx, Event{Type: EvFactorEnroll, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Security key or biometric authenticator enrollment started",
			Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn}}); err != nil {
			return nil, nil, err
		}
	}
	creds, err := tx.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(creds) >= MaxPasskeys {
		return nil, nil, tooManyPasskeys()
	}
	rp, err := s.relyingParty(set)
	if err != nil {
		return nil, nil, err
	}
	wu := waUser{u, creds}
	opts, sd, err := rp.BeginRegistration(wu, webauthn.WithExclusions(webauthn.Credentials(wu.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return nil, nil, err
	}
	if err := s.saveCeremony(ctx, tx, u, CeremonyRegister, scope, sd); err != nil {
		return nil, nil, err
	}
	return f, &opts.Response, nil
}

// finishWebAuthnEnroll checks the answer to the registration of scope and
// stores the new credential; the factor becomes active. name names the
// credential ("" gives a default).
func (s *core) finishWebAuthnEnroll(ctx context.Context, tx Tx, set Settings, u *User, in AttestationInput, name, scope string) (*Factor, *WebAuthnCredential, error) {
	if !set.WebAuthnEnabled {
		return nil, nil, webauthnDisabled()
	}
	if len(in.ClientDataJSON) > MaxClientDataJSON || len(in.AttestationObject) > MaxAttestationObject || len(in.Transports) > 10 {
		return nil, nil, Errorf(EInvalid, RInvalidInput, "The answer from your security key is too large.")
	}
	if len(in.ClientDataJSON) == 0 || len(in.AttestationObject) == 0 {
		return nil, nil, Errorf(EInvalid, RInvalidInput, "The answer from your security key is missing.")
	}
	name, err := credentialName(name)
	if err != nil {
		return nil, nil, err
	}
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn)
	if err != nil {
		return nil, nil, err
	}
	if f == nil {
		return nil, nil, ceremonyGone()
	}
	sd, err := s.takeCeremony(ctx, tx, u, CeremonyRegister, scope)
	if err != nil {
		return nil, nil, err
	}
	fail := func(detail string) (*Factor, *WebAuthnCredential, error) {
		e := Errorf(EForbidden, RCodeWrong, "Your security key's answer could not be verified. Try again.")
		if err := s.record(ctx, tx, Event{Type: EvFactorActivate, Target: userParty(u), Outcome: OutcomeFailure, Reason: string(RCodeWrong), Message: "Security key registration refused",
			Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn, "detail": clipDetail(detail)}}); err != nil {
			return nil, nil, err
		}
		return nil, nil, e
	}
	ar := protocol.AuthenticatorAttestationResponse{AuthenticatorResponse: protocol.AuthenticatorResponse{ClientDataJSON: in.ClientDataJSON},
		AttestationObject: in.AttestationObject, Transports: in.Transports}
	pre, err := ar.Parse()
	if err != nil {
		return fail(libDetail(err))
	}
	if pre.AttestationObject.AuthData.AttData.CredentialID == nil {
		return fail("no credential in the attestation")
	}
	cid := pre.AttestationObject.AuthData.AttData.CredentialID
	ccr := protocol.CredentialCreationResponse{PublicKeyCredential: protocol.PublicKeyCredential{
		Credential: protocol.Credential{ID: base64.RawURLEncoding.EncodeToString(cid), Type: string(protocol.PublicKeyCredentialType)}, RawID: cid},
		AttestationResponse: ar}
	parsed, err := ccr.Parse()
	if err != nil {
		return fail(libDetail(err))
	}
	rp, err := s.relyingParty(set)
	if err != nil {
		return nil, nil, err
	}
	creds, err := tx.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(creds) >= MaxPasskeys {
		return nil, nil, tooManyPasskeys()
	}
	cred, err := rp.CreateCredential(waUser{u, creds}, *sd, parsed)
	if err != nil {
		return fail(libDetail(err))
	}
	if !cred.Flags.UserVerified {
		return fail("user not verified")
	}
	now := s.clock.Now()
	c := WebAuthnCredential{ID: s.newID("fwc"), UserID: u.ID, FactorID: f.ID, CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Format: cred.AttestationFormat, Flags: cred.Flags.MsgpByte(), Name: name, Created: now}
	for _, t := range cred.Transport {
		if t := string(t); t != "" && len(t) <= 20 {
			c.Transports = append(c.Transports, t)
		}
	}
	if c.Name == "" {
		c.Name = "Passkey " + strconv.Itoa(len(creds)+1)
	}
	if err := tx.Savepoint(ctx, "webauthn_cred"); err != nil {
		return nil, nil, err
	}
	if err := tx.InsertWebAuthnCredential(ctx, c); errors.Is(err, ErrConflict) {
		if err := tx.RollbackTo(ctx, "webauthn_cred"); err != nil {
			return nil, nil, err
		}
		return fail("credential already registered")
	} else if err != nil {
		return nil, nil, err
	}
	ev, msg := EvFactorUpdate, "Passkey added"
	if f.Status != FactorActive {
		ev, msg = EvFactorActivate, "Security key or biometric authenticator factor activated"
		f.Status = FactorActive
	}
	f.LastUpdated = now
	if err := tx.UpdateFactor(ctx, *f); err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, tx, Event{Type: ev, Target: userParty(u), Outcome: OutcomeSuccess, Message: msg,
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn, "credential": c.ID, "name": c.Name, "format": c.Format}}); err != nil {
		return nil, nil, err
	}
	return f, &c, nil
}

// credentialName checks a name typed for a passkey.
func credentialName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if len([]rune(name)) > MaxCredentialName || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", Errorf(EInvalid, RInvalidInput, "A passkey's name is at most %d characters, without control characters.", MaxCredentialName)
	}
	return name, nil
}

func libDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return strings.TrimSpace(pe.Details + " " + pe.DevInfo)
	}
	return err.Error()
}

func clipDetail(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// beginWebAuthnLogin returns the options of a sign-in with the user's
// passkeys.
func (s *core) beginWebAuthnLogin(ctx context.Context, tx Tx, set Settings, u *User, scope string) (*Factor, *RequestOptions, error) {
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn)
	if err != nil {
		return nil, nil, err
	}
	if f == nil || f.Status != FactorActive {
		if !set.WebAuthnEnabled {
			return nil, nil, webauthnDisabled()
		}
		return nil, nil, Errorf(EForbidden, RFactorNotActive, "No security key or biometric authenticator is set up.")
	}
	if err := s.factorUsable(ctx, tx, set, u, f); err != nil {
		return nil, nil, err
	}
	creds, err := tx.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	rp, err := s.relyingParty(set)
	if err != nil {
		return nil, nil, err
	}
	opts, sd, err := rp.BeginLogin(waUser{u, creds}, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, err
	}
	if err := s.saveCeremony(ctx, tx, u, CeremonyLogin, scope, sd); err != nil {
		return nil, nil, err
	}
	return f, &opts.Response, nil
}

// finishWebAuthnLogin checks the answer to the sign-in of scope. A wrong
// answer counts as a wrong code: towards the user's MFA lockout and the
// client's wrong guesses.
func (s *core) finishWebAuthnLogin(ctx context.Context, tx Tx, set Settings, u *User, in AssertionInput, scope string) (*Factor, error) {
	now := s.clock.Now()
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn)
	if err != nil {
		return nil, err
	}
	if f == nil || f.Status != FactorActive {
		if !set.WebAuthnEnabled {
			return nil, webauthnDisabled()
		}
		return nil, Errorf(EForbidden, RFactorNotActive, "No security key or biometric authenticator is set up.")
	}
	if err := s.factorUsable(ctx, tx, set, u, f); err != nil {
		return nil, err
	}
	target := userParty(u)
	refuse := func(e *Error) (*Factor, error) {
		if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: target, Outcome: OutcomeFailure, Reason: string(e.Reason), Message: e.Message,
			Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn}}); err != nil {
			return nil, err
		}
		return nil, e
	}
	if u.Locked(now) {
		return refuse(lockedError(u))
	}
	if len(in.ClientDataJSON) > MaxClientDataJSON || len(in.AuthenticatorData) > MaxAuthenticatorData || len(in.Signature) > MaxSignature ||
		len(in.CredentialID) > 1023 || len(in.UserHandle) > 64 {
		return nil, Errorf(EInvalid, RInvalidInput, "The answer from your security key is too large.")
	}
	if err := s.checkGuesses(ctx, tx, set, now); err != nil {
		if r, ok := asRefusal(err); ok {
			return refuse(r)
		}
		return nil, err
	}
	sd, err := s.takeCeremony(ctx, tx, u, CeremonyLogin, scope)
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return refuse(r)
		}
		return nil, err
	}
	creds, err := tx.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	rp, err := s.relyingParty(set)
	if err != nil {
		return nil, err
	}
	var used *WebAuthnCredential
	var got *webauthn.Credential
	var count uint32 // the counter the authenticator sent
	detail := "unknown credential"
	for i := range creds {
		if len(in.CredentialID) > 0 && !bytes.Equal(in.CredentialID, creds[i].CredentialID) {
			continue
		}
		car := protocol.CredentialAssertionResponse{
			PublicKeyCredential: protocol.PublicKeyCredential{Credential: protocol.Credential{ID: base64.RawURLEncoding.EncodeToString(creds[i].CredentialID),
				Type: string(protocol.PublicKeyCredentialType)}, RawID: creds[i].CredentialID},
			AssertionResponse: protocol.AuthenticatorAssertionResponse{AuthenticatorResponse: protocol.AuthenticatorResponse{ClientDataJSON: in.ClientDataJSON},
				AuthenticatorData: in.AuthenticatorData, Signature: in.Signature, UserHandle: in.UserHandle}}
		parsed, err := car.Parse()
		if err != nil {
			detail = libDetail(err)
			break // the same for every credential
		}
		c, err := rp.ValidateLogin(waUser{u, creds}, *sd, parsed)
		if err != nil {
			detail = libDetail(err)
			continue
		}
		used, got, count = &creds[i], c, parsed.Response.AuthenticatorData.Counter
		break
	}
	if used == nil {
		return s.failedProof(ctx, tx, set, u, f, detail, now)
	}
	if got.Authenticator.CloneWarning {
		if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Severity: SeverityWarn, Target: target, Outcome: OutcomeDeny, Reason: "sign_count",
			Message: "Passkey sign count went back: the authenticator may have been cloned",
			Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn, "credential": used.ID,
				"stored_count": strconv.FormatUint(uint64(used.SignCount), 10), "count": strconv.FormatUint(uint64(count), 10)}}); err != nil {
			return nil, err
		}
		return s.failedProof(ctx, tx, set, u, f, "sign count regression", now)
	}
	if err := tx.UpdateWebAuthnUse(ctx, u.ID, used.ID, got.Authenticator.SignCount, got.Flags.MsgpByte(), now); err != nil {
		return nil, err
	}
	if u.FailedMFA != 0 {
		u.FailedMFA = 0
		u.LastUpdated = now
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return nil, err
		}
	}
	if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: target, Outcome: OutcomeSuccess, Message: "Verified with a passkey",
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn, "credential": used.ID, "name": used.Name}}); err != nil {
		return nil, err
	}
	return f, nil
}

// failedProof counts a refused assertion as a wrong code: against the
// user (locked after the org's limit in a row) and the client's guesses.
func (s *core) failedProof(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, detail string, now time.Time) (*Factor, error) {
	return nil, s.failedFactor(ctx, tx, set, u, now, Event{Type: EvMFAVerify, Reason: string(RCodeWrong), Message: "Passkey assertion refused",
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeWebAuthn, "detail": clipDetail(detail)}}, func() *Error {
		return Errorf(EForbidden, RCodeWrong, "Your security key's answer could not be verified. Try again.")
	})
}
