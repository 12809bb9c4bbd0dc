package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// The OpenID Provider's tables: applications, authorization requests,
// tokens, signing keys. Lists are stored as text: URIs one a line, scopes
// and amr values separated by spaces.

func joinList(v []string, sep string) string { return strings.Join(v, sep) }

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

const appColumns = `id, name, redirect_uris, logout_uris, public, secret_hash, created`

func scanApp(s scanner) (mfa.App, error) {
	var a mfa.App
	var redirects, logouts string
	err := s.Scan(&a.ID, &a.Name, &redirects, &logouts, &a.Public, &a.SecretHash, &a.Created)
	a.RedirectURIs, a.LogoutURIs, a.Created = splitList(redirects, "\n"), splitList(logouts, "\n"), utc(a.Created)
	return a, err
}

func (t *tx) InsertApp(ctx context.Context, a mfa.App) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_apps (`+appColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, a.Name, joinList(a.RedirectURIs, "\n"), joinList(a.LogoutURIs, "\n"), a.Public, a.SecretHash, a.Created.UTC())
	return t.d.wrap("insert app", err)
}

func (t *tx) UpdateApp(ctx context.Context, a mfa.App) error {
	return t.execOne(ctx, "update app", `UPDATE oidc_apps SET name = $2, redirect_uris = $3, logout_uris = $4, public = $5, secret_hash = $6 WHERE id = $1`,
		a.ID, a.Name, joinList(a.RedirectURIs, "\n"), joinList(a.LogoutURIs, "\n"), a.Public, a.SecretHash)
}

func (t *tx) GetApp(ctx context.Context, id string) (mfa.App, error) {
	a, err := scanApp(t.row(ctx, `SELECT `+appColumns+` FROM oidc_apps WHERE id = $1`, id))
	return a, t.d.wrap("get app", err)
}

func (t *tx) ListApps(ctx context.Context) ([]mfa.App, error) {
	rows, err := t.query(ctx, `SELECT `+appColumns+` FROM oidc_apps ORDER BY name, id`)
	if err != nil {
		return nil, t.d.wrap("list apps", err)
	}
	defer rows.Close()
	var out []mfa.App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, t.d.wrap("list apps", err)
		}
		out = append(out, a)
	}
	return out, t.d.wrap("list apps", rows.Err())
}

func (t *tx) DeleteApp(ctx context.Context, id string) error {
	return t.execOne(ctx, "delete app", `DELETE FROM oidc_apps WHERE id = $1`, id)
}

const authRequestColumns = `id, app_id, params, user_id, auth_time, amr, done, code_hash, code_expires, code_used, created, expires`

func scanAuthRequest(s scanner) (mfa.AuthRequest, error) {
	var r mfa.AuthRequest
	var params, amr string
	var authTime, codeExpires, codeUsed sql.NullTime
	err := s.Scan(&r.ID, &r.AppID, &params, &r.UserID, &authTime, &amr, &r.Done, &r.CodeHash, &codeExpires, &codeUsed, &r.Created, &r.Expires)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return r, fmt.Errorf("auth request %s params: %w", r.ID, err)
	}
	r.AuthTime, r.CodeExpires, r.CodeUsed = ut(authTime), ut(codeExpires), ut(codeUsed)
	r.AMR, r.Created, r.Expires = splitList(amr, " "), utc(r.Created), utc(r.Expires)
	return r, nil
}

func (t *tx) InsertAuthRequest(ctx context.Context, r mfa.AuthRequest) error {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return fmt.Errorf("store: insert auth request: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO oidc_auth_requests (`+authRequestColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.AppID, string(params), r.UserID, nt(r.AuthTime), joinList(r.AMR, " "), r.Done, r.CodeHash, nt(r.CodeExpires), nt(r.CodeUsed),
		r.Created.UTC(), r.Expires.UTC())
	return t.d.wrap("insert auth request", err)
}

func (t *tx) GetAuthRequest(ctx context.Context, id string) (mfa.AuthRequest, error) {
	r, err := scanAuthRequest(t.row(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE id = $1`, id))
	return r, t.d.wrap("get auth request", err)
}

func (t *tx) CompleteAuthRequest(ctx context.Context, r mfa.AuthRequest) error {
	return t.execOne(ctx, "complete auth request", `UPDATE oidc_auth_requests SET user_id = $2, auth_time = $3, amr = $4, done = TRUE
		WHERE id = $1 AND NOT done`, r.ID, r.UserID, nt(r.AuthTime), joinList(r.AMR, " "))
}

func (t *tx) SetAuthCode(ctx context.Context, id string, codeHash []byte, expires time.Time) error {
	return t.execOne(ctx, "set auth code", `UPDATE oidc_auth_requests SET code_hash = $2, code_expires = $3,
		expires = CASE WHEN expires < $3 THEN $3 ELSE expires END
		WHERE id = $1 AND done AND code_hash IS NULL`, id, codeHash, expires.UTC())
}

func (t *tx) TakeAuthCode(ctx context.Context, codeHash []byte, now time.Time) (mfa.AuthRequest, error) {
	r, err := scanAuthRequest(t.row(ctx, `UPDATE oidc_auth_requests SET code_used = $2
		WHERE code_hash = $1 AND code_used IS NULL AND code_expires > $2 RETURNING `+authRequestColumns, codeHash, now.UTC()))
	return r, t.d.wrap("take auth code", err)
}

func (t *tx) GetAuthRequestByCode(ctx context.Context, codeHash []byte) (mfa.AuthRequest, error) {
	r, err := scanAuthRequest(t.row(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE code_hash = $1`, codeHash))
	return r, t.d.wrap("get auth request by code", err)
}

