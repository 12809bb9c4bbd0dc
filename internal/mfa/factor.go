package mfa

import (
	"context"
	"errors"
	"time"

	"smsmfa/internal/phone"
)

// EnrollRequest asks to set up the SMS factor.
type EnrollRequest struct {
	// Phone is the number as typed. Empty means: use the verified number
	// on file (the "set up again without a number" case).
	Phone string
	// Region is the country picked in the UI ("US"); empty means the org's
	// default region.
	Region string
	// UpdatePhone allows replacing a verified number on file with another
	// (Okta's updatePhone=true).
	UpdatePhone bool
	// SkipValidation is Okta's validatePhone:false: accept a possible
	// number that is not in a known range.
	SkipValidation bool
	// Activate makes the factor active at once without a code (Okta's
	// activate=true, management API only).
	Activate bool
}

// FactorState is a user's SMS factor with its verified phone.
type FactorState struct {
	Factor *Factor // nil when not set up
	Phone  *Phone  // nil when no verified number is on file
	// Pending is the newest enrollment challenge still alive: a number
	// being verified (for a new factor or a phone change).
	Pending *Challenge
	// ResendAt is the earliest time another code can be sent.
	ResendAt time.Time
	// SMSEnabled reports whether the org's SMS factor is on; CodeLength is
	// the number of digits in a code.
	SMSEnabled bool
	CodeLength int
	// TOTPEnabled reports whether the org's authenticator app factor is on.
	TOTPEnabled bool
}

// Factors sets up, changes, checks and removes users' SMS factors (the
// Factors API and the account page).
type Factors struct{ *core }

// NewFactors returns the factor service; c needs a Deliverer, a Sealer and
// a CodeKey.
func NewFactors(c Config) *Factors {
	s := &Factors{newCore(c)}
	s.require("Factors", c.Deliver != nil, c.Sealer != nil, len(c.CodeKey) > 0)
	return s
}

// loadUser locks and returns a user who may use factors.
func (s *core) loadUser(ctx context.Context, tx Tx, userID string) (*User, error) {
	u, _, err := s.loadUserSettings(ctx, tx, userID, false)
	return u, err
}

// loadUserSettings is loadUser that also returns the org settings when
// withSettings (their version read with the user: one statement).
func (s *core) loadUserSettings(ctx context.Context, tx Tx, userID string, withSettings bool) (*User, Settings, error) {
	lock := func(id string) (User, int64, error) {
		if withSettings {
			return tx.LockUserSettings(ctx, id)
		}
		u, err := tx.LockUser(ctx, id)
		return u, 0, err
	}
	u, v, err := lock(userID)
	if errors.Is(err, ErrNotFound) { // a login, as Okta's paths accept
		var byLogin User
		if byLogin, err = tx.GetUserByLogin(ctx, NormalizeLogin(userID)); err == nil {
			u, v, err = lock(byLogin.ID)
		}
	}
	if errors.Is(err, ErrNotFound) {
		return nil, Settings{}, userNotFound(userID)
	}
	if err != nil {
		return nil, Settings{}, err
	}
	if u.Status == UserDeprovisioned {
		return nil, Settings{}, Errorf(EForbidden, RNotPermitted, "The user is deactivated.")
	}
	var set Settings
	if withSettings {
		if set, err = s.settingsAt(ctx, tx, v); err != nil {
			return nil, Settings{}, err
		}
	}
	return &u, set, nil
}

// onUser runs fn in a unit of work with the org settings and the user
// (locked) loaded; see run for how refusals and errors are handled.
func (s *core) onUser(ctx context.Context, userID string, fn func(tx Tx, set Settings, u *User) error) error {
	return s.run(ctx, func(tx Tx) error {
		u, set, err := s.loadUserSettings(ctx, tx, userID, true)
		if err != nil {
			return err
		}
		return fn(tx, set, u)
	})
}

// sending is onUser for work that queues a code: once the unit of work
// committed, the message is handed to the deliverer.
func (s *core) sending(ctx context.Context, userID string, fn func(tx Tx, set Settings, u *User) (*Sent, error)) (*Sent, error) {
	var sent *Sent
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		sent, err = fn(tx, set, u)
		return err
	})
	if err != nil {
		return sent, err
	}
	return sent, s.dispatch(ctx, sent)
}

