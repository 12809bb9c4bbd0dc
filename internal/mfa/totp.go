package mfa

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image/png"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"

	smsotp "smsmfa/internal/otp"
)

// The authenticator app factor (token:software:totp): RFC 6238 codes of 6
// digits, a new one every 30 seconds, HMAC-SHA1 over a 20-byte secret, as
// Google Authenticator and every other TOTP app read them from an
// otpauth:// URI. A code is accepted one step early or late (clock skew)
// and each step at most once per factor.
const (
	TOTPPeriod         = 30 * time.Second
	TOTPDigits         = 6
	TOTPProviderGoogle = "GOOGLE"
	totpSecretBytes    = 20
	totpSkew           = 1
)

// TOTPContext is what a factor's sealed TOTP secret is bound to.
func TOTPContext(factorID string) string { return "totp-secret:" + factorID }

// TOTPStep returns the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the RFC 6238 (HOTP, RFC 4226) code of secret at time
// step step, digits long, with HMAC-SHA1.
func TOTPCode(secret []byte, step int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	s := strconv.FormatUint(uint64(bin%mod), 10)
	return strings.Repeat("0", digits-len(s)) + s
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPSetup is what a person needs to add a factor to an authenticator
// app: the secret as base32 text, and the otpauth:// URI its QR code holds.
type TOTPSetup struct {
	Secret string
	URI    string
}

// GroupedSecret is the secret in groups of four characters, for typing.
func (t TOTPSetup) GroupedSecret() string {
	var b strings.Builder
	for i, r := range t.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// QRCode returns a PNG of the QR code of the setup's URI, size pixels wide.
func (t TOTPSetup) QRCode(size int) ([]byte, error) {
	k, err := otp.NewKeyFromURL(t.URI)
	if err != nil {
		return nil, err
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// totpURI is the otpauth:// URI of a secret: the label is "Issuer:login"
// with the org name as issuer (Google's Key Uri Format).
func totpURI(issuer, login string, secret []byte) string {
	if issuer == "" {
		issuer = "smsmfa"
	}
	q := url.Values{}
	q.Set("secret", b32.EncodeToString(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", strconv.Itoa(TOTPDigits))
	q.Set("period", strconv.Itoa(int(TOTPPeriod/time.Second)))
	label := url.PathEscape(issuer) + ":" + url.PathEscape(login)
	return "otpauth://totp/" + label + "?" + q.Encode()
}

var errNoTOTPOpener = errors.New("the sealer cannot open TOTP secrets")

// openTOTP opens a factor's TOTP secret.
func (s *core) openTOTP(f *Factor) ([]byte, error) {
	o, ok := s.sealer.(Opener)
	if !ok {
		return nil, Internal("totp secret", errNoTOTPOpener)
	}
	sec, err := o.Open(f.Secret, TOTPContext(f.ID))
	if err != nil {
		return nil, Internal("totp secret", err)
	}
	return sec, nil
}

// totpSetup is the setup of a pending TOTP factor of u.
func (s *core) totpSetup(set Settings, u *User, f *Factor) (*TOTPSetup, error) {
	sec, err := s.openTOTP(f)
	if err != nil {
		return nil, err
	}
	return &TOTPSetup{Secret: b32.EncodeToString(sec), URI: totpURI(set.OrgName, u.Login, sec)}, nil
}

// checkTOTPProvider refuses a provider other than OKTA and GOOGLE.
func checkTOTPProvider(p string) (string, error) {
	switch p {
	case "", FactorProvider:
		return FactorProvider, nil
	case TOTPProviderGoogle:
		return p, nil
	}
	return "", Errorf(EInvalid, RInvalidInput, "The provider %q is not supported for token:software:totp: use OKTA or GOOGLE.", p)
}

// enrollTOTP sets up a pending authenticator app factor for u with a new
// secret (replacing a pending one, whose secret is forgotten). Refusals:
// RFactorDisabled, RFactorExists (active already, or one factor per user).
func (s *core) enrollTOTP(ctx context.Context, tx Tx, set Settings, u *User, provider string) (*Factor, *TOTPSetup, error) {
	now := s.clock.Now()
	if !set.TOTPEnabled {
		return nil, nil, Errorf(EForbidden, RFactorDisabled, "Authenticator apps are not enabled for your organisation.")
	}
	provider, err := checkTOTPProvider(provider)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSeveral(ctx, tx, set, u, FactorTypeTOTP); err != nil {
		return nil, nil, err
	}
	fs, err := tx.ListFactors(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range fs {
		if f.Type != FactorTypeTOTP {
			continue
		}
		if f.Status == FactorActive {
			return nil, nil, Errorf(EConflict, RFactorExists, "A factor of this type is already set up.")
		}
		if err := tx.DeleteFactor(ctx, u.ID, f.ID); err != nil {
			return nil, nil, err
		}
	}
	sec := make([]byte, totpSecretBytes)
	if _, err := io.ReadFull(s.rand, sec); err != nil {
		return nil, nil, Internal("totp secret", err)
	}
	f := &Factor{ID: s.newID("ost"), UserID: u.ID, Type: FactorTypeTOTP, Status: FactorPending, Provider: provider, Created: now, LastUpdated: now}
	f.Secret = s.sealer.Seal(sec, TOTPContext(f.ID))
	if err := tx.InsertFactor(ctx, *f); err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, tx, Event{Type: EvFactorEnroll, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Authenticator app factor enrollment started",
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeTOTP, "provider": provider}}); err != nil {
		return nil, nil, err
	}
	return f, &TOTPSetup{Secret: b32.EncodeToString(sec), URI: totpURI(set.OrgName, u.Login, sec)}, nil
}

// checkTOTP checks a code typed for TOTP factor f, inside tx with u
// locked. A wrong code counts like a wrong SMS code (the user's lockout
// and the per-address limit); a right code of a step already used is
// refused (RCodeUsed) without counting. The caller records the success.
func (s *core) checkTOTP(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, purpose Purpose, input string) error {
	now := s.clock.Now()
	fail := func(e *Error) error {
		if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: userParty(u), Outcome: OutcomeFailure, Reason: string(e.Reason), Message: e.Message,
			Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeTOTP, "purpose": string(purpose)}}); err != nil {
			return err
		}
		return e
	}
	if u.Locked(now) {
		return fail(lockedError(u))
	}
	code := smsotp.Normalize(input)
	if code == "" {
		return Errorf(EInvalid, RCodeMissing, "Enter the %d-digit code from your authenticator app.", TOTPDigits)
	}
	if err := s.checkGuesses(ctx, tx, set, now); err != nil {
		if r, ok := asRefusal(err); ok {
			return fail(r)
		}
		return err
	}
	sec, err := s.openTOTP(f)
	if err != nil {
		return err
	}
	now0 := TOTPStep(now)
	var step int64 = -1
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		if len(code) == TOTPDigits && subtle.ConstantTimeCompare([]byte(TOTPCode(sec, now0+d, TOTPDigits)), []byte(code)) == 1 {
			step = now0 + d
		}
	}
	if step < 0 {
		return s.wrongTOTP(ctx, tx, set, u, f, purpose, now)
	}
	ok, err := tx.UseTOTPStep(ctx, f.ID, step)
	if err != nil {
		return err
	}
	if !ok {
		return fail(Errorf(EForbidden, RCodeReplayed, "Each code can only be used once. Please wait for a new code and try again."))
	}
	f.LastStep = step
	if u.FailedMFA != 0 {
		u.FailedMFA = 0
		u.LastUpdated = now
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
	}
	return nil
}

// wrongTOTP counts a wrong authenticator app code against the user and
// the address, as wrongCode does for a text message code.
func (s *core) wrongTOTP(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, purpose Purpose, now time.Time) error {
	return s.wrongSecret(ctx, tx, set, u, now, map[string]string{"factor_id": f.ID, "factor_type": FactorTypeTOTP, "purpose": string(purpose)},
		Phrase{Format: "That code is not right. Check the code in your authenticator app and try again."})
}

// wrongSecret counts a wrong code that has no challenge (an authenticator
// app code, a recovery code) against the user (the same lockout as SMS
// codes) and the request's address, and records it with details.
func (s *core) wrongSecret(ctx context.Context, tx Tx, set Settings, u *User, now time.Time, details map[string]string, msg Phrase) error {
	return s.failedFactor(ctx, tx, set, u, now, Event{Type: EvMFAVerify, Reason: string(RCodeWrong), Message: "Wrong code", Details: details}, func() *Error {
		e := Errorf(EForbidden, RCodeWrong, "%s", msg)
		e.Remaining = max(set.MFALockFailures-u.FailedMFA, 0)
		return e
	})
}

// activateTOTP checks the first code of a pending TOTP factor and makes it
// active.
func (s *core) activateTOTP(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, code string) error {
	if f.Status != FactorPending {
		return Errorf(EForbidden, RFactorNotPending, "This factor is already active.")
	}
	if err := s.checkTOTP(ctx, tx, set, u, f, PurposeEnroll, code); err != nil {
		return err
	}
	now := s.clock.Now()
	f.Status, f.LastUpdated = FactorActive, now
	if err := tx.UpdateFactor(ctx, *f); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: EvFactorActivate, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Authenticator app factor activated",
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeTOTP, "provider": f.Provider}})
}

