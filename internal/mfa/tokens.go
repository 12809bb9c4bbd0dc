package mfa

import (
	"context"
	"errors"
	"strings"
	"time"

	"smsmfa/internal/secret"
)

// Tokens issues, checks and revokes API tokens (Authorization: SSWS).
type Tokens struct{ *core }

// NewTokens returns the API token service.
func NewTokens(c Config) *Tokens { return &Tokens{newCore(c)} }

// CreateToken creates an API token and returns it in clear text, once.
func (s *Tokens) CreateToken(ctx context.Context, name, userID string) (APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return APIToken{}, "", Errorf(EInvalid, RInvalidInput, "name: A token needs a name of 1 to 100 characters.")
	}
	clear := s.newToken("00")
	t := APIToken{ID: s.newID("tok"), Name: name, TokenHash: secret.HashToken(clear), UserID: userID, Created: s.clock.Now()}
	err := s.run(ctx, func(tx Tx) error {
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvTokenCreate, Target: Party{ID: t.ID, Type: "ApiToken", AlternateID: name, DisplayName: name}, Outcome: OutcomeSuccess, Message: "API token created"})
	})
	return t, clear, err
}

// AuthenticateToken returns the live API token for a clear-text token and
// notes its use. Refusal: RInvalidToken.
func (s *Tokens) AuthenticateToken(ctx context.Context, clear string) (APIToken, error) {
	var t APIToken
	err := s.run(ctx, func(tx Tx) error {
		var err error
		t, err = tx.GetTokenByHash(ctx, secret.HashToken(clear))
		if errors.Is(err, ErrNotFound) || (err == nil && !t.Revoked.IsZero()) {
			return Errorf(EUnauthorized, RInvalidToken, "Invalid token provided")
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if now.Sub(t.LastUsed) > time.Minute { // one write a minute is enough for "last used"
			t.LastUsed = now
			return tx.TouchToken(ctx, t.ID, now)
		}
		return nil
	})
	return t, err
}

// RevokeToken revokes an API token.
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

// Tokens lists API tokens (hashes only).
func (s *Tokens) Tokens(ctx context.Context) ([]APIToken, error) {
	var ts []APIToken
	err := s.run(ctx, func(tx Tx) error {
		var err error
		ts, err = tx.ListTokens(ctx)
		return err
	})
	return ts, err
}