// number reads a typed number under the org's policy, recording a refusal.
func (s *core) number(ctx context.Context, tx Tx, set Settings, u *User, req EnrollRequest) (string, error) {
	n, r := checkNumber(set, req.Phone, req.Region, req.SkipValidation)
	if r != nil {
		if err := s.record(ctx, tx, Event{Type: EvPhoneRefused, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(r.Reason), Message: r.Message,
			Details: map[string]string{"country": n.Region, "type": string(n.Type)}}); err != nil {
			return "", err
		}
		return "", r
	}
	return n.E164, nil
}

func verifiedPhone(ctx context.Context, tx Tx, userID string) (*Phone, error) {
	p, err := tx.GetPhone(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// FactorNotFound is the refusal for an unknown factor id (Okta's wording).
func FactorNotFound(id string) *Error {
	return Errorf(ENotFound, RFactorNotFound, "Not found: Resource not found: %s (UserFactor)", id)
}

// userNotFound is the refusal for an unknown user (Okta's wording).
func userNotFound(id string) *Error {
	return Errorf(ENotFound, RUserNotFound, "Not found: Resource not found: %s (User)", id)
}

func getFactor(ctx context.Context, tx Tx, userID, factorID string) (*Factor, error) {
	f, err := tx.GetFactor(ctx, userID, factorID)
	if errors.Is(err, ErrNotFound) {
		return nil, FactorNotFound(factorID)
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// FactorState returns the user's SMS factor, verified phone and pending
// number change.
func (s *Factors) FactorState(ctx context.Context, userID string) (FactorState, error) {
	var st FactorState
	err := s.view(ctx, func(tx Tx) error {
		if _, err := tx.GetUser(ctx, userID); errors.Is(err, ErrNotFound) {
			return userNotFound(userID)
		} else if err != nil {
			return err
		}
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		st.SMSEnabled, st.CodeLength, st.TOTPEnabled = set.SMSEnabled, set.CodeLength, set.TOTPEnabled
		if last, err := tx.LastChallengeAt(ctx, userID, NoScope); err != nil {
			return err
		} else if !last.IsZero() {
			st.ResendAt = last.Add(set.ResendCooldown)
		}
		if st.Factor, err = factorOfType(ctx, tx, userID, FactorTypeSMS); err != nil {
			return err
		}
		if st.Phone, err = verifiedPhone(ctx, tx, userID); err != nil {
			return err
		}
		if st.Factor != nil {
			ch, err := tx.LatestChallenge(ctx, st.Factor.ID, PurposeEnroll, NoScope)
			if err == nil && ch.Live(s.clock.Now()) {
				st.Pending = &ch
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return st, err
}

// EnrollSMS sets up the SMS factor for a user: it creates (or reuses) a
// pending factor for the number and texts it a code, or, with
// req.Activate, makes it active at once. Refusals: RFactorDisabled,
// RUserNotFound, RFactorExists (already active), RPhoneRequired, the phone
// policy reasons, RPhoneExists (another verified number on file and no
// UpdatePhone), and the sending limits.
func (s *Factors) EnrollSMS(ctx context.Context, userID string, req EnrollRequest) (*Factor, *Sent, error) {
	return s.enrolling(ctx, userID, func(tx Tx, set Settings, u *User) (*Factor, *Sent, error) {
		return s.enroll(ctx, tx, set, u, req, NoScope)
	})
}

// enrolling runs fn, which sets up a factor and may send a code, in a unit
// of work for the user (see sending), and returns its factor and message.
func (s *Factors) enrolling(ctx context.Context, userID string, fn func(tx Tx, set Settings, u *User) (*Factor, *Sent, error)) (*Factor, *Sent, error) {
	var f *Factor
	sent, err := s.sending(ctx, userID, func(tx Tx, set Settings, u *User) (*Sent, error) {
		var snt *Sent
		var err error
		f, snt, err = fn(tx, set, u)
		return snt, err
	})
	return f, sent, err
}

// enroll is EnrollSMS inside a unit of work.
func (s *core) enroll(ctx context.Context, tx Tx, set Settings, u *User, req EnrollRequest, scope string) (*Factor, *Sent, error) {
	now := s.clock.Now()
	if !set.SMSEnabled {
		return nil, nil, Errorf(EForbidden, RFactorDisabled, "Text message codes are not enabled for your organisation.")
	}
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeSMS)
	if err != nil {
		return nil, nil, err
	}
	if f != nil && f.Status == FactorActive {
		return nil, nil, Errorf(EConflict, RFactorExists, "A factor of this type is already set up.")
	}
	if err := checkSeveral(ctx, tx, set, u, FactorTypeSMS); err != nil {
		return nil, nil, err
	}
	onFile, err := verifiedPhone(ctx, tx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	var number string
	switch {
	case req.Phone != "":
		if number, err = s.number(ctx, tx, set, u, req); err != nil {
			return nil, nil, err
		}
		if onFile != nil && onFile.Number != number && !req.UpdatePhone {
			return nil, nil, Errorf(EInvalid, RPhoneExists, "There is an existing verified phone number.")
		}
	case onFile != nil:
		number = onFile.Number
	case f != nil:
		number = f.PhoneNumber
	default:
		return nil, nil, Errorf(EInvalid, RPhoneRequired, "Enter your mobile phone number.")
	}
	isNew := f == nil
	if isNew {
		f = &Factor{ID: s.newID("mbl"), UserID: u.ID, Type: FactorTypeSMS, Status: FactorPending, PhoneNumber: number, Created: now, LastUpdated: now, Provider: FactorProvider}
	}
	changed := !isNew && f.PhoneNumber != number
	f.PhoneNumber = number
	if changed {
		f.LastUpdated = now
	}
	return s.startEnrollment(ctx, tx, set, u, f, isNew, changed, req.Activate, scope)
}

// startEnrollment finishes setting up f, an SMS or call factor on
// f.PhoneNumber that is new or changed (or neither: a code again). With
// activate it is saved and made active at once. Otherwise the code goes
// out first — a refusal (cooldown, limits, budget, blocked number) leaves
// the factor as it was — then the factor is saved and the enrollment
// logged.
func (s *core) startEnrollment(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, isNew, changed, activate bool, scope string) (*Factor, *Sent, error) {
	save := func() error {
		switch {
		case isNew:
			return tx.InsertFactor(ctx, *f)
		case changed:
			return tx.UpdateFactor(ctx, *f)
		}
		return nil
	}
	if activate {
		if err := save(); err != nil {
			return nil, nil, err
		}
		return f, nil, s.activate(ctx, tx, u, f, f.PhoneNumber, s.clock.Now())
	}
	sent, err := s.sendCode(ctx, tx, set, u, f, PurposeEnroll, f.PhoneNumber, scope)
	if err != nil {
		return nil, sent, err
	}
	if err := save(); err != nil {
		return nil, nil, err
	}
	err = s.record(ctx, tx, Event{Type: EvFactorEnroll, Target: userParty(u), Outcome: OutcomeSuccess, Message: KindLabel(f.Type) + " factor enrollment started",
		Details: map[string]string{"factor_id": f.ID, "factor_type": f.Type, "phone": phone.Mask(f.PhoneNumber)}})
	return f, sent, err
}

// activate makes f active on number and records number as verified.
func (s *core) activate(ctx context.Context, tx Tx, u *User, f *Factor, number string, now time.Time) error {
	if f.Type == FactorTypeCall {
		return s.activateCall(ctx, tx, u, f, number, now)
	}
	ev, msg := EvFactorActivate, "SMS factor activated"
	if f.Status == FactorActive {
		ev, msg = EvFactorUpdate, "SMS factor phone number changed"
	}
	f.Status, f.PhoneNumber, f.LastUpdated = FactorActive, number, now
	if err := tx.UpdateFactor(ctx, *f); err != nil {
		return err
	}
	// Codes still out for an earlier number must not change it later.
	if err := tx.KillAllChallenges(ctx, u.ID, now); err != nil {
		return err
	}
	p := Phone{ID: s.newID("mbl"), UserID: u.ID, Number: number, Verified: now, Created: now}
	if old, err := verifiedPhone(ctx, tx, u.ID); err != nil {
		return err
	} else if old != nil {
		p.ID, p.Created = old.ID, old.Created
	}
	if err := tx.PutPhone(ctx, p); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: ev, Target: userParty(u), Outcome: OutcomeSuccess, Message: msg,
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeSMS, "phone": phone.Mask(number)}})
}

// ChangePhone starts replacing the number of an active SMS factor (the
// account page's Reset): it texts a code to the new number (or, with an
// empty Phone, to the current one); the factor keeps its number until
// ActivateSMS checks that code.
func (s *Factors) ChangePhone(ctx context.Context, userID string, req EnrollRequest) (*Sent, error) {
	return s.sending(ctx, userID, func(tx Tx, set Settings, u *User) (*Sent, error) {
		f, err := factorOfType(ctx, tx, userID, FactorTypeSMS)
		if err != nil {
			return nil, err
		}
		if f == nil || f.Status != FactorActive {
			return nil, Errorf(EForbidden, RFactorNotActive, "Text Message Code is not set up yet.")
		}
		number := f.PhoneNumber
		if req.Phone != "" {
			if number, err = s.number(ctx, tx, set, u, req); err != nil {
				return nil, err
			}
		}
		return s.sendCode(ctx, tx, set, u, f, PurposeEnroll, number, NoScope)
	})
}

// ResendEnroll texts a new enrollment code: to a pending factor's number,
// or to the number of a phone change in progress. Refusals:
// RFactorNotFound, RFactorNotPending (nothing to verify), sending limits.
func (s *Factors) ResendEnroll(ctx context.Context, userID, factorID string) (*Sent, error) {
	return s.sending(ctx, userID, func(tx Tx, set Settings, u *User) (*Sent, error) {
		f, err := getFactor(ctx, tx, userID, factorID)
		if err != nil {
			return nil, err
		}
		number := f.PhoneNumber
		if f.Status == FactorActive {
			ch, err := tx.LatestChallenge(ctx, f.ID, PurposeEnroll, NoScope)
			if errors.Is(err, ErrNotFound) || (err == nil && (!ch.Consumed.IsZero() || s.clock.Now().Sub(ch.Created) > time.Hour)) {
				return nil, Errorf(EForbidden, RFactorNotPending, "The factor is already active; there is no number to verify.")
			} else if err != nil {
				return nil, err
			}
			number = ch.PhoneNumber
		}
		return s.sendCode(ctx, tx, set, u, f, PurposeEnroll, number, NoScope)
	})
}

// ActivateSMS checks an enrollment code. A pending factor becomes active; an
// active factor takes the newly verified number. The number becomes the
// user's verified phone. Refusals: RFactorNotFound, RActivationLimit, and
// the code refusals of checkCode.
func (s *Factors) ActivateSMS(ctx context.Context, userID, factorID, code string) (*Factor, error) {
	var f *Factor
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		f, err = s.activateCode(ctx, tx, set, u, factorID, code, NoScope)
		return err
	})
	return f, err
}

// activateCode is ActivateSMS inside a unit of work.
func (s *core) activateCode(ctx context.Context, tx Tx, set Settings, u *User, factorID, code, scope string) (*Factor, error) {
	f, err := getFactor(ctx, tx, u.ID, factorID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	n, err := tx.AddCount(ctx, "activate:"+u.ID, windowStart(now, 5*time.Minute), 1)
	if err != nil {
		return nil, err
	}
	if n > set.ActivationLimit {
		e := Errorf(ERateLimited, RActivationLimit, "Too many attempts. Wait a few minutes, then try again.")
		e.RetryAt, e.Limit = windowStart(now, 5*time.Minute).Add(5*time.Minute), set.ActivationLimit
		err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(e.Reason), Message: e.Message,
			Details: map[string]string{"rule": "activation"}})
		if err != nil {
			return nil, err
		}
		return nil, e
	}
	if f.Type == FactorTypeTOTP {
		return f, s.activateTOTP(ctx, tx, set, u, f, code)
	}
	ch, err := s.checkCode(ctx, tx, set, u, f, PurposeEnroll, code, scope)
	if err != nil {
		return nil, err
	}
	// The shared-number rule again, under the number's lock: codes sent to
	// many users at once must not let more of them verify it than allowed.
	if own, err := s.ownNumber(ctx, tx, u, f, PurposeEnroll, ch.PhoneNumber); err != nil {
		return nil, err
	} else if !own {
		_, err := s.checkSharedNumber(ctx, tx, set, u, ch.PhoneNumber, now)
		if r, ok := asRefusal(err); ok {
			if err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(r.Reason), Message: r.Message,
				Details: map[string]string{"rule": "number_blocked", "phone": phone.Mask(ch.PhoneNumber)}}); err != nil {
				return nil, err
			}
			return nil, r
		} else if err != nil {
			return nil, err
		}
	}
	return f, s.activate(ctx, tx, u, f, ch.PhoneNumber, now)
}