// verifyTOTP checks a sign-in code of an active TOTP factor f; core.verify has checked that f
// may answer (factorUsable).
func (s *core) verifyTOTP(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, code string) error {
	if err := s.checkTOTP(ctx, tx, set, u, f, PurposeVerify, code); err != nil {
		return err
	}
	if err := tx.FactorUsed(ctx, f.ID, s.clock.Now()); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: EvMFAVerify, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Code verified",
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeTOTP}})
}

// EnrollTOTP sets up a pending authenticator app factor (Factors API,
// account page) and returns it with its setup.
func (s *Factors) EnrollTOTP(ctx context.Context, userID, provider string) (*Factor, *TOTPSetup, error) {
	var f *Factor
	var st *TOTPSetup
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		f, st, err = s.enrollTOTP(ctx, tx, set, u, provider)
		return err
	})
	return f, st, err
}

// ActivateTOTP activates a pending authenticator app factor with its
// first code.
func (s *Factors) ActivateTOTP(ctx context.Context, userID, factorID, code string) (*Factor, error) {
	var f *Factor
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		if f, err = factorByIDOfType(ctx, tx, u.ID, factorID, FactorTypeTOTP); err != nil {
			return err
		}
		return s.activateTOTP(ctx, tx, set, u, f, code)
	})
	return f, err
}

