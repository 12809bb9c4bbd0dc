package mfa

import (
	"context"
	"errors"
	"strings"
	"time"

	"smsmfa/internal/secret"
)

// badCode is the refusal of an authorization code that is unknown,
// expired, already used or not this app's (Okta's text).
func badCode() *Error {
	return Errorf(EInvalid, RCodeExpired, "The authorization code is invalid or has expired.")
}

// badRefresh is the refusal of a refresh token that is unknown, expired,
// revoked or reused.
func badRefresh() *Error {
	return Errorf(EInvalid, RInvalidToken, "The refresh token is invalid or expired.")
}

// CreateAuthRequest keeps an authorization request of app appID, checked
// by the caller against the app's redirect URIs. PKCE is S256 only, and a
// public app must use it. With a session token (from /api/v1/authn) the
// token is spent and the request carries its user: the sign-in is already
// done; a token that does not work is in the system log and the request
// goes on without a user (the browser signs in, or prompt=none gets
// login_required). Refusals: ENotFound (app), RInvalidInput (PKCE).
func (s *OIDC) CreateAuthRequest(ctx context.Context, appID string, p AuthParams, sessionToken string) (AuthRequest, error) {
	if err := p.check(); err != nil {
		return AuthRequest{}, err
	}
	now := s.clock.Now()
	r := AuthRequest{ID: s.newID("oar"), AppID: appID, Params: p, Created: now, Expires: now.Add(AuthRequestLifetime)}
	err := s.run(ctx, func(tx Tx) error {
		a, err := tx.GetApp(ctx, appID)
		if errors.Is(err, ErrNotFound) {
			return noApp()
		} else if err != nil {
			return err
		}
		switch {
		case p.CodeChallenge != "" && p.CodeChallengeMethod != "S256":
			return Errorf(EInvalid, RInvalidInput, "code_challenge_method: Only S256 is supported.")
		case a.Public && p.CodeChallenge == "":
			return Errorf(EInvalid, RInvalidInput, "code_challenge: PKCE (code_challenge with code_challenge_method=S256) is required for this application.")
		}
		if sessionToken != "" {
			u, amr, err := s.takeSessionToken(ctx, tx, sessionToken)
			if IsRefusal(err) {
				// Logged once per client address and minute, with the
				// count so far: a stranger sending bad tokens in a loop
				// cannot fill the system log.
				n, err := tx.AddCount(ctx, "sesstok-refused:"+AddressBucket(ClientFrom(ctx).IP), windowStart(now, time.Minute), 1)
				if err != nil {
					return err
				}
				if n == 1 {
					if err := s.record(ctx, tx, Event{Type: EvOAuthSessionTok, Target: appParty(a), Outcome: OutcomeDeny, Reason: "session token invalid, expired or used",
						Message: "Session token refused at authorize (the first this minute from this address)"}); err != nil {
						return err
					}
				}
			} else if err != nil {
				return err
			} else {
				r.UserID, r.AuthTime, r.AMR = u.ID, now, amr
				if err := s.record(ctx, tx, Event{Type: EvOAuthSessionTok, Actor: userParty(u), Target: appParty(a), Outcome: OutcomeSuccess,
					Message: "Session token exchanged at authorize"}); err != nil {
					return err
				}
			}
		}
		return tx.InsertAuthRequest(ctx, r)
	})
	return r, err
}

// check caps what a request keeps: every /authorize is a row until it
// expires, so none may be large (Okta caps scope at 1024 characters).
func (p AuthParams) check() error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"state", p.State, 2048}, {"nonce", p.Nonce, 2048}, {"login_hint", p.LoginHint, FieldLogin.Max}, {"code_challenge", p.CodeChallenge, 128},
		{"scope", strings.Join(p.Scopes, " "), 1024}, {"prompt", strings.Join(p.Prompt, " "), 64}, {"response_mode", p.ResponseMode, 32}} {
		if len(f.v) > f.max {
			return Errorf(EInvalid, RInvalidInput, "%s: at most %d characters.", f.name, f.max)
		}
	}
	return nil
}