// ChallengeSMS texts a sign-in code to the number of an active factor.
func (s *Factors) ChallengeSMS(ctx context.Context, userID, factorID string) (*Sent, error) {
	return s.sending(ctx, userID, func(tx Tx, set Settings, u *User) (*Sent, error) {
		return s.challenge(ctx, tx, set, u, factorID, NoScope)
	})
}

func (s *core) challenge(ctx context.Context, tx Tx, set Settings, u *User, factorID, scope string) (*Sent, error) {
	f, err := getFactor(ctx, tx, u.ID, factorID)
	if err != nil {
		return nil, err
	}
	if f.Status != FactorActive {
		return nil, Errorf(EForbidden, RFactorNotActive, "This factor is not active yet. Activate it with the code sent at enrollment.")
	}
	if err := s.factorUsable(ctx, tx, set, u, f); err != nil {
		return nil, err
	}
	switch f.Type {
	case FactorTypeTOTP: // nothing to send: the app shows the code
		return nil, nil
	case FactorTypeWebAuthn:
		return nil, notSMS()
	}
	return s.sendCode(ctx, tx, set, u, f, PurposeVerify, f.PhoneNumber, scope)
}

// VerifySMS checks a sign-in code for an active factor.
func (s *Factors) VerifySMS(ctx context.Context, userID, factorID, code string) error {
	return s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		_, err := s.verify(ctx, tx, set, u, factorID, code, NoScope)
		return err
	})
}

