package mfa

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/password"
	"smsmfa/internal/secret"
)

// SessionTokenLifetime is how long a one-time session token can be exchanged.
const SessionTokenLifetime = 5 * time.Minute

// TxnView is a transaction with what a client needs to show it.
type TxnView struct {
	Txn  Transaction
	User User
	// Factor is the factor in play in MFA_ENROLL_ACTIVATE and MFA_CHALLENGE.
	Factor *Factor
	// Factors are the user's active factors (MFA_REQUIRED).
	Factors []Factor
	// Phone is the user's verified phone, if any (MFA_ENROLL).
	Phone *Phone
	// Pending is the live challenge of Factor, if any: its number and when
	// another code can be requested.
	Pending  *Challenge
	ResendAt time.Time
	// SMSEnabled reports whether the org's SMS factor is on.
	SMSEnabled bool
	// CodeLength is the number of digits in a code.
	CodeLength int
	// Kinds are the factor kinds the org offers (MFA_ENROLL lists them);
	// Several reports whether a user may set up more than one.
	Kinds   []FactorKind
	Several bool
	// TOTP is the setup of the authenticator app factor being activated
	// (MFA_ENROLL_ACTIVATE of a token:software:totp factor).
	TOTP *TOTPSetup
	// RecoveryLeft is the user's unused recovery codes (MFA_REQUIRED,
	// MFA_CHALLENGE).
	RecoveryLeft int
	// Creation and Request are the options of the webauthn ceremony the
	// step started (registration or sign-in), for the browser.
	Creation *CreationOptions
	Request  *RequestOptions
	// Passkeys are the user's webauthn credentials (when the factor is on).
	Passkeys []WebAuthnCredential
}

// Offers reports whether the org offers factors of type typ (one of
// v.Kinds).
func (v *TxnView) Offers(typ string) bool {
	return slices.ContainsFunc(v.Kinds, func(k FactorKind) bool { return k.Type == typ })
}

// invalidToken is the refusal for an unknown, expired, used or cancelled
// state token (Okta E0000011).
func invalidToken() *Error {
	return Errorf(EUnauthorized, RInvalidToken, "Your sign-in has expired. Please sign in again.")
}

// wrongState is the refusal for an operation that does not fit the state.
func wrongState() *Error {
	return Errorf(EForbidden, RWrongState, "This operation is not allowed in the current authentication state.")
}

// Signin is the sign-in state machine (Okta's authn transactions) that the
// web pages and the authn API both drive: password, then enrollment or a
// code, then a one-time session token.
type Signin struct{ *core }

// NewSignin returns the sign-in service; c needs a Hasher, a Deliverer, a
// Sealer and a CodeKey.
func NewSignin(c Config) *Signin {
	s := &Signin{newCore(c)}
	s.require("Signin", c.Hasher != nil, c.Deliver != nil, c.Sealer != nil, len(c.CodeKey) > 0)
	return s
}

