package mfa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/randid"
)

// First-run setup: while the organisation has no active administrator,
// the first one is created from the setup page, by a client on the
// server's own machine or by anyone holding a setup code that `serve`
// printed to its log. The state is the database's (any instance serves
// any step); the codes are kept only hashed.

// SetupTx keeps the first-run setup codes (only their SHA-256).
type SetupTx interface {
	AddSetupCode(ctx context.Context, hash string, created time.Time) error
	HasSetupCode(ctx context.Context, hash string) (bool, error)
	DeleteSetupCodes(ctx context.Context) error
}

// Setup limits: tries with a setup code in a window, from one client
// address (an IPv6 /64 counts as one) and from all addresses together.
// A code has about 59 bits, so guessing is hopeless anyway; the limits
// keep a stranger from trying at all and put every try in the system log.
const (
	SetupWindow          = 15 * time.Minute
	SetupTriesPerAddress = 5
	SetupTriesOverall    = 30
)

// setupCodeLen is the number of characters of a setup code, drawn from
// setupAlphabet (31 characters, without 0/O and 1/I/L: about 59 bits).
const setupCodeLen = 12

const setupAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// Setup events.
const (
	EvSetupCode     = "system.setup.code.create"
	EvSetupRefused  = "system.setup.refused"
	EvSetupComplete = "system.setup.complete"
)

// RSetupDone refuses first-run setup once an active administrator exists.
const RSetupDone Reason = "setup_done"

// SetupRequest creates the first administrator.
type SetupRequest struct {
	// Local is true when the client is on the server's own machine (a
	// loopback address, reached without a proxy): no code is needed, but
	// one typed is checked.
	Local     bool
	Code      string
	Login     string
	Password  string
	FirstName string
	LastName  string
}

// NeedsSetup reports whether the organisation has no active administrator.
func (s *Users) NeedsSetup(ctx context.Context) (bool, error) {
	var need bool
	err := s.view(ctx, func(tx Tx) error {
		admins, err := tx.ActiveAdmins(ctx)
		need = len(admins) == 0
		return err
	})
	return need, err
}

// StartSetup issues a new setup code while the organisation has no active
// administrator, keeping only its hash, and returns it formatted for
// display (XXXX-XXXX-XXXX); once an admin exists it deletes any codes
// left and returns "". Earlier codes stay valid (another instance may
// have printed them) until one is used or an admin exists.
func (s *Users) StartSetup(ctx context.Context) (string, error) {
	var code string
	err := s.run(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, "smsmfa admins"); err != nil {
			return err
		}
		admins, err := tx.ActiveAdmins(ctx)
		if err != nil {
			return err
		}
		if len(admins) > 0 {
			return tx.DeleteSetupCodes(ctx)
		}
		raw := s.setupCode()
		if err := tx.AddSetupCode(ctx, hashSetupCode(raw), s.clock.Now()); err != nil {
			return err
		}
		code = raw[:4] + "-" + raw[4:8] + "-" + raw[8:]
		return s.record(ctx, tx, Event{Type: EvSetupCode, Target: SystemActor, Outcome: OutcomeSuccess,
			Message: "First-run setup code issued (no active administrator)"})
	})
	return code, err
}

// setupCode draws a code of setupCodeLen characters of setupAlphabet.
func (s *core) setupCode() string {
	var b strings.Builder
	src := randid.New(s.rand)
	for b.Len() < setupCodeLen {
		// Chars draws uniformly from 62 characters; those outside
		// setupAlphabet are skipped, which keeps the draw uniform.
		for _, c := range src.Chars("", setupCodeLen) {
			if strings.ContainsRune(setupAlphabet, c) && b.Len() < setupCodeLen {
				b.WriteRune(c)
			}
		}
	}
	return b.String()
}

