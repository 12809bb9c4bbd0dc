package store

import (
	"context"
	"database/sql"
	"time"

	"smsmfa/internal/mfa"
)

const userColumns = `id, login, first_name, last_name, email, locale, time_zone, status, admin, password_hash,
	failed_passwords, failed_mfa, locked_until, created, last_updated, password_changed, last_login, activated, status_changed,
	mfa_lockouts, last_mfa_lockout, missed_codes, missed_since`

type scanner interface{ Scan(dest ...any) error }

// scanUser reads the user columns, then any extra columns into extra.
func scanUser(s scanner, extra ...any) (mfa.User, error) {
	var u mfa.User
	var locked, pwChanged, lastLogin, activated, statusChanged, lastLockout, missedSince sql.NullTime
	err := s.Scan(append([]any{&u.ID, &u.Login, &u.FirstName, &u.LastName, &u.Email, &u.Locale, &u.TimeZone, &u.Status, &u.Admin, &u.PasswordHash,
		&u.FailedPasswords, &u.FailedMFA, &locked, &u.Created, &u.LastUpdated, &pwChanged, &lastLogin, &activated, &statusChanged,
		&u.MFALockouts, &lastLockout, &u.MissedCodes, &missedSince}, extra...)...)
	u.LockedUntil, u.PasswordChanged, u.LastLogin, u.Activated, u.StatusChanged = ut(locked), ut(pwChanged), ut(lastLogin), ut(activated), ut(statusChanged)
	u.LastMFALockout, u.MissedSince = ut(lastLockout), ut(missedSince)
	u.Created, u.LastUpdated = utc(u.Created), utc(u.LastUpdated)
	return u, err
}

func (t *tx) GetUser(ctx context.Context, id string) (mfa.User, error) {
	u, err := scanUser(t.row(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, t.d.wrap("get user", err)
}

func (t *tx) GetUserByLogin(ctx context.Context, login string) (mfa.User, error) {
	u, err := scanUser(t.row(ctx, `SELECT `+userColumns+` FROM users WHERE login = $1`, login))
	return u, t.d.wrap("get user by login", err)
}

func (t *tx) LockUser(ctx context.Context, id string) (mfa.User, error) {
	u, err := scanUser(t.row(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+t.d.dialect.forUpdate(), id))
	return u, t.d.wrap("lock user", err)
}

// LockUserSettings is LockUser that reads the settings version in the same
// statement (see mfa.Tx): a unit of work on a user saves a round trip.
func (t *tx) LockUserSettings(ctx context.Context, id string) (mfa.User, int64, error) {
	var v int64
	u, err := scanUser(t.row(ctx, `SELECT `+userColumns+`, (SELECT version FROM settings_version WHERE id = 1) FROM users WHERE id = $1`+t.d.dialect.forUpdate(), id), &v)
	return u, v, t.d.wrap("lock user", err)
}

func userArgs(u mfa.User) []any {
	return []any{u.ID, u.Login, u.FirstName, u.LastName, u.Email, u.Locale, u.TimeZone, string(u.Status), u.Admin, u.PasswordHash,
		u.FailedPasswords, u.FailedMFA, nt(u.LockedUntil), u.Created.UTC(), u.LastUpdated.UTC(), nt(u.PasswordChanged), nt(u.LastLogin), nt(u.Activated), nt(u.StatusChanged),
		u.MFALockouts, nt(u.LastMFALockout), u.MissedCodes, nt(u.MissedSince)}
}

func (t *tx) InsertUser(ctx context.Context, u mfa.User) error {
	_, err := t.exec(ctx, `INSERT INTO users (`+userColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`, userArgs(u)...)
	return t.d.wrap("insert user", err)
}

func (t *tx) UpdateUser(ctx context.Context, u mfa.User) error {
	return t.execOne(ctx, "update user", `UPDATE users SET login = $2, first_name = $3, last_name = $4, email = $5, locale = $6, time_zone = $7,
		status = $8, admin = $9, password_hash = $10, failed_passwords = $11, failed_mfa = $12, locked_until = $13, created = $14,
		last_updated = $15, password_changed = $16, last_login = $17, activated = $18, status_changed = $19,
		mfa_lockouts = $20, last_mfa_lockout = $21, missed_codes = $22, missed_since = $23 WHERE id = $1`, userArgs(u)...)
}

func (t *tx) DeleteUser(ctx context.Context, id string) error {
	return t.execOne(ctx, "delete user", `DELETE FROM users WHERE id = $1`, id)
}

func (t *tx) ListUsers(ctx context.Context, query, afterLogin string, limit int) ([]mfa.User, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return t.users(ctx, "list users", `SELECT `+userColumns+` FROM users
		WHERE login > $1 AND ($2 = '' OR login LIKE $3 ESCAPE '\' OR LOWER(first_name || ' ' || last_name) LIKE $3 ESCAPE '\')
		ORDER BY login LIMIT $4`, afterLogin, query, likePattern(query), limit)
}

// users runs a query whose rows are users as scanUser reads them.
func (t *tx) users(ctx context.Context, what, q string, args ...any) ([]mfa.User, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.d.wrap(what, err)
	}
	defer rows.Close()
	var out []mfa.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.d.wrap(what, err)
		}
		out = append(out, u)
	}
	return out, t.d.wrap(what, rows.Err())
}

func (t *tx) CountLockedUsers(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := t.row(ctx, `SELECT COUNT(*) FROM users WHERE locked_until > $1`, now.UTC()).Scan(&n)
	return n, t.d.wrap("count locked users", err)
}

func (t *tx) ActiveAdmins(ctx context.Context) ([]mfa.User, error) {
	return t.users(ctx, "active admins", `SELECT `+userColumns+` FROM users WHERE admin AND status = $1 ORDER BY created, id`, string(mfa.UserActive))
}