// verify checks a sign-in code of factorID and returns the factor.
func (s *core) verify(ctx context.Context, tx Tx, set Settings, u *User, factorID, code, scope string) (*Factor, error) {
	f, err := getFactor(ctx, tx, u.ID, factorID)
	if err != nil {
		return nil, err
	}
	if f.Status != FactorActive {
		return nil, Errorf(EForbidden, RFactorNotActive, "This factor is not active yet.")
	}
	if err := s.factorUsable(ctx, tx, set, u, f); err != nil {
		return nil, err
	}
	switch f.Type {
	case FactorTypeTOTP:
		return f, s.verifyTOTP(ctx, tx, set, u, f, code)
	case FactorTypeWebAuthn:
		return nil, notSMS()
	}
	if _, err := s.checkCode(ctx, tx, set, u, f, PurposeVerify, code, scope); err != nil {
		return nil, err
	}
	if err := tx.FactorUsed(ctx, f.ID, s.clock.Now()); err != nil {
		return nil, err
	}
	return f, s.record(ctx, tx, Event{Type: EvMFAVerify, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Code verified",
		Details: map[string]string{"factor_id": f.ID, "factor_type": f.Type, "phone": phone.Mask(f.PhoneNumber)}})
}

// DeleteFactor removes a user's factor. The verified phone stays on file
// so that setting up again without a number reuses it.
func (s *Factors) DeleteFactor(ctx context.Context, userID, factorID string) error {
	return s.run(ctx, func(tx Tx) error {
		u, err := s.loadUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		f, err := getFactor(ctx, tx, userID, factorID)
		if err != nil {
			return err
		}
		if err := tx.DeleteFactor(ctx, userID, f.ID); err != nil {
			return err
		}
		if err := tx.KillAllChallenges(ctx, userID, s.clock.Now()); err != nil {
			return err
		}
		d := map[string]string{"factor_id": f.ID, "factor_type": f.Type}
		if f.PhoneNumber != "" {
			d["phone"] = phone.Mask(f.PhoneNumber)
		}
		return s.record(ctx, tx, Event{Type: EvFactorDeactivate, Target: userParty(u), Outcome: OutcomeSuccess, Message: KindLabel(f.Type) + " factor removed", Details: d})
	})
}

