package mfa

import (
	"context"
	"strings"
)

// Observer is told the security decisions once they took effect (their
// unit of work committed), for the metrics. Every value it is given is
// from a fixed set (named in each method), never a user's input.
type Observer interface {
	// SignIn: a password check (sign-in, password confirmation) and its
	// outcome: success, wrong_password, unknown_user, locked, inactive,
	// rate_limited (too many checks from the address), busy (the hashing
	// queue was full).
	SignIn(outcome string)
	// Verification: a code typed (at sign-in, or at enrollment unless
	// right: a right one there is a factor activation), and its outcome: success, wrong_code,
	// expired, used, missing, locked, rate_limited (too many wrong codes
	// from the address), refused (anything else).
	Verification(outcome string)
	// Lockout: a user was locked out; cause password or code.
	Lockout(cause string)
	// Refusal: a request was refused by a limit (see refusalRule; also
	// busy: the password hashing queue was full; authn_rate and api_rate:
	// the per-minute request limits).
	Refusal(rule string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) SignIn(string)       {}
func (nopObserver) Verification(string) {}
func (nopObserver) Lockout(string)      {}
func (nopObserver) Refusal(string)      {}

// observedTx is the Tx a unit of work runs in: it keeps the events
// recorded, told to the Observer once the work committed.
type observedTx struct {
	Tx
	events []Event
}

func (t *observedTx) InsertEvent(ctx context.Context, e *Event) error {
	if err := t.Tx.InsertEvent(ctx, e); err != nil {
		return err
	}
	t.events = append(t.events, Event{Type: e.Type, Outcome: e.Outcome, Reason: e.Reason})
	return nil
}

// observe tells the observer what the committed events and the refusal
// (nil when none) of one unit of work mean. Limit refusals are counted from
// the refusal (every one), not from the events (a refusal is recorded once
// per minute and address for some rules).
func (s *core) observe(events []Event, refusal *Error) {
	for _, e := range events {
		switch e.Type {
		case EvSignIn, EvReauth:
			s.obs.SignIn(signInOutcome(e))
		case EvMFAVerify:
			// A verification is a code checked (success or failure); a
			// code refused before it was sent (locked user) is denied
			// and is not one.
			if e.Outcome == OutcomeSuccess || e.Outcome == OutcomeFailure {
				s.obs.Verification(verifyOutcome(e))
			}
		case EvAccountLock:
			cause := "other"
			switch {
			case strings.Contains(e.Reason, "password"):
				cause = "password"
			case strings.Contains(e.Reason, "verification"):
				cause = "code"
			}
			s.obs.Lockout(cause)
		}
	}
	if refusal == nil {
		return
	}
	if rule := refusalRule(refusal.Reason); rule != "" {
		s.obs.Refusal(rule)
	}
	if refusal.Reason == RPasswordRate {
		s.obs.SignIn("rate_limited")
	}
	// A guess-limit refusal is a verification event (FAILURE, reason
	// guess_limit): verifyOutcome counts it as rate_limited, once.
}

func signInOutcome(e Event) string {
	switch {
	case e.Outcome == OutcomeSuccess:
		return "success"
	case e.Reason == "INVALID_CREDENTIALS":
		return "wrong_password"
	case e.Reason == "unknown user":
		return "unknown_user"
	case e.Reason == "locked out":
		return "locked"
	case strings.HasPrefix(e.Reason, "user "):
		return "inactive"
	}
	return "refused"
}

func verifyOutcome(e Event) string {
	if e.Outcome == OutcomeSuccess {
		return "success"
	}
	switch Reason(e.Reason) {
	case RCodeWrong:
		return "wrong_code"
	case RCodeExpired:
		return "expired"
	case RCodeUsed, RCodeReplayed:
		return "used"
	case RGuessLimit:
		return "rate_limited"
	case RCodeMissing:
		return "missing"
	case RUserLocked:
		return "locked"
	}
	return "refused"
}

// refusalRule names the limit behind a refusal, or "" when it is not a
// limit's.
func refusalRule(r Reason) string {
	switch r {
	case RPhoneLimit:
		return "per_number"
	case RUserLimit:
		return "per_user"
	case RIPLimit:
		return "per_ip"
	case RBudget:
		return "budget"
	case RRangeThrottled:
		return "fraud_throttle"
	case RCountryCap:
		return "country_cap"
	case RNumberBlocked:
		return "number_blocked"
	case RResendTooSoon, RCallTooSoon:
		return "resend_cooldown"
	case RVoiceBudget:
		return "voice_budget"
	case RActivationLimit:
		return "activation_limit"
	case RGuessLimit:
		return "guess_limit"
	case RPasswordRate:
		return "password_rate"
	}
	return ""
}