// PrimaryAuth checks a login and password and starts a sign-in transaction.
// Wrong login, wrong password, a locked, staged or deactivated user all give
// the same refusal (RAuthFailed) after the same work, so nobody can learn
// which logins exist. With the SMS factor off, the transaction is at
// SUCCESS at once; otherwise at MFA_ENROLL or MFA_REQUIRED.
func (s *Signin) PrimaryAuth(ctx context.Context, login, pw, relayState string) (*TxnView, error) {
	login = NormalizeLogin(login)
	// The relay state is stored with the transaction.
	relayState, err := FieldRelayState.Check(relayState)
	if err != nil {
		return nil, err
	}
	var u User
	found := false
	err = s.run(ctx, func(tx Tx) error {
		if err := s.countPasswordCheck(ctx, tx); err != nil {
			return err
		}
		if login == "" || len(login) > maxLogin {
			return nil
		}
		var err error
		u, err = tx.GetUserByLogin(ctx, login)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return nil, err
	}
	// Always one hash, known user or not.
	ok, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, pw)
	if errors.Is(err, password.ErrBusy) {
		s.obs.SignIn("busy")
		return nil, s.busy()
	}
	if err != nil && found {
		s.log.ErrorContext(ctx, "password verify", "user", u.ID, "err", err)
		ok = false
	}
	failed := Errorf(EUnauthorized, RAuthFailed, "Sign-in failed. Check your username and password.")
	var view *TxnView
	err = s.run(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !found {
			if err := s.record(ctx, tx, Event{Type: EvSignIn, Actor: Party{ID: "unknown", Type: "User", AlternateID: login},
				Outcome: OutcomeFailure, Reason: "unknown user", Message: "Sign-in failed"}); err != nil {
				return err
			}
			return failed
		}
		u, err = tx.LockUser(ctx, u.ID)
		if err != nil {
			return err
		}
		target := userParty(&u)
		switch {
		case u.Locked(now):
			if err := s.record(ctx, tx, Event{Type: EvSignIn, Target: target, Outcome: OutcomeDeny, Reason: "locked out", Message: "Sign-in refused: user locked out"}); err != nil {
				return err
			}
			return failed
		case !ok:
			if _, err := s.wrongPassword(ctx, tx, set, &u, now, EvSignIn, "Sign-in failed: wrong password"); err != nil {
				return err
			}
			return failed
		case u.Status != UserActive:
			if err := s.record(ctx, tx, Event{Type: EvSignIn, Target: target, Outcome: OutcomeDeny, Reason: "user " + strings.ToLower(string(u.Status)), Message: "Sign-in refused: user not active"}); err != nil {
				return err
			}
			return failed
		}
		u.FailedPasswords = 0
		u.LastUpdated = now
		if rehash {
			if h, err := s.hasher.Hash(ctx, pw); err == nil {
				u.PasswordHash = h
			}
		}
		token := s.newToken("00")
		t := Transaction{ID: s.newID("atx"), TokenHash: secret.HashToken(token), UserID: u.ID, Created: now,
			Expires: now.Add(set.TxnLifetime), RelayState: relayState, ClientIP: ClientFrom(ctx).IP, StateToken: token}
		fs, err := tx.ListFactors(ctx, u.ID)
		if err != nil {
			return err
		}
		// Factors of kinds the org turned off do not count: their user
		// sets up an enabled kind.
		switch {
		case !MFARequired(set):
			t.Status = TxnSuccess
		case len(usableFactors(set, fs)) > 0:
			t.Status = TxnMFARequired
		default:
			t.Status = TxnMFAEnroll
		}
		if err := s.record(ctx, tx, Event{Type: EvSignIn, Target: target, Outcome: OutcomeSuccess, Message: "Password verified",
			Details: map[string]string{"next": string(t.Status)}}); err != nil {
			return err
		}
		if t.Status == TxnSuccess {
			s.succeed(&t, &u, now)
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertTransaction(ctx, t); err != nil {
			return err
		}
		view, err = s.txnView(ctx, tx, set, t, u)
		return err
	})
	return view, err
}

// succeed moves t to SUCCESS with a new one-time session token.
func (s *Signin) succeed(t *Transaction, u *User, now time.Time) {
	tok := s.newToken("20")
	t.Status = TxnSuccess
	t.SessionToken = tok
	t.SessionTokenHash = secret.HashToken(tok)
	t.SessionTokenExpires = now.Add(SessionTokenLifetime)
	u.LastLogin = now
	// The user is told of the failed code attempts since their last
	// sign-in, once.
	t.MissedCodes, t.MissedSince = u.MissedCodes, u.MissedSince
	u.MissedCodes, u.MissedSince = 0, time.Time{}
}