// AuthRequest returns a live authorization request. Refusal: RInvalidToken
// (unknown or expired).
func (s *OIDC) AuthRequest(ctx context.Context, id string) (AuthRequest, error) {
	return load(ctx, s.core, func(tx Tx) (AuthRequest, error) {
		r, err := tx.GetAuthRequest(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && !s.clock.Now().Before(r.Expires)) {
			return AuthRequest{}, Errorf(EUnauthorized, RInvalidToken, "This sign-in request has expired. Go back to the application and sign in again.")
		}
		return r, err
	})
}

// CompleteAuthRequest records that user signed in at authTime with amr for
// the request id, which is then done. Refusal: RInvalidToken (expired,
// already done, user not active).
func (s *OIDC) CompleteAuthRequest(ctx context.Context, id, userID string, authTime time.Time, amr AMR) (AuthRequest, error) {
	var r AuthRequest
	err := s.run(ctx, func(tx Tx) error {
		var err error
		r, err = tx.GetAuthRequest(ctx, id)
		gone := Errorf(EUnauthorized, RInvalidToken, "This sign-in request has expired. Go back to the application and sign in again.")
		if errors.Is(err, ErrNotFound) {
			return gone
		} else if err != nil {
			return err
		}
		if r.Done || !s.clock.Now().Before(r.Expires) {
			return gone
		}
		u, err := orNil(tx.GetUser(ctx, userID))
		if err != nil {
			return err
		}
		if u == nil || u.Status != UserActive {
			return gone
		}
		r.UserID, r.AuthTime, r.AMR, r.Done = userID, authTime.UTC(), amr, true
		return tx.CompleteAuthRequest(ctx, r)
	})
	return r, err
}

// SaveAuthCode keeps the hash of the code issued for a done request; the
// code can be exchanged for AuthCodeLifetime.
func (s *OIDC) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.run(ctx, func(tx Tx) error {
		r, err := tx.GetAuthRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SetAuthCode(ctx, id, secret.HashToken(code), s.clock.Now().Add(AuthCodeLifetime)); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvOAuthCode, Actor: Party{ID: r.UserID, Type: "User"}, Target: Party{ID: r.AppID, Type: "AppInstance"},
			Outcome: OutcomeSuccess, Message: "Authorization code issued", Details: map[string]string{"scopes": strings.Join(r.Params.Scopes, " ")}})
	})
}

// ExchangeCode spends an authorization code and returns its request. A
// code used before is refused and the tokens issued for it are revoked
// (RFC 6749 §4.1.2); that is in the system log. Refusal: RCodeExpired.
func (s *OIDC) ExchangeCode(ctx context.Context, code string) (AuthRequest, error) {
	hash := secret.HashToken(code)
	var r AuthRequest
	err := s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		var err error
		r, err = tx.TakeAuthCode(ctx, hash, now)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		old, err := tx.GetAuthRequestByCode(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return badCode()
		} else if err != nil {
			return err
		}
		target, actor := Party{ID: old.AppID, Type: "AppInstance"}, Party{ID: old.UserID, Type: "User"}
		if !old.CodeUsed.IsZero() {
			n, err := tx.RevokeTokenFamily(ctx, old.ID, now)
			if err != nil {
				return err
			}
			if err := s.record(ctx, tx, Event{Type: EvOAuthReuse, Severity: SeverityWarn, Actor: actor, Target: target, Outcome: OutcomeDeny,
				Reason: "authorization code replayed", Message: "Authorization code used twice: the tokens issued for it are revoked",
				Details: map[string]string{"revoked": itoa64(n)}}); err != nil {
				return err
			}
			return badCode()
		}
		if err := s.record(ctx, tx, Event{Type: EvOAuthGrant, Actor: actor, Target: target, Outcome: OutcomeFailure,
			Reason: "authorization code expired", Message: "Token request refused: the authorization code expired"}); err != nil {
			return err
		}
		return badCode()
	})
	return r, err
}

// Grant is what tokens are issued for.
type Grant struct {
	Family   string
	AppID    string
	UserID   string
	Scopes   []string
	AMR      AMR
	AuthTime time.Time
	// How: "authorization_code" or "refresh_token", for the system log.
	How string
}

