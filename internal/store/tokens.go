package store

import (
	"context"
	"database/sql"
	"time"

	"smsmfa/internal/mfa"
)

const tokenColumns = `id, name, token_hash, user_id, created, last_used, revoked`

func scanToken(s scanner) (mfa.APIToken, error) {
	var k mfa.APIToken
	var used, revoked sql.NullTime
	err := s.Scan(&k.ID, &k.Name, &k.TokenHash, &k.UserID, &k.Created, &used, &revoked)
	k.Created, k.LastUsed, k.Revoked = utc(k.Created), ut(used), ut(revoked)
	return k, err
}

func (t *tx) InsertToken(ctx context.Context, k mfa.APIToken) error {
	_, err := t.exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.Name, k.TokenHash, k.UserID, k.Created.UTC(), nt(k.LastUsed), nt(k.Revoked))
	return t.d.wrap("insert token", err)
}

func (t *tx) GetTokenByHash(ctx context.Context, hash []byte) (mfa.APIToken, error) {
	k, err := scanToken(t.row(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
	return k, t.d.wrap("get token", err)
}

func (t *tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "touch token", `UPDATE api_tokens SET last_used = $2 WHERE id = $1`, id, at.UTC())
}

func (t *tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "revoke token", `UPDATE api_tokens SET revoked = $2 WHERE id = $1 AND revoked IS NULL`, id, at.UTC())
}

func (t *tx) ListTokens(ctx context.Context) ([]mfa.APIToken, error) {
	rows, err := t.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created DESC`)
	if err != nil {
		return nil, t.d.wrap("list tokens", err)
	}
	defer rows.Close()
	var out []mfa.APIToken
	for rows.Next() {
		k, err := scanToken(rows)
		if err != nil {
			return nil, t.d.wrap("list tokens", err)
		}
		out = append(out, k)
	}
	return out, t.d.wrap("list tokens", rows.Err())
}