// ResetFactors removes every factor of a user (an admin's reset). The user
// sets the factor up again at the next sign-in.
func (s *Factors) ResetFactors(ctx context.Context, userID string) error {
	return s.run(ctx, func(tx Tx) error {
		u, err := s.loadUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		fs, err := tx.ListFactors(ctx, userID)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if err := tx.DeleteFactor(ctx, userID, f.ID); err != nil {
				return err
			}
		}
		// Recovery codes stand in for the factors: they go too.
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		if err := tx.KillAllChallenges(ctx, userID, s.clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvFactorResetAll, Target: userParty(u), Outcome: OutcomeSuccess, Message: "All factors reset"})
	})
}

// dispatch hands a queued message to the deliverer after the unit of work
// committed, and reports a permanent failure as an error.
func (s *core) dispatch(ctx context.Context, sent *Sent) error {
	if sent == nil {
		return nil
	}
	sent.Delivery = s.deliver.Deliver(ctx, sent.message)
	if sent.Delivery.State != MessageFailed {
		return nil
	}
	// No code went out: forget the challenge, so the resend cooldown does
	// not hold the user back from correcting the number.
	if err := s.run(ctx, func(tx Tx) error { return tx.DeleteChallenge(ctx, sent.ChallengeID) }); err != nil {
		s.log.ErrorContext(ctx, "forget a challenge whose text failed", "err", err)
	}
	e := Errorf(EUnavailable, RSendFailed, "%s", sendFailure(sent.To, sent.Delivery.Reason))
	if sent.Channel == ChannelVoice {
		e = Errorf(EUnavailable, RSendFailed, "%s", callFailure(sent.To, sent.Delivery.Reason))
	}
	e.Cause = sent.Delivery.Reason
	return e
}

