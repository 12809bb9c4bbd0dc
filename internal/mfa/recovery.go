package mfa

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"strconv"
	"strings"
	"time"
)

// Recovery codes: ten single-use codes a user keeps on paper, shown once
// when generated, to sign in without their factors ("Verify another way"
// → "Use a recovery code"). Each is 12 characters (60 random bits), kept
// only as an HMAC under the key of PhoneID (which outlives master key
// rotations); a wrong one counts like a wrong factor code.
const (
	RecoveryCodeCount = 10
	recoveryCodeLen   = 12
	recoveryAlphabet  = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i
)

// RecoveryFactorID is the factor id a sign-in by recovery code records.
const RecoveryFactorID = "recovery"

// RecoveryAMR is the amr of a sign-in by password and recovery code.
var RecoveryAMR = AMR{"pwd", "mfa"}

// RecoveryCode is a stored recovery code: its MAC only.
type RecoveryCode struct {
	ID      string
	Hash    []byte
	Created time.Time
}

// recoveryHash is the stored MAC of code for user userID.
func (s *core) recoveryHash(userID, code string) []byte {
	m := hmac.New(sha256.New, s.phoneID)
	m.Write([]byte("recovery-code:" + userID + ":" + code))
	return m.Sum(nil)
}

// normalizeRecovery drops spaces and dashes and lower-cases what was typed.
func normalizeRecovery(in string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(in) {
		if r != ' ' && r != '-' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FormatRecoveryCode shows a code in two groups of six.
func FormatRecoveryCode(c string) string {
	if len(c) != recoveryCodeLen {
		return c
	}
	return c[:6] + "-" + c[6:]
}

// RegenerateRecoveryCodes makes the user's ten recovery codes, replacing
// (and so killing) any earlier set, and returns them: they are never
// shown again.
func (s *Factors) RegenerateRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	var out []string
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		now := s.clock.Now()
		out = out[:0]
		var cs []RecoveryCode
		for range RecoveryCodeCount {
			c, err := s.recoveryCode()
			if err != nil {
				return err
			}
			out = append(out, c)
			cs = append(cs, RecoveryCode{ID: s.newID("rcv"), Hash: s.recoveryHash(u.ID, c), Created: now})
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, cs); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvFactorEnroll, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Recovery codes generated (any earlier ones no longer work)",
			Details: map[string]string{"factor_type": "recovery_code", "count": strconv.Itoa(RecoveryCodeCount)}})
	})
	return out, err
}

// recoveryCode draws one code, each character uniform over the alphabet
// (bytes past the last whole multiple of its size are drawn again).
func (s *core) recoveryCode() (string, error) {
	limit := 256 - 256%len(recoveryAlphabet)
	out := make([]byte, 0, recoveryCodeLen)
	var b [1]byte
	for len(out) < recoveryCodeLen {
		if _, err := io.ReadFull(s.rand, b[:]); err != nil {
			return "", Internal("recovery code", err)
		}
		if int(b[0]) < limit {
			out = append(out, recoveryAlphabet[int(b[0])%len(recoveryAlphabet)])
		}
	}
	return string(out), nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Factors) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	return load(ctx, s.core, func(tx Tx) (int, error) { return tx.CountRecoveryCodes(ctx, userID) })
}

// TxnVerifyRecovery signs in with a recovery code instead of a factor
// (MFA_REQUIRED or MFA_CHALLENGE); the code is spent. A wrong code counts
// like a wrong factor code.
func (s *Signin) TxnVerifyRecovery(ctx context.Context, stateToken, input string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFARequired, TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		now := s.clock.Now()
		code := normalizeRecovery(input)
		if code == "" {
			return Errorf(EInvalid, RCodeMissing, "Enter one of your recovery codes.")
		}
		if err := s.checkGuesses(ctx, tx, set, now); err != nil {
			if r, ok := asRefusal(err); ok {
				if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: userParty(u), Outcome: OutcomeFailure, Reason: string(r.Reason), Message: r.Message,
					Details: map[string]string{"factor_type": "recovery_code"}}); err != nil {
					return err
				}
			}
			return err
		}
		ok := false
		if len(code) == recoveryCodeLen {
			var err error
			if ok, err = tx.UseRecoveryCode(ctx, u.ID, s.recoveryHash(u.ID, code), now); err != nil {
				return err
			}
		}
		if !ok {
			return s.wrongSecret(ctx, tx, set, u, now, map[string]string{"factor_type": "recovery_code"},
				Phrase{Format: "That recovery code is not right, or was used already."})
		}
		left, err := tx.CountRecoveryCodes(ctx, u.ID)
		if err != nil {
			return err
		}
		if u.FailedMFA != 0 {
			u.FailedMFA = 0
		}
		if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Severity: SeverityWarn, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Recovery code used",
			Details: map[string]string{"factor_type": "recovery_code", "codes_left": strconv.Itoa(left)}}); err != nil {
			return err
		}
		if err := tx.KillChallenges(ctx, u.ID, t.ID, now); err != nil {
			return err
		}
		t.FactorID = RecoveryFactorID
		s.succeed(t, u, now)
		u.LastUpdated = now
		return tx.UpdateUser(ctx, *u)
	})
}