// txnStep runs fn on the transaction of stateToken when its status is one
// of allowed. It slides the transaction's expiry and returns its new view.
// Refusals: RInvalidToken (unknown, expired, finished), RWrongState,
// RUserLocked, and whatever fn refuses.
func (s *Signin) txnStep(ctx context.Context, stateToken string, allowed []TxnStatus, fn func(tx Tx, set Settings, t *Transaction, u *User) error) (*TxnView, error) {
	var view *TxnView
	err := s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		t, err := tx.GetTransactionByToken(ctx, secret.HashToken(stateToken))
		if errors.Is(err, ErrNotFound) {
			return invalidToken()
		}
		if err != nil {
			return err
		}
		if !now.Before(t.Expires) || t.Status == TxnSuccess || t.Status == TxnCancelled {
			return invalidToken()
		}
		t.StateToken = stateToken
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		u, err := tx.LockUser(ctx, t.UserID)
		if errors.Is(err, ErrNotFound) {
			return invalidToken()
		}
		if err != nil {
			return err
		}
		if u.Status != UserActive {
			return invalidToken()
		}
		t.Expires = now.Add(set.TxnLifetime)
		// A refusal of the step still keeps the slid expiry (and whatever
		// the step counted); any other error rolls everything back.
		var refusal error
		switch {
		case allowed != nil && !slices.Contains(allowed, t.Status):
			refusal = wrongState()
		case u.Locked(now) && allowed != nil: // reading or cancelling works while locked
			refusal = lockedError(&u)
		default:
			if err := fn(tx, set, &t, &u); err != nil {
				if !IsRefusal(err) {
					return err
				}
				refusal = err
			}
		}
		if err := tx.UpdateTransaction(ctx, t); err != nil {
			return err
		}
		if refusal != nil {
			return refusal
		}
		view, err = s.txnView(ctx, tx, set, t, u)
		return err
	})
	return view, err
}

// stepFactor resolves the factor a step names: "" means the factor in play
// (t.FactorID), or else the user's usable factor offered first (the most
// recently set up). The web UI passes ""; API
// clients name the factor from the links they were given.
func stepFactor(ctx context.Context, tx Tx, set Settings, t *Transaction, u *User, factorID string) (string, error) {
	if factorID != "" {
		return factorID, nil
	}
	if t.FactorID != "" {
		return t.FactorID, nil
	}
	fs, err := tx.ListFactors(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if us := usableFactors(set, fs); len(us) > 0 {
		return us[0].ID, nil
	}
	return "", nil
}

// inPlay returns the factor of a step that acts on the factor in play in
// t: factorID, or t's when factorID is empty. Refusal: ENotFound for
// another factor.
func inPlay(t *Transaction, factorID string) (string, error) {
	if factorID == "" {
		factorID = t.FactorID
	}
	if factorID != t.FactorID {
		return "", FactorNotFound(factorID)
	}
	return factorID, nil
}

// txnSend is txnStep for a step that queues a code: once the unit of work
// committed, the message is handed to the deliverer.
func (s *Signin) txnSend(ctx context.Context, stateToken string, allowed []TxnStatus, fn func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error)) (*TxnView, *Sent, error) {
	var sent *Sent
	v, err := s.txnStep(ctx, stateToken, allowed, func(tx Tx, set Settings, t *Transaction, u *User) error {
		var err error
		sent, err = fn(tx, set, t, u)
		return err
	})
	if err != nil {
		return v, sent, err
	}
	return v, sent, s.dispatch(ctx, sent)
}