// normalizeSetupCode removes what a person adds or changes when copying a
// code: spaces, dashes, lower case.
func normalizeSetupCode(code string) string {
	code = strings.ToUpper(code)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

func hashSetupCode(normalized string) string {
	sum := sha256.Sum256([]byte("smsmfa setup code\x00" + normalized))
	return hex.EncodeToString(sum[:])
}

// SetupAdmin creates the first administrator, active, and returns them.
// The form is checked first (RInvalidInput, RPasswordPolicy); then a
// client that is not local must give a live setup code: each try counts
// towards the setup limits, and each refusal lands in the system log
// (RCodeMissing, RCodeWrong, RGuessLimit). The admin is created in a unit
// of work that checks again, under the admins' lock, that no active
// administrator exists (RSetupDone) and that the code was not used
// meanwhile (RCodeUsed); it deletes every setup code.
func (s *Users) SetupAdmin(ctx context.Context, req SetupRequest) (*User, error) {
	if need, err := s.NeedsSetup(ctx); err != nil {
		return nil, err
	} else if !need {
		return nil, setupDone()
	}
	nu := NewUser{Login: req.Login, Password: req.Password, FirstName: req.FirstName, LastName: req.LastName, Admin: true, Activate: true}
	if req.Password == "" {
		return nil, Errorf(EInvalid, RPasswordPolicy, "password: Enter a password.")
	}
	// The form is checked before the code, so a typing mistake costs no
	// try; the password is hashed after it, so a stranger without a code
	// costs no hashing.
	if _, err := nu.checkAll(); err != nil {
		return nil, err
	}
	code := normalizeSetupCode(req.Code)
	method := "loopback"
	if code != "" || !req.Local {
		method = "setup_code"
		if err := s.checkSetupCode(ctx, code); err != nil {
			return nil, err
		}
	}
	u, err := s.newUser(ctx, nu)
	if err != nil {
		return nil, err
	}
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, "smsmfa admins"); err != nil {
			return err
		}
		admins, err := tx.ActiveAdmins(ctx)
		if err != nil {
			return err
		}
		if len(admins) > 0 {
			return setupDone()
		}
		if code != "" {
			ok, err := tx.HasSetupCode(ctx, hashSetupCode(code))
			if err != nil {
				return err
			}
			if !ok {
				return s.refuseSetup(ctx, tx, "setup_code_used", Errorf(EInvalid, RCodeUsed, "code: This setup code was used already. Sign in with the administrator account it created."))
			}
		}
		if err := s.insertUser(ctx, tx, &u); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvSetupComplete, Target: userParty(&u), Outcome: OutcomeSuccess,
			Message: "First administrator created by first-run setup", Details: map[string]string{"method": method}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func setupDone() *Error {
	return Errorf(ENotFound, RSetupDone, "Setup is complete: this organisation has an administrator. Sign in instead.")
}

// checkSetupCode counts a try of code (an empty one too) from the
// client's address and checks it, in a unit of work whose refusal commits
// the counts and the event. A right code is let through whatever others
// tried; wrong and missing codes also count overall, which bounds the
// refusals (and their events) a stranger with many addresses can cause,
// without letting those tries lock the operator's right code out.
func (s *Users) checkSetupCode(ctx context.Context, code string) error {
	return s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		w := windowStart(now, SetupWindow)
		ip := ClientFrom(ctx).IP
		limited := func(rule string, count, limit int) error {
			// Logged when the limit is crossed, once per address (or
			// overall) and window: a stranger cannot fill the log.
			if count == limit+1 {
				if err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: SystemActor, Outcome: OutcomeDeny, Reason: "setup_code_limit",
					Message: "Too many setup code tries", Details: map[string]string{"rule": rule, "limit": strconv.Itoa(limit), "window": SetupWindow.String()}}); err != nil {
					return err
				}
			}
			minutes := max(int(w.Add(SetupWindow).Sub(now).Round(time.Minute)/time.Minute), 1)
			return Errorf(ERateLimited, RGuessLimit, "code: Too many setup code tries. Wait %d minutes, then try again, or open this page on the server's own machine.", minutes)
		}
		perAddress, err := tx.AddCount(ctx, "setup:"+AddressBucket(ip), w, 1)
		if err != nil {
			return err
		}
		if perAddress > SetupTriesPerAddress {
			return limited("address", perAddress, SetupTriesPerAddress)
		}
		if code != "" {
			ok, err := tx.HasSetupCode(ctx, hashSetupCode(code))
			if err != nil || ok {
				return err
			}
		}
		overall, err := tx.AddCount(ctx, "setup:*", w, 1)
		if err != nil {
			return err
		}
		if overall > SetupTriesOverall {
			return limited("overall", overall, SetupTriesOverall)
		}
		if code == "" {
			return s.refuseSetup(ctx, tx, "setup_code_missing", Errorf(EInvalid, RCodeMissing,
				"code: Enter the setup code printed in the server's log when it started (or open this page on the server's own machine)."))
		}
		return s.refuseSetup(ctx, tx, "setup_code_wrong", Errorf(EInvalid, RCodeWrong,
			"code: This setup code is not valid. Copy it from the server's log (the latest start prints a new one)."))
	})
}

// refuseSetup records a refused setup and returns e.
func (s *core) refuseSetup(ctx context.Context, tx Tx, reason string, e *Error) error {
	if err := s.record(ctx, tx, Event{Type: EvSetupRefused, Target: SystemActor, Outcome: OutcomeDeny, Reason: reason,
		Message: "First-run setup refused"}); err != nil {
		return err
	}
	return e
}

// retireSetupCodes deletes every setup code once u is an active
// administrator: codes die once an admin exists, however it was made.
func (s *core) retireSetupCodes(ctx context.Context, tx Tx, u *User) error {
	if !u.Admin || u.Status != UserActive {
		return nil
	}
	return tx.DeleteSetupCodes(ctx)
}
