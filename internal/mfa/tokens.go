package mfa

import (
	"context"
	"errors"
	"strings"
	"time"

	"smsmfa/internal/secret"
)

// Event types of API tokens and administrator rights (Okta's names where
// Okta has one).
const (
	// EvTokenRefused is a known token refused (revoked, or its owner is not
	// an active admin); at most one a token a minute.
	EvTokenRefused = "system.api_token.refused"
	EvAdminGrant   = "user.account.privilege.grant"
	EvAdminRevoke  = "user.account.privilege.revoke"
)

// refusalLogEvery bounds how often the refused uses of one token are
// written to the system log.
const refusalLogEvery = time.Minute

// Tokens issues, checks and revokes API tokens (Authorization: SSWS). A
// token acts for its owner, and only while the owner is an active admin:
// deactivating, deleting or demoting the owner revokes their tokens, and
// every authentication checks the owner again (as Okta does).
type Tokens struct{ *core }

// NewTokens returns the API token service.
func NewTokens(c Config) *Tokens { return &Tokens{newCore(c)} }

// CreateToken creates an API token owned by ownerID, who must be an active
// admin; with ownerID "" the oldest active admin owns it (the command
// line's default). It returns the token, with OwnerLogin, and its clear
// text, shown once. Refusals: RInvalidInput (the name; an owner who is not
// an active admin; no active admin at all).
func (s *Tokens) CreateToken(ctx context.Context, name, ownerID string) (APIToken, string, error) {
	name, err := FieldTokenName.Check(strings.TrimSpace(name))
	if err != nil {
		return APIToken{}, "", err
	}
	if name == "" {
		return APIToken{}, "", Errorf(EInvalid, RInvalidInput, "name: A token needs a name of 1 to 100 characters.")
	}
	clear := s.newToken("00")
	t := APIToken{ID: s.newID("tok"), Name: name, TokenHash: secret.HashToken(clear), Created: s.clock.Now()}
	err = s.run(ctx, func(tx Tx) error {
		owner, err := s.newTokenOwner(ctx, tx, ownerID)
		if err != nil {
			return err
		}
		t.UserID, t.OwnerLogin = owner.ID, owner.Login
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvTokenCreate, Target: tokenParty(t), Outcome: OutcomeSuccess, Message: "API token created",
			Details: map[string]string{"owner": owner.Login}})
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return t, clear, nil
}

// newTokenOwner finds and locks the owner of a new token: ownerID, or the
// oldest active admin when ownerID is "". Locking the owner orders the
// creation with a concurrent demotion or deactivation.
func (s *Tokens) newTokenOwner(ctx context.Context, tx Tx, ownerID string) (*User, error) {
	if ownerID == "" {
		admins, err := tx.ActiveAdmins(ctx)
		if err != nil {
			return nil, err
		}
		if len(admins) == 0 {
			return nil, Errorf(EInvalid, RInvalidInput, "owner: A token acts for an active administrator, and there is none yet: create one first (smsmfa user create --admin).")
		}
		ownerID = admins[0].ID
	}
	u, err := s.lockAny(ctx, tx, ownerID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, Errorf(EInvalid, RInvalidInput, "owner: There is no user %s.", ownerID)
	}
	if ownerProblem(u) != "" {
		return nil, Errorf(EInvalid, RInvalidInput, "owner: A token acts for an active administrator, and %s is not one.", u.Login)
	}
	return u, nil
}

// tokenOwnerProblem is ownerProblem of the owner as read with the token.
func tokenOwnerProblem(t APIToken) string {
	if t.OwnerStatus == "" {
		return ownerProblem(nil)
	}
	return ownerProblem(&User{Status: t.OwnerStatus, Admin: t.OwnerAdmin})
}

// ownerProblem says why u (nil: deleted) may not own a working token, as
// the system log puts it, or returns "".
func ownerProblem(u *User) string {
	switch {
	case u == nil:
		return "owner deleted"
	case u.Status == UserDeprovisioned:
		return "owner deactivated"
	case u.Status != UserActive:
		return "owner is " + string(u.Status)
	case !u.Admin:
		return "owner is not an administrator"
	}
	return ""
}

func tokenParty(t APIToken) Party {
	return Party{ID: t.ID, Type: "ApiToken", AlternateID: t.Name, DisplayName: t.Name}
}

func invalidAPIToken() *Error { return Errorf(EUnauthorized, RInvalidToken, "Invalid token provided") }