// causeNoProvider is the cause of a send refused because no SMS provider
// is in service (sms.NoProvider): the deployment, not the number, is at
// fault.
const causeNoProvider = "no_provider"

// sendFailure tells a user why a text to number could not be sent, from
// the provider's reason; provider wording never reaches the user.
func sendFailure(number, reason string) Phrase {
	if reason == causeNoProvider {
		return Phrase{Format: "Text messages cannot be sent: no SMS provider is configured. Contact your administrator."}
	}
	return Phrase{Format: "We could not send a text message to %s: %s", Args: []any{phone.Mask(number), failurePhrase(reason)}}
}

// failurePhrase tells a user why a text could not be sent, from the
// provider's reason.
func failurePhrase(reason string) Phrase {
	switch reason {
	case "invalid_number":
		return Phrase{Format: "the number does not exist. Check it, or use a different one."}
	case "landline":
		return Phrase{Format: "the number cannot receive text messages. Use a mobile number."}
	case "opted_out":
		return Phrase{Format: "the number has opted out of our text messages. Reply START to our number, or use a different one."}
	case "blocked", "unreachable":
		return Phrase{Format: "the carrier did not accept it. Try again later, or use a different number."}
	}
	return Phrase{Format: "our text message providers refused it. Try again later, or contact your administrator."}
}

// callFailure tells a user why a call to number could not be placed.
func callFailure(number, reason string) Phrase {
	switch reason {
	case causeNoProvider:
		return Phrase{Format: "Voice calls cannot be made: no provider that places calls is configured. Contact your administrator."}
	case "invalid_number":
		return Phrase{Format: "We could not call %s: the number does not exist. Check it, or use a different one.", Args: []any{phone.Mask(number)}}
	case "blocked", "unreachable":
		return Phrase{Format: "We could not call %s: the carrier did not accept the call. Try again later, or use a different number.", Args: []any{phone.Mask(number)}}
	}
	return Phrase{Format: "We could not call %s: our voice providers refused the call. Try again later, or contact your administrator.", Args: []any{phone.Mask(number)}}
}