// txnView builds the TxnView of t.
func (s *Signin) txnView(ctx context.Context, tx Tx, set Settings, t Transaction, u User) (*TxnView, error) {
	v := &TxnView{Txn: t, User: u, SMSEnabled: set.SMSEnabled, CodeLength: set.CodeLength, Kinds: EnabledKinds(set), Several: set.FactorsSeveral}
	fs, err := tx.ListFactors(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v.Factors = usableFactors(set, fs)
	if t.Status == TxnMFARequired || t.Status == TxnMFAChallenge {
		if v.RecoveryLeft, err = tx.CountRecoveryCodes(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	for i := range fs {
		if fs[i].ID == t.FactorID {
			v.Factor = &fs[i]
		}
	}
	if v.Factor != nil && v.Factor.Type == FactorTypeTOTP && v.Factor.Status == FactorPending && t.Status == TxnMFAEnrollActivate {
		if v.TOTP, err = s.totpSetup(set, &u, v.Factor); err != nil {
			return nil, err
		}
	}
	if v.Phone, err = verifiedPhone(ctx, tx, u.ID); err != nil {
		return nil, err
	}
	if set.WebAuthnEnabled {
		if v.Passkeys, err = tx.ListWebAuthnCredentials(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if v.Factor != nil {
		purpose := PurposeVerify
		if t.Status == TxnMFAEnrollActivate {
			purpose = PurposeEnroll
		}
		ch, err := tx.LatestChallenge(ctx, v.Factor.ID, purpose, t.ID)
		if err == nil && ch.Live(s.clock.Now()) {
			v.Pending = &ch
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	last, err := tx.LastChallengeAt(ctx, u.ID, t.ID)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		v.ResendAt = last.Add(set.ResendCooldown)
	}
	return v, nil
}

// Txn returns the current state of a transaction (and slides its expiry).
func (s *Signin) Txn(ctx context.Context, stateToken string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, nil, func(Tx, Settings, *Transaction, *User) error { return nil })
}

// TxnEnroll enrolls the SMS factor in MFA_ENROLL and moves to
// MFA_ENROLL_ACTIVATE once the code is queued.
func (s *Signin) TxnEnroll(ctx context.Context, stateToken string, req EnrollRequest) (*TxnView, *Sent, error) {
	req.Activate = false
	v, sent, err := s.txnSend(ctx, stateToken, []TxnStatus{TxnMFAEnroll}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		f, sent, err := s.enroll(ctx, tx, set, u, req, t.ID)
		if err != nil {
			return sent, err
		}
		t.FactorID, t.Status = f.ID, TxnMFAEnrollActivate
		return sent, nil
	})
	if ReasonOf(err) == RSendFailed {
		// The number cannot be texted: back to MFA_ENROLL, so the user (or
		// the widget's validatePhone retry) can enter another.
		if back, perr := s.TxnPrevious(ctx, stateToken); perr == nil {
			v = back
		}
	}
	return v, sent, err
}

// TxnEnrollTOTP sets up an authenticator app factor in MFA_ENROLL and
// moves to MFA_ENROLL_ACTIVATE, whose view carries the setup (secret and
// QR code URI).
func (s *Signin) TxnEnrollTOTP(ctx context.Context, stateToken, provider string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnroll}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		f, _, err := s.enrollTOTP(ctx, tx, set, u, provider)
		if err != nil {
			return err
		}
		t.FactorID, t.Status = f.ID, TxnMFAEnrollActivate
		return nil
	})
}

// TxnActivate checks the enrollment code in MFA_ENROLL_ACTIVATE; on success
// the factor is active and the transaction reaches SUCCESS.
func (s *Signin) TxnActivate(ctx context.Context, stateToken, factorID, code string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnrollActivate}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		factorID, err := inPlay(t, factorID)
		if err != nil {
			return err
		}
		// Enrollment activates a pending factor; one set up meanwhile
		// (by an admin) is not changed by this transaction's code.
		if f, err := getFactor(ctx, tx, u.ID, factorID); err != nil {
			return err
		} else if f.Status != FactorPending {
			return wrongState()
		}
		if _, err := s.activateCode(ctx, tx, set, u, factorID, code, t.ID); err != nil {
			return err
		}
		s.succeed(t, u, s.clock.Now())
		return tx.UpdateUser(ctx, *u)
	})
}