// Issued is what IssueTokens made: the access token's id and expiry, and
// the refresh token in clear (shown once; "" when none).
type Issued struct {
	AccessID      string
	AccessExpires time.Time
	Refresh       string
}

// IssueTokens issues an access token for g, and a refresh token when
// refresh is set. With current (the refresh token being exchanged), that
// token is rotated: it is marked used in the same unit of work, and if it
// already was (a concurrent exchange won) its whole family is revoked.
// Refusals: RInvalidToken (the user is no longer active, the app is gone,
// or the refresh token was reused).
func (s *OIDC) IssueTokens(ctx context.Context, g Grant, refresh bool, current string) (Issued, error) {
	var out Issued
	err := s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		u, err := orNil(tx.GetUser(ctx, g.UserID))
		if err != nil {
			return err
		}
		a, err := tx.GetApp(ctx, g.AppID)
		if errors.Is(err, ErrNotFound) || u == nil || u.Status != UserActive || u.Locked(now) {
			return Errorf(EInvalid, RInvalidToken, "The user or the application is no longer active.")
		} else if err != nil {
			return err
		}
		if current != "" {
			t, err := tx.GetRefreshToken(ctx, secret.HashToken(current))
			if errors.Is(err, ErrNotFound) {
				return badRefresh()
			} else if err != nil {
				return err
			}
			if err := tx.UseRefreshToken(ctx, t.ID, now); errors.Is(err, ErrNotFound) {
				return s.refreshReused(ctx, tx, t, now)
			} else if err != nil {
				return err
			}
		}
		at := OAuthToken{ID: s.newID("AT."), Kind: TokenAccess, Family: g.Family, AppID: g.AppID, UserID: g.UserID, Scopes: g.Scopes,
			AMR: g.AMR, AuthTime: g.AuthTime, Created: now, Expires: now.Add(AccessTokenLifetime)}
		if err := tx.InsertOAuthToken(ctx, at); err != nil {
			return err
		}
		out = Issued{AccessID: at.ID, AccessExpires: at.Expires}
		details := map[string]string{"grant_type": g.How, "scopes": strings.Join(g.Scopes, " "), "token_id": at.ID}
		if err := s.record(ctx, tx, Event{Type: EvOAuthAccess, Actor: userParty(u), Target: appParty(a), Outcome: OutcomeSuccess,
			Message: "Access and ID token issued", Details: details}); err != nil {
			return err
		}
		if !refresh {
			return nil
		}
		out.Refresh = s.newToken("")
		rt := at
		rt.ID, rt.Kind, rt.TokenHash, rt.Expires = s.newID("rt."), TokenRefresh, secret.HashToken(out.Refresh), now.Add(RefreshTokenLifetime)
		if err := tx.InsertOAuthToken(ctx, rt); err != nil {
			return err
		}
		msg := "Refresh token issued"
		if current != "" {
			msg = "Refresh token rotated"
		}
		return s.record(ctx, tx, Event{Type: EvOAuthRefresh, Actor: userParty(u), Target: appParty(a), Outcome: OutcomeSuccess,
			Message: msg, Details: map[string]string{"grant_type": g.How, "token_id": rt.ID}})
	})
	return out, err
}

// refreshReused revokes the family of a refresh token used a second time,
// records it, and returns the refusal (which commits).
func (s *OIDC) refreshReused(ctx context.Context, tx Tx, t OAuthToken, now time.Time) error {
	n, err := tx.RevokeTokenFamily(ctx, t.Family, now)
	if err != nil {
		return err
	}
	if err := s.record(ctx, tx, Event{Type: EvOAuthReuse, Severity: SeverityWarn, Actor: Party{ID: t.UserID, Type: "User"},
		Target: Party{ID: t.AppID, Type: "AppInstance"}, Outcome: OutcomeDeny, Reason: "refresh token reused",
		Message: "Refresh token used twice: every token of its sign-in is revoked", Details: map[string]string{"token_id": t.ID, "revoked": itoa64(n)}}); err != nil {
		return err
	}
	return badRefresh()
}

