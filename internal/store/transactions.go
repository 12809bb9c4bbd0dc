package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"smsmfa/internal/mfa"
)

const txnColumns = `id, token_hash, user_id, status, factor_id, created, expires, relay_state, session_token_hash, session_token_expires, client_ip`

func (t *tx) InsertTransaction(ctx context.Context, x mfa.Transaction) error {
	_, err := t.exec(ctx, `INSERT INTO transactions (`+txnColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		x.ID, x.TokenHash, x.UserID, string(x.Status), x.FactorID, x.Created.UTC(), x.Expires.UTC(), x.RelayState,
		nilBytes(x.SessionTokenHash), nt(x.SessionTokenExpires), x.ClientIP)
	return t.d.wrap("insert transaction", err)
}

func nilBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (t *tx) GetTransactionByToken(ctx context.Context, tokenHash []byte) (mfa.Transaction, error) {
	var x mfa.Transaction
	var sessExp sql.NullTime
	err := t.row(ctx, `SELECT `+txnColumns+` FROM transactions WHERE token_hash = $1`+t.d.dialect.forUpdate(), tokenHash).
		Scan(&x.ID, &x.TokenHash, &x.UserID, &x.Status, &x.FactorID, &x.Created, &x.Expires, &x.RelayState, &x.SessionTokenHash, &sessExp, &x.ClientIP)
	x.Created, x.Expires, x.SessionTokenExpires = utc(x.Created), utc(x.Expires), ut(sessExp)
	return x, t.d.wrap("get transaction", err)
}

func (t *tx) UpdateTransaction(ctx context.Context, x mfa.Transaction) error {
	return t.execOne(ctx, "update transaction", `UPDATE transactions SET status = $2, factor_id = $3, expires = $4, session_token_hash = $5,
		session_token_expires = $6 WHERE id = $1`, x.ID, string(x.Status), x.FactorID, x.Expires.UTC(), nilBytes(x.SessionTokenHash), nt(x.SessionTokenExpires))
}

func (t *tx) TakeSessionToken(ctx context.Context, tokenHash []byte, now time.Time) (string, string, error) {
	var userID, factorID string
	err := t.row(ctx, `UPDATE transactions SET session_token_hash = NULL, session_token_expires = NULL
		WHERE session_token_hash = $1 AND session_token_expires > $2 RETURNING user_id, factor_id`, tokenHash, now.UTC()).Scan(&userID, &factorID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", mfa.ErrNotFound
	}
	return userID, factorID, t.d.wrap("take session token", err)
}

func (t *tx) DeleteTransactionsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM transactions WHERE expires < $1 AND (session_token_expires IS NULL OR session_token_expires < $1)`, before.UTC())
	if err != nil {
		return 0, t.d.wrap("delete transactions", err)
	}
	return res.RowsAffected()
}
