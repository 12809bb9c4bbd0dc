package mfa

import (
	"context"
	"errors"
	"strconv"
	"time"

	"smsmfa/internal/otp"
	"smsmfa/internal/phone"
)

// checkCode checks a typed code against the newest challenge of factor f for
// purpose, inside tx with u locked, and consumes it when it matches. Wrong
// codes count against the challenge (dead after its tries) and against the
// user (locked after the org's limit in a row). The caller records the
// success event; failures are recorded here.
func (s *core) checkCode(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, purpose Purpose, input, scope string) (*Challenge, error) {
	now := s.clock.Now()
	target := userParty(u)
	fail := func(e *Error) (*Challenge, error) {
		err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: target, Outcome: OutcomeFailure, Reason: string(e.Reason), Message: e.Message,
			Details: map[string]string{"factor_id": f.ID, "factor_type": f.Type, "purpose": string(purpose)}})
		if err != nil {
			return nil, err
		}
		return nil, e
	}
	if u.Locked(now) {
		return fail(lockedError(u))
	}
	code := otp.Normalize(input)
	if code == "" {
		if f.Type == FactorTypeCall {
			return nil, Errorf(EInvalid, RCodeMissing, "Enter the %d-digit code from the call.", set.CodeLength)
		}
		return nil, Errorf(EInvalid, RCodeMissing, "Enter the %d-digit code from the text message.", set.CodeLength)
	}
	if err := s.checkGuesses(ctx, tx, set, now); err != nil {
		if r, ok := asRefusal(err); ok {
			return fail(r)
		}
		return nil, err
	}
	ch, err := tx.LatestChallenge(ctx, f.ID, purpose, scope)
	if errors.Is(err, ErrNotFound) {
		return fail(Errorf(EForbidden, RCodeExpired, "No code has been sent yet. Ask for a code first."))
	}
	if err != nil {
		return nil, err
	}
	switch {
	case !ch.Consumed.IsZero():
		return fail(Errorf(EForbidden, RCodeUsed, "This code has already been used. Ask for a new code."))
	case ch.Attempts >= ch.MaxAttempts:
		return fail(Errorf(EForbidden, RCodeExpired, "Too many wrong tries for this code. Ask for a new code."))
	case !ch.Dead.IsZero():
		return fail(Errorf(EForbidden, RCodeExpired, "This code is no longer valid because a newer one was sent. Enter the newest code, or ask for a new one."))
	case !now.Before(ch.Expires):
		return fail(Errorf(EForbidden, RCodeExpired, "This code has expired. Ask for a new code."))
	}
	if !otp.Check(s.codeKey, ch.ID, code, ch.CodeMAC) && (s.prevKey == nil || !otp.Check(s.prevKey, ch.ID, code, ch.CodeMAC)) {
		return s.wrongCode(ctx, tx, set, u, f, &ch, purpose, now)
	}
	ok, err := tx.ConsumeChallenge(ctx, ch.ID, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return fail(Errorf(EForbidden, RCodeUsed, "This code has already been used. Ask for a new code."))
	}
	if err := s.noteCodeEntered(ctx, tx, u, f, purpose, &ch); err != nil {
		return nil, err
	}
	if u.FailedMFA != 0 {
		u.FailedMFA = 0
		u.LastUpdated = now
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return nil, err
		}
	}
	ch.Consumed = now
	return &ch, nil
}

// wrongCode counts a wrong code against the challenge and the user.
func (s *core) wrongCode(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, ch *Challenge, purpose Purpose, now time.Time) (*Challenge, error) {
	attempts, _, err := tx.AddAttempt(ctx, ch.ID)
	if err != nil {
		return nil, err
	}
	left := max(ch.MaxAttempts-attempts, 0)
	details := map[string]string{"factor_id": f.ID, "factor_type": f.Type, "purpose": string(purpose), "phone": phone.Mask(ch.PhoneNumber), "tries_left": strconv.Itoa(left)}
	return nil, s.failedFactor(ctx, tx, set, u, now, Event{Type: EvMFAVerify, Reason: string(RCodeWrong), Message: "Wrong code", Details: details}, func() *Error {
		e := Errorf(EForbidden, RCodeWrong, "That code is not right. %s", triesLeft(left))
		e.Remaining = left
		return e
	})
}

// failedFactor counts a failed answer to a factor (a wrong code, a refused
// passkey assertion) against the client's wrong guesses and the user: at
// the org's limit in a row the user is locked out and their challenges
// die. It records failure (Outcome FAILURE, about u) and any lockout, and
// returns refusal() — or the lockout's refusal.
func (s *core) failedFactor(ctx context.Context, tx Tx, set Settings, u *User, now time.Time, failure Event, refusal func() *Error) error {
	if err := s.countGuess(ctx, tx, set, now); err != nil {
		return err
	}
	u.FailedMFA++
	u.LastUpdated = now
	if u.MissedCodes == 0 {
		u.MissedSince = now
	}
	u.MissedCodes++
	locked := u.FailedMFA >= set.MFALockFailures
	if locked {
		lockOut(u, set, now)
		if err := tx.KillAllChallenges(ctx, u.ID, now); err != nil {
			return err
		}
	}
	if err := tx.UpdateUser(ctx, *u); err != nil {
		return err
	}
	failure.Target, failure.Outcome = userParty(u), OutcomeFailure
	if err := s.record(ctx, tx, failure); err != nil {
		return err
	}
	if locked {
		msg := "User locked out until " + u.LockedUntil.Format(time.RFC3339)
		if u.LockedUntilUnlocked() {
			msg = "User locked out until an administrator unlocks them"
		}
		if err := s.record(ctx, tx, Event{Type: EvAccountLock, Severity: SeverityWarn, Target: userParty(u), Outcome: OutcomeSuccess,
			Reason: "too many failed verifications", Message: msg,
			Details: map[string]string{"lockouts_in_24h": strconv.Itoa(u.MFALockouts), "failed_codes_since_sign_in": strconv.Itoa(u.MissedCodes)}}); err != nil {
			return err
		}
		return lockedError(u)
	}
	return refusal()
}

func triesLeft(n int) Phrase {
	switch n {
	case 0:
		return Phrase{Format: "This code cannot be used any more: ask for a new code."}
	case 1:
		return Phrase{Format: "You have 1 more try with this code."}
	}
	return Phrase{Format: "You have %d more tries with this code.", Args: []any{n}}
}

// lockOut locks u after a run of failed verifications. Lockouts less than
// 24 hours apart form a streak: each lasts twice as long as the one before,
// and the org's mfa_lockouts_to_admin-th leaves the user locked until an
// administrator unlocks them. With the defaults (10 failures, 15 minutes,
// 3 lockouts) somebody guessing codes gets 30 guesses: 10, a 15-minute
// lock, 10, a 30-minute lock, 10, and a lock only an administrator ends.
func lockOut(u *User, set Settings, now time.Time) {
	if !u.LastMFALockout.IsZero() && now.Sub(u.LastMFALockout) < 24*time.Hour {
		u.MFALockouts++
	} else {
		u.MFALockouts = 1
	}
	u.LastMFALockout = now
	u.FailedMFA = 0
	if set.MFALocksToAdmin > 0 && u.MFALockouts >= set.MFALocksToAdmin {
		u.LockedUntil = UntilUnlocked
		return
	}
	u.LockedUntil = now.Add(set.MFALockDuration << min(u.MFALockouts-1, 10))
}