// TxnResendEnroll texts a new enrollment code in MFA_ENROLL_ACTIVATE.
func (s *Signin) TxnResendEnroll(ctx context.Context, stateToken, factorID string) (*TxnView, *Sent, error) {
	return s.txnSend(ctx, stateToken, []TxnStatus{TxnMFAEnrollActivate}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		factorID, err := inPlay(t, factorID)
		if err != nil {
			return nil, err
		}
		f, err := getFactor(ctx, tx, u.ID, factorID)
		if err != nil {
			return nil, err
		}
		if f.Status != FactorPending {
			return nil, wrongState()
		}
		return s.sendCode(ctx, tx, set, u, f, PurposeEnroll, f.PhoneNumber, t.ID)
	})
}

// TxnChallenge texts a sign-in code (MFA_REQUIRED, or a new code in
// MFA_CHALLENGE) and moves to MFA_CHALLENGE.
func (s *Signin) TxnChallenge(ctx context.Context, stateToken, factorID string) (*TxnView, *Sent, error) {
	return s.txnSend(ctx, stateToken, []TxnStatus{TxnMFARequired, TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		factorID, err := stepFactor(ctx, tx, set, t, u, factorID)
		if err != nil {
			return nil, err
		}
		sent, err := s.challenge(ctx, tx, set, u, factorID, t.ID)
		if err != nil {
			return sent, err
		}
		t.FactorID, t.Status = factorID, TxnMFAChallenge
		return sent, nil
	})
}

// TxnResendChallenge texts a new sign-in code in MFA_CHALLENGE.
func (s *Signin) TxnResendChallenge(ctx context.Context, stateToken, factorID string) (*TxnView, *Sent, error) {
	return s.txnSend(ctx, stateToken, []TxnStatus{TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		factorID, err := inPlay(t, factorID)
		if err != nil {
			return nil, err
		}
		return s.challenge(ctx, tx, set, u, factorID, t.ID)
	})
}

// TxnVerify checks a sign-in code in MFA_CHALLENGE; on success the
// transaction reaches SUCCESS.
func (s *Signin) TxnVerify(ctx context.Context, stateToken, factorID, code string) (*TxnView, error) {
	stepped := false
	v, err := s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAChallenge, TxnMFARequired}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		stepped = true
		factorID, err := stepFactor(ctx, tx, set, t, u, factorID)
		if err != nil {
			return err
		}
		if t.Status == TxnMFAChallenge && factorID != t.FactorID {
			return FactorNotFound(factorID)
		}
		f, err := s.verify(ctx, tx, set, u, factorID, code, t.ID)
		if err != nil {
			return err
		}
		t.FactorID = factorID // the factor verified: the sign-in's amr says so
		s.verified(set, t, u, f.Type)
		return tx.UpdateUser(ctx, *u)
	})
	if !stepped && ReasonOf(err) == RUserLocked {
		// Refused before the code was looked at (no event): a code typed
		// by a locked-out user, for the metrics.
		s.obs.Verification("locked")
	}
	return v, err
}

// TxnPrevious goes back one step: MFA_ENROLL_ACTIVATE → MFA_ENROLL,
// MFA_CHALLENGE → MFA_REQUIRED.
func (s *Signin) TxnPrevious(ctx context.Context, stateToken string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnrollActivate, TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		if t.Status == TxnMFAEnrollActivate {
			t.Status = TxnMFAEnroll
		} else {
			t.Status = TxnMFARequired
		}
		t.FactorID = ""
		return nil
	})
}

// TxnCancel ends a transaction; its state token stops working.
func (s *Signin) TxnCancel(ctx context.Context, stateToken string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, nil, func(tx Tx, set Settings, t *Transaction, u *User) error {
		t.Status = TxnCancelled
		return tx.KillChallenges(ctx, u.ID, t.ID, s.clock.Now())
	})
}