// RefreshToken returns the live refresh token of clear, for a refresh. A
// token already rotated is a reuse: its whole family is revoked and that
// is in the system log. Refusal: RInvalidToken.
func (s *OIDC) RefreshToken(ctx context.Context, clear string) (OAuthToken, error) {
	var t OAuthToken
	err := s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		var err error
		t, err = tx.GetRefreshToken(ctx, secret.HashToken(clear))
		switch {
		case errors.Is(err, ErrNotFound):
			return badRefresh()
		case err != nil:
			return err
		case !t.Revoked.IsZero(), !now.Before(t.Expires):
			return badRefresh()
		case !t.Used.IsZero():
			return s.refreshReused(ctx, tx, t, now)
		}
		return nil
	})
	return t, err
}

// AccessToken returns the live access token with id and its user.
// Refusal: RInvalidToken (unknown, expired, revoked, user not active).
func (s *OIDC) AccessToken(ctx context.Context, id string) (OAuthToken, User, error) {
	var t OAuthToken
	var u User
	err := s.view(ctx, func(tx Tx) error {
		now := s.clock.Now()
		var err error
		t, err = tx.GetOAuthToken(ctx, id)
		bad := Errorf(EUnauthorized, RInvalidToken, "The access token is invalid")
		if errors.Is(err, ErrNotFound) {
			return bad
		} else if err != nil {
			return err
		}
		if t.Kind != TokenAccess || !t.Revoked.IsZero() || !now.Before(t.Expires) {
			return bad
		}
		if u, err = tx.GetUser(ctx, t.UserID); errors.Is(err, ErrNotFound) {
			return bad
		} else if err != nil {
			return err
		}
		if u.Status != UserActive {
			return bad
		}
		return nil
	})
	return t, u, err
}

// ActiveUser returns an active user, for the claims of a token. Refusal:
// RUserNotFound.
func (s *OIDC) ActiveUser(ctx context.Context, id string) (User, error) {
	return load(ctx, s.core, func(tx Tx) (User, error) {
		u, err := tx.GetUser(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && u.Status != UserActive) {
			return User{}, Errorf(ENotFound, RUserNotFound, "No such user.")
		}
		return u, err
	})
}

// RevokeToken revokes a token of app appID: a refresh token (by its clear
// text) with every token of its sign-in, or an access token (by its id).
// A token unknown or of another app is left alone without a word, as RFC
// 7009 says.
func (s *OIDC) RevokeToken(ctx context.Context, appID, tokenOrID string) error {
	return s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		t, err := tx.GetRefreshToken(ctx, secret.HashToken(tokenOrID))
		if errors.Is(err, ErrNotFound) {
			t, err = tx.GetOAuthToken(ctx, tokenOrID)
		}
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if t.AppID != appID || !t.Revoked.IsZero() {
			return nil
		}
		var n int64 = 1
		if t.Kind == TokenRefresh {
			if n, err = tx.RevokeTokenFamily(ctx, t.Family, now); err != nil {
				return err
			}
		} else if err := tx.RevokeOAuthToken(ctx, t.ID, now); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvOAuthRevoke, Actor: Party{ID: appID, Type: "AppInstance"}, Target: Party{ID: t.UserID, Type: "User"},
			Outcome: OutcomeSuccess, Message: "Token revoked by the application", Details: map[string]string{"token_type": t.Kind, "token_id": t.ID, "revoked": itoa64(n)}})
	})
}

// purgeOIDC deletes expired authorization requests (a code lives less
// than its request, so a replay is still recognised while it could work),
// and tokens and retired keys that have been dead for a day.
func purgeOIDC(ctx context.Context, tx Tx, now time.Time) (int64, error) {
	a, err := tx.DeleteAuthRequestsBefore(ctx, now)
	if err != nil {
		return 0, err
	}
	b, err := tx.DeleteOAuthTokensBefore(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return 0, err
	}
	c, err := tx.DeleteSigningKeysRetiredBefore(ctx, now.Add(-KeyPublishedAfterRetire-24*time.Hour))
	return a + b + c, err
}