// AuthenticateToken returns the live API token for a clear-text token and
// notes its use. The token's owner must be an active admin; a token whose
// owner is not (changed by an older version, or in the database by hand)
// is revoked with the owner's other tokens. A refused use of a known token
// is in the system log, at most once a token a minute. Refusal:
// RInvalidToken.
func (s *Tokens) AuthenticateToken(ctx context.Context, clear string) (APIToken, error) {
	// Almost every call finds a live token of an active admin, used within
	// the minute: a read, with no write. Anything else (a refusal to log,
	// tokens to revoke, "last used" to note) takes a unit of work that
	// writes, which looks again.
	// The read is one statement (the token with its owner's status), run
	// outside a transaction.
	hash := secret.HashToken(clear)
	var t APIToken
	write := false
	err := s.glance(ctx, func(tx Tx) error {
		var err error
		t, err = tx.GetTokenByHash(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return invalidAPIToken() // unknown tokens write nothing
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !t.Revoked.IsZero() && now.Sub(t.LastRefused) < refusalLogEvery {
			return invalidAPIToken() // refused, and told the system log within the minute: no write
		}
		write = !t.Revoked.IsZero() || tokenOwnerProblem(t) != "" || now.Sub(t.LastUsed) > time.Minute
		return nil
	})
	if err != nil || !write {
		return t, err
	}
	err = s.run(ctx, func(tx Tx) error {
		var err error
		t, err = tx.GetTokenByHash(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return invalidAPIToken()
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !t.Revoked.IsZero() {
			return s.refuseToken(ctx, tx, t, "token revoked", now)
		}
		owner, err := orNil(tx.GetUser(ctx, t.UserID))
		if err != nil {
			return err
		}
		if why := ownerProblem(owner); why != "" {
			if err := s.revokeUserTokens(ctx, tx, t.UserID, t.OwnerLogin, why); err != nil {
				return err
			}
			return s.refuseToken(ctx, tx, t, why, now)
		}
		if now.Sub(t.LastUsed) > time.Minute { // one write a minute is enough for "last used"
			t.LastUsed = now
			return tx.TouchToken(ctx, t.ID, now)
		}
		return nil
	})
	return t, err
}

// refuseToken records a refused use of t (unless one was recorded within
// refusalLogEvery) and returns the refusal.
func (s *Tokens) refuseToken(ctx context.Context, tx Tx, t APIToken, why string, now time.Time) error {
	first, err := tx.NoteTokenRefused(ctx, t.ID, now, now.Add(-refusalLogEvery))
	if err != nil {
		return err
	}
	if first {
		err := s.record(ctx, tx, Event{Type: EvTokenRefused, Target: tokenParty(t), Outcome: OutcomeDeny, Reason: why,
			Message: "API token refused: " + why, Details: map[string]string{"owner": t.OwnerLogin}})
		if err != nil {
			return err
		}
	}
	return invalidAPIToken()
}

// revokeUserTokens revokes every live token of the user userID (login for
// the log), each revocation in the system log with why.
func (s *core) revokeUserTokens(ctx context.Context, tx Tx, userID, login, why string) error {
	ts, err := tx.RevokeUserTokens(ctx, userID, s.clock.Now())
	if err != nil {
		return err
	}
	for _, t := range ts {
		err := s.record(ctx, tx, Event{Type: EvTokenRevoke, Severity: SeverityWarn, Target: tokenParty(t), Outcome: OutcomeSuccess, Reason: why,
			Message: "API token revoked: " + why, Details: map[string]string{"owner": login}})
		if err != nil {
			return err
		}
	}
	return nil
}

// RevokeToken revokes an API token. Refusal: ENotFound (no live token).
func (s *Tokens) RevokeToken(ctx context.Context, id string) error {
	return s.run(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, id, s.clock.Now()); errors.Is(err, ErrNotFound) {
			return Errorf(ENotFound, RInvalidInput, "No such token.")
		} else if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvTokenRevoke, Target: Party{ID: id, Type: "ApiToken"}, Outcome: OutcomeSuccess, Message: "API token revoked"})
	})
}

// Tokens lists API tokens (hashes only), newest first, with their owners'
// logins.
func (s *Tokens) Tokens(ctx context.Context) ([]APIToken, error) {
	return load(ctx, s.core, func(tx Tx) ([]APIToken, error) { return tx.ListTokens(ctx) })
}
