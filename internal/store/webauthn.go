package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

const webauthnColumns = `id, user_id, factor_id, credential_id, public_key, sign_count, aaguid, transports, format, flags, name, created, last_used`

func (t *tx) ListWebAuthnCredentials(ctx context.Context, userID string) ([]mfa.WebAuthnCredential, error) {
	rows, err := t.query(ctx, `SELECT `+webauthnColumns+` FROM webauthn_credentials WHERE user_id = $1 ORDER BY created, id`, userID)
	if err != nil {
		return nil, t.d.wrap("list webauthn credentials", err)
	}
	defer rows.Close()
	var out []mfa.WebAuthnCredential
	for rows.Next() {
		var c mfa.WebAuthnCredential
		var count int64
		var flags int
		var transports string
		var used sql.NullTime
		if err := rows.Scan(&c.ID, &c.UserID, &c.FactorID, &c.CredentialID, &c.PublicKey, &count, &c.AAGUID, &transports, &c.Format, &flags, &c.Name, &c.Created, &used); err != nil {
			return nil, t.d.wrap("list webauthn credentials", err)
		}
		c.SignCount, c.Flags, c.Created, c.LastUsed = uint32(count), byte(flags), utc(c.Created), ut(used)
		if transports != "" {
			c.Transports = strings.Split(transports, ",")
		}
		out = append(out, c)
	}
	return out, t.d.wrap("list webauthn credentials", rows.Err())
}

func (t *tx) InsertWebAuthnCredential(ctx context.Context, c mfa.WebAuthnCredential) error {
	_, err := t.exec(ctx, `INSERT INTO webauthn_credentials (`+webauthnColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.UserID, c.FactorID, c.CredentialID, c.PublicKey, int64(c.SignCount), nonNil(c.AAGUID), strings.Join(c.Transports, ","), c.Format, int(c.Flags), c.Name,
		c.Created.UTC(), nt(c.LastUsed))
	return t.d.wrap("insert webauthn credential", err)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (t *tx) UpdateWebAuthnUse(ctx context.Context, userID, id string, signCount uint32, flags byte, at time.Time) error {
	return t.execOne(ctx, "update webauthn credential", `UPDATE webauthn_credentials SET sign_count = $3, flags = $4, last_used = $5 WHERE user_id = $1 AND id = $2`,
		userID, id, int64(signCount), int(flags), at.UTC())
}

func (t *tx) DeleteWebAuthnCredential(ctx context.Context, userID, id string) error {
	return t.execOne(ctx, "delete webauthn credential", `DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2`, userID, id)
}

func (t *tx) PutWebAuthnCeremony(ctx context.Context, c mfa.WebAuthnCeremony) error {
	if _, err := t.exec(ctx, `DELETE FROM webauthn_ceremonies WHERE user_id = $1 AND kind = $2 AND scope = $3`, c.UserID, c.Kind, c.Scope); err != nil {
		return t.d.wrap("put webauthn ceremony", err)
	}
	_, err := t.exec(ctx, `INSERT INTO webauthn_ceremonies (id, user_id, kind, scope, data, created, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.UserID, c.Kind, c.Scope, c.Data, c.Created.UTC(), c.Expires.UTC())
	return t.d.wrap("put webauthn ceremony", err)
}

func (t *tx) TakeWebAuthnCeremony(ctx context.Context, userID, kind, scope string) (mfa.WebAuthnCeremony, error) {
	var c mfa.WebAuthnCeremony
	err := t.row(ctx, `DELETE FROM webauthn_ceremonies WHERE user_id = $1 AND kind = $2 AND scope = $3
		RETURNING id, user_id, kind, scope, data, created, expires`, userID, kind, scope).
		Scan(&c.ID, &c.UserID, &c.Kind, &c.Scope, &c.Data, &c.Created, &c.Expires)
	c.Created, c.Expires = utc(c.Created), utc(c.Expires)
	return c, t.d.wrap("take webauthn ceremony", err)
}

func (t *tx) DeleteWebAuthnCeremoniesBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM webauthn_ceremonies WHERE expires < $1`, before.UTC())
	if err != nil {
		return 0, t.d.wrap("delete webauthn ceremonies", err)
	}
	return res.RowsAffected()
}