// TOTPQRKey is the opaque part of the QR code link of a pending TOTP
// factor: an HMAC, under a key only the server holds, of the factor id and
// its sealed secret (which holds a random nonce). It is unguessable, known
// only to whoever was given the enrollment, stale once the factor is
// enrolled again, and cannot be computed from a copy of the database.
func (s *Factors) TOTPQRKey(f *Factor) string {
	m := hmac.New(sha256.New, s.phoneID)
	m.Write([]byte("totp-qr:" + f.ID + ":"))
	m.Write(f.Secret)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// TOTPSetupOf returns the setup of a pending authenticator app factor
// whose QR key is key (its QR code is served while it awaits activation;
// never after). Refusal: ENotFound for anything else.
func (s *Factors) TOTPSetupOf(ctx context.Context, userID, factorID, key string) (*TOTPSetup, error) {
	var st *TOTPSetup
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		f, err := factorByIDOfType(ctx, tx, u.ID, factorID, FactorTypeTOTP)
		if err != nil {
			return err
		}
		if f.Status != FactorPending || subtle.ConstantTimeCompare([]byte(s.TOTPQRKey(f)), []byte(key)) != 1 {
			return FactorNotFound(factorID)
		}
		st, err = s.totpSetup(set, u, f)
		return err
	})
	return st, err
}

// UserFactors returns every factor of a user, in the order set up.
func (s *Factors) UserFactors(ctx context.Context, userID string) ([]Factor, error) {
	var out []Factor
	err := s.view(ctx, func(tx Tx) error {
		u, err := tx.GetUser(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return userNotFound(userID)
		} else if err != nil {
			return err
		}
		out, err = tx.ListFactors(ctx, u.ID)
		return err
	})
	return out, err
}

// factorByIDOfType returns the user's factor factorID when it is of type
// typ. Refusal: RFactorNotFound for any other.
func factorByIDOfType(ctx context.Context, tx Tx, userID, factorID, typ string) (*Factor, error) {
	f, err := getFactor(ctx, tx, userID, factorID)
	if err != nil {
		return nil, err
	}
	if f.Type != typ {
		return nil, FactorNotFound(factorID)
	}
	return f, nil
}