// TakeSessionToken exchanges a one-time session token (from a transaction
// that reached SUCCESS) for the user it signs in. It works once, within
// SessionTokenLifetime.
func (s *Signin) TakeSessionToken(ctx context.Context, token string) (*User, AMR, error) {
	var u *User
	var amr AMR
	err := s.run(ctx, func(tx Tx) error {
		var err error
		u, amr, err = s.takeSessionToken(ctx, tx, token)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return u, amr, nil
}

// takeSessionToken consumes a one-time session token inside tx and returns
// the user it signs in and how they authenticated. Refusal: RInvalidToken.
func (s *core) takeSessionToken(ctx context.Context, tx Tx, token string) (*User, AMR, error) {
	id, factorID, err := tx.TakeSessionToken(ctx, secret.HashToken(token), s.clock.Now())
	if errors.Is(err, ErrNotFound) {
		return nil, nil, invalidToken()
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := tx.GetUser(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, invalidToken()
	} else if err != nil {
		return nil, nil, err
	}
	if u.Status != UserActive || u.Locked(s.clock.Now()) {
		return nil, nil, invalidToken()
	}
	amr, err := s.signInAMR(ctx, tx, u.ID, factorID)
	if err != nil {
		return nil, nil, err
	}
	return &u, amr, nil
}

// countPasswordCheck counts one password check against the client's
// address (a /64 for IPv6) in the current minute, and refuses it over the
// org's limit_password_minute: each check is an argon2id hash, so one
// address cannot take the server's hashing for itself. The refusal is in
// the system log once per address and minute. Calls from a server with no
// end-user address are bounded by the hashing queue instead (busy).
func (s *core) countPasswordCheck(ctx context.Context, tx Tx) error {
	c := ClientFrom(ctx)
	if c.IP == "" || c.ServerSide {
		return nil
	}
	set, err := s.settings(ctx, tx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	w := windowStart(now, time.Minute)
	bucket := "pwcheck:" + AddressBucket(c.IP)
	n, err := tx.AddCount(ctx, bucket, w, 1)
	if err != nil {
		return err
	}
	if n <= set.PasswordPerMinute {
		return nil
	}
	if n == set.PasswordPerMinute+1 {
		if err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: SystemActor, Outcome: OutcomeDeny, Reason: string(RPasswordRate),
			Message: "Too many password checks from one address", Details: map[string]string{"bucket": bucket, "limit": strconv.Itoa(set.PasswordPerMinute)}}); err != nil {
			return err
		}
	}
	e := Errorf(ERateLimited, RPasswordRate, "Too many sign-in attempts from your network. Wait a minute, then try again.")
	e.RetryAt, e.Limit = w.Add(time.Minute), set.PasswordPerMinute
	return e
}

// busy is the refusal for a password check that found the hashing queue
// full. It is told to the system log at most once a minute per instance,
// with the number refused since, so a flood costs no write per request.
func (s *core) busy() error {
	now := s.clock.Now()
	s.busyMu.Lock()
	s.busyRefused++
	n, log := s.busyRefused, now.Sub(s.busyLogged) >= time.Minute
	if log {
		s.busyLogged, s.busyRefused = now, 0
	}
	s.busyMu.Unlock()
	if log {
		ctx := WithClient(context.Background(), Client{Actor: SystemActor, RequestID: "busy"})
		if err := s.run(ctx, func(tx Tx) error {
			return s.record(ctx, tx, Event{Type: EvRateLimit, Severity: SeverityWarn, Target: SystemActor, Outcome: OutcomeDeny, Reason: string(RBusy),
				Message: "Password checks refused: the hashing queue was full", Details: map[string]string{"refused": strconv.Itoa(n)}})
		}); err != nil {
			s.log.Error("record busy refusals", "err", err)
		}
	}
	s.obs.Refusal("busy") // returned outside any unit of work: counted here
	e := Errorf(ERateLimited, RBusy, "Too many sign-ins are being checked right now. Try again in a few seconds.")
	e.RetryAt, e.Limit = now.Add(2*time.Second), 1
	return e
}