func (t *tx) DeleteAuthRequestsBefore(ctx context.Context, before time.Time) (int64, error) {
	return t.deleted(ctx, "delete auth requests", `DELETE FROM oidc_auth_requests WHERE expires < $1`, before.UTC())
}

const oauthTokenColumns = `id, kind, family, app_id, user_id, scopes, amr, auth_time, token_hash, created, expires, used, revoked`

func scanOAuthToken(s scanner) (mfa.OAuthToken, error) {
	var k mfa.OAuthToken
	var scopes, amr string
	var used, revoked sql.NullTime
	err := s.Scan(&k.ID, &k.Kind, &k.Family, &k.AppID, &k.UserID, &scopes, &amr, &k.AuthTime, &k.TokenHash, &k.Created, &k.Expires, &used, &revoked)
	k.Scopes, k.AMR = splitList(scopes, " "), splitList(amr, " ")
	k.AuthTime, k.Created, k.Expires, k.Used, k.Revoked = utc(k.AuthTime), utc(k.Created), utc(k.Expires), ut(used), ut(revoked)
	return k, err
}

func (t *tx) InsertOAuthToken(ctx context.Context, k mfa.OAuthToken) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_tokens (`+oauthTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		k.ID, k.Kind, k.Family, k.AppID, k.UserID, joinList(k.Scopes, " "), joinList(k.AMR, " "), k.AuthTime.UTC(), k.TokenHash,
		k.Created.UTC(), k.Expires.UTC(), nt(k.Used), nt(k.Revoked))
	return t.d.wrap("insert oauth token", err)
}

func (t *tx) GetOAuthToken(ctx context.Context, id string) (mfa.OAuthToken, error) {
	k, err := scanOAuthToken(t.row(ctx, `SELECT `+oauthTokenColumns+` FROM oidc_tokens WHERE id = $1`, id))
	return k, t.d.wrap("get oauth token", err)
}

func (t *tx) GetRefreshToken(ctx context.Context, hash []byte) (mfa.OAuthToken, error) {
	k, err := scanOAuthToken(t.row(ctx, `SELECT `+oauthTokenColumns+` FROM oidc_tokens WHERE token_hash = $1`, hash))
	return k, t.d.wrap("get refresh token", err)
}

func (t *tx) UseRefreshToken(ctx context.Context, id string, now time.Time) error {
	return t.execOne(ctx, "use refresh token", `UPDATE oidc_tokens SET used = $2 WHERE id = $1 AND used IS NULL AND revoked IS NULL`, id, now.UTC())
}

func (t *tx) RevokeTokenFamily(ctx context.Context, family string, now time.Time) (int64, error) {
	return t.deleted(ctx, "revoke token family", `UPDATE oidc_tokens SET revoked = $2 WHERE family = $1 AND revoked IS NULL`, family, now.UTC())
}

func (t *tx) RevokeOAuthToken(ctx context.Context, id string, now time.Time) error {
	return t.execOne(ctx, "revoke oauth token", `UPDATE oidc_tokens SET revoked = $2 WHERE id = $1 AND revoked IS NULL`, id, now.UTC())
}

func (t *tx) DeleteOAuthTokensBefore(ctx context.Context, before time.Time) (int64, error) {
	return t.deleted(ctx, "delete oauth tokens", `DELETE FROM oidc_tokens WHERE expires < $1`, before.UTC())
}

func (t *tx) InsertSigningKey(ctx context.Context, k mfa.StoredKey) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_keys (id, private_key, created, retired) VALUES ($1, $2, $3, $4)`,
		k.ID, k.PrivateKey, k.Created.UTC(), nt(k.Retired))
	return t.d.wrap("insert signing key", err)
}

func (t *tx) ListSigningKeys(ctx context.Context) ([]mfa.StoredKey, error) {
	rows, err := t.query(ctx, `SELECT id, private_key, created, retired FROM oidc_keys ORDER BY retired IS NOT NULL, created DESC, id DESC`)
	if err != nil {
		return nil, t.d.wrap("list signing keys", err)
	}
	defer rows.Close()
	var out []mfa.StoredKey
	for rows.Next() {
		var k mfa.StoredKey
		var retired sql.NullTime
		if err := rows.Scan(&k.ID, &k.PrivateKey, &k.Created, &retired); err != nil {
			return nil, t.d.wrap("list signing keys", err)
		}
		k.Created, k.Retired = utc(k.Created), ut(retired)
		out = append(out, k)
	}
	return out, t.d.wrap("list signing keys", rows.Err())
}

func (t *tx) RetireSigningKeys(ctx context.Context, keepID string, now time.Time) error {
	_, err := t.exec(ctx, `UPDATE oidc_keys SET retired = $2 WHERE id <> $1 AND retired IS NULL`, keepID, now.UTC())
	return t.d.wrap("retire signing keys", err)
}

func (t *tx) DeleteSigningKeysRetiredBefore(ctx context.Context, before time.Time) (int64, error) {
	return t.deleted(ctx, "delete signing keys", `DELETE FROM oidc_keys WHERE retired < $1`, before.UTC())
}

// deleted runs a statement and returns how many rows it changed.
func (t *tx) deleted(ctx context.Context, what, q string, args ...any) (int64, error) {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return 0, t.d.wrap(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, errors.Join(fmt.Errorf("store: %s", what), err)
	}
	return n, nil
}
