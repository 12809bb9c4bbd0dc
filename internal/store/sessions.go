package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/alexedwards/scs/v2"

	"smsmfa/internal/secret"
)

// Sessions is an scs.CtxStore over the sessions table. Session tokens are
// stored only as SHA-256 hashes, so a copy of the database holds no live
// cookie.
type Sessions struct{ d *DB }

var _ scs.CtxStore = Sessions{}

// Sessions returns the session store.
func (d *DB) Sessions() Sessions { return Sessions{d: d} }

// FindCtx returns the data of an unexpired session.
func (s Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.d.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		secret.HashToken(token), time.Now().UTC()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.d.wrap("find session", err)
	}
	return b, true, nil
}

// CommitCtx saves a session.
func (s Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.d.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, secret.HashToken(token), b, expiry.UTC())
	return s.d.wrap("commit session", err)
}

// DeleteCtx removes a session.
func (s Sessions) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.d.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, secret.HashToken(token))
	return s.d.wrap("delete session", err)
}

// Find is FindCtx without a context.
func (s Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes sessions that expired before now.
func (s Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.d.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry < $1`, now.UTC())
	if err != nil {
		return 0, s.d.wrap("delete expired sessions", err)
	}
	return res.RowsAffected()
}
