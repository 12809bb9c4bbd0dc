package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"smsmfa/internal/mfa"
)

const tokenColumns = `id, name, token_hash, user_id, created, last_used, revoked, last_refused`

// tokenSelect reads tokens with their owner's login (” once the owner is
// deleted).
const tokenSelect = `SELECT t.id, t.name, t.token_hash, t.user_id, t.created, t.last_used, t.revoked, t.last_refused, COALESCE(u.login, ''),
	COALESCE(u.status, ''), COALESCE(u.admin, FALSE)
	FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id`

func scanToken(s scanner) (mfa.APIToken, error) {
	var k mfa.APIToken
	var used, revoked, refused sql.NullTime
	err := s.Scan(&k.ID, &k.Name, &k.TokenHash, &k.UserID, &k.Created, &used, &revoked, &refused, &k.OwnerLogin, &k.OwnerStatus, &k.OwnerAdmin)
	k.Created, k.LastUsed, k.Revoked, k.LastRefused = utc(k.Created), ut(used), ut(revoked), ut(refused)
	return k, err
}

func (t *tx) InsertToken(ctx context.Context, k mfa.APIToken) error {
	_, err := t.exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.Name, k.TokenHash, k.UserID, k.Created.UTC(), nt(k.LastUsed), nt(k.Revoked), nt(k.LastRefused))
	return t.d.wrap("insert token", err)
}

func (t *tx) GetTokenByHash(ctx context.Context, hash []byte) (mfa.APIToken, error) {
	k, err := scanToken(t.row(ctx, tokenSelect+` WHERE t.token_hash = $1`, hash))
	return k, t.d.wrap("get token", err)
}

func (t *tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "touch token", `UPDATE api_tokens SET last_used = $2 WHERE id = $1`, id, at.UTC())
}

func (t *tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "revoke token", `UPDATE api_tokens SET revoked = $2 WHERE id = $1 AND revoked IS NULL`, id, at.UTC())
}

func (t *tx) RevokeUserTokens(ctx context.Context, userID string, at time.Time) ([]mfa.APIToken, error) {
	return t.tokens(ctx, "revoke user tokens", `UPDATE api_tokens SET revoked = $2 WHERE user_id = $1 AND revoked IS NULL
		RETURNING `+tokenColumns+`, COALESCE((SELECT login FROM users WHERE id = $1), ''),
		COALESCE((SELECT status FROM users WHERE id = $1), ''), COALESCE((SELECT admin FROM users WHERE id = $1), FALSE)`, userID, at.UTC())
}

func (t *tx) NoteTokenRefused(ctx context.Context, id string, at, since time.Time) (bool, error) {
	err := t.execOne(ctx, "note token refused", `UPDATE api_tokens SET last_refused = $2
		WHERE id = $1 AND (last_refused IS NULL OR last_refused < $3)`, id, at.UTC(), since.UTC())
	if errors.Is(err, mfa.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (t *tx) ListTokens(ctx context.Context) ([]mfa.APIToken, error) {
	return t.tokens(ctx, "list tokens", tokenSelect+` ORDER BY t.created DESC`)
}

// tokens runs a query whose rows are tokens as scanToken reads them.
func (t *tx) tokens(ctx context.Context, what, q string, args ...any) ([]mfa.APIToken, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.d.wrap(what, err)
	}
	defer rows.Close()
	var out []mfa.APIToken
	for rows.Next() {
		k, err := scanToken(rows)
		if err != nil {
			return nil, t.d.wrap(what, err)
		}
		out = append(out, k)
	}
	return out, t.d.wrap(what, rows.Err())
}
