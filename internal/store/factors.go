package store

import (
	"context"
	"database/sql"
	"time"

	"smsmfa/internal/mfa"
)

const factorColumns = `id, user_id, type, status, phone_number, created, last_updated, provider, secret, last_step, last_used, phone_extension`

func scanFactor(s scanner) (mfa.Factor, error) {
	var f mfa.Factor
	var used sql.NullTime
	err := s.Scan(&f.ID, &f.UserID, &f.Type, &f.Status, &f.PhoneNumber, &f.Created, &f.LastUpdated, &f.Provider, &f.Secret, &f.LastStep, &used, &f.Extension)
	f.Created, f.LastUpdated, f.LastUsed = utc(f.Created), utc(f.LastUpdated), ut(used)
	return f, err
}

func (t *tx) ListFactors(ctx context.Context, userID string) ([]mfa.Factor, error) {
	rows, err := t.query(ctx, `SELECT `+factorColumns+` FROM factors WHERE user_id = $1 ORDER BY created, id`, userID)
	if err != nil {
		return nil, t.d.wrap("list factors", err)
	}
	defer rows.Close()
	var out []mfa.Factor
	for rows.Next() {
		f, err := scanFactor(rows)
		if err != nil {
			return nil, t.d.wrap("list factors", err)
		}
		out = append(out, f)
	}
	return out, t.d.wrap("list factors", rows.Err())
}

func (t *tx) GetFactor(ctx context.Context, userID, id string) (mfa.Factor, error) {
	f, err := scanFactor(t.row(ctx, `SELECT `+factorColumns+` FROM factors WHERE user_id = $1 AND id = $2`, userID, id))
	return f, t.d.wrap("get factor", err)
}

func (t *tx) InsertFactor(ctx context.Context, f mfa.Factor) error {
	_, err := t.exec(ctx, `INSERT INTO factors (`+factorColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		f.ID, f.UserID, f.Type, string(f.Status), f.PhoneNumber, f.Created.UTC(), f.LastUpdated.UTC(), f.Provider, f.Secret, f.LastStep, nt(f.LastUsed), f.Extension)
	return t.d.wrap("insert factor", err)
}

func (t *tx) UpdateFactor(ctx context.Context, f mfa.Factor) error {
	return t.execOne(ctx, "update factor", `UPDATE factors SET status = $3, phone_number = $4, last_updated = $5, phone_extension = $6 WHERE user_id = $1 AND id = $2`,
		f.UserID, f.ID, string(f.Status), f.PhoneNumber, f.LastUpdated.UTC(), f.Extension)
}

// UseTOTPStep records step as the last step a code of the factor was
// accepted for, if it is after the one stored: a compare-and-set, so two
// concurrent uses of one code cannot both succeed.
func (t *tx) UseTOTPStep(ctx context.Context, factorID string, step int64) (bool, error) {
	res, err := t.exec(ctx, `UPDATE factors SET last_step = $2 WHERE id = $1 AND last_step < $2`, factorID, step)
	if err != nil {
		return false, t.d.wrap("use totp step", err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.d.wrap("use totp step", err)
}

// FactorUsed records that the factor passed a verification at at.
func (t *tx) FactorUsed(ctx context.Context, factorID string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE factors SET last_used = $2 WHERE id = $1`, factorID, at.UTC())
	return t.d.wrap("factor used", err)
}

func (t *tx) DeleteFactor(ctx context.Context, userID, id string) error {
	return t.execOne(ctx, "delete factor", `DELETE FROM factors WHERE user_id = $1 AND id = $2`, userID, id)
}

func (t *tx) GetPhone(ctx context.Context, userID string) (mfa.Phone, error) {
	var p mfa.Phone
	err := t.row(ctx, `SELECT id, user_id, number, verified, created FROM phones WHERE user_id = $1`, userID).
		Scan(&p.ID, &p.UserID, &p.Number, &p.Verified, &p.Created)
	p.Verified, p.Created = utc(p.Verified), utc(p.Created)
	return p, t.d.wrap("get phone", err)
}

func (t *tx) PutPhone(ctx context.Context, p mfa.Phone) error {
	_, err := t.exec(ctx, `INSERT INTO phones (id, user_id, number, verified, created) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, number = excluded.number, verified = excluded.verified, created = excluded.created`,
		p.ID, p.UserID, p.Number, p.Verified.UTC(), p.Created.UTC())
	return t.d.wrap("put phone", err)
}

func (t *tx) CountNumberVerifiers(ctx context.Context, number, exceptUserID string, since time.Time) (int, error) {
	var n int
	// A number verified for Voice Call (an active call factor) counts as
	// verified too: one user counts once.
	err := t.row(ctx, `SELECT COUNT(*) FROM (SELECT user_id FROM phones WHERE number = $1 AND user_id <> $2 AND verified >= $3
		UNION SELECT user_id FROM factors WHERE type = 'call' AND status = 'ACTIVE' AND phone_number = $1 AND user_id <> $2 AND last_updated >= $3) v`,
		number, exceptUserID, since.UTC()).Scan(&n)
	return n, t.d.wrap("count number verifiers", err)
}

func (t *tx) NumberUsers(ctx context.Context, number string, limit int) ([]mfa.User, error) {
	return t.users(ctx, "number users", `SELECT `+userColumns+` FROM users WHERE id IN (SELECT user_id FROM phones WHERE number = $1
		UNION SELECT user_id FROM factors WHERE type = 'call' AND status = 'ACTIVE' AND phone_number = $1) ORDER BY login LIMIT $2`, number, limit)
}

func (t *tx) ReplaceRecoveryCodes(ctx context.Context, userID string, cs []mfa.RecoveryCode) error {
	if _, err := t.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return t.d.wrap("replace recovery codes", err)
	}
	for _, c := range cs {
		if _, err := t.exec(ctx, `INSERT INTO recovery_codes (id, user_id, code_hash, created) VALUES ($1, $2, $3, $4)`,
			c.ID, userID, c.Hash, c.Created.UTC()); err != nil {
			return t.d.wrap("replace recovery codes", err)
		}
	}
	return nil
}

func (t *tx) UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE recovery_codes SET used = $3 WHERE user_id = $1 AND code_hash = $2 AND used IS NULL`, userID, hash, at.UTC())
	if err != nil {
		return false, t.d.wrap("use recovery code", err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.d.wrap("use recovery code", err)
}

func (t *tx) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := t.row(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used IS NULL`, userID).Scan(&n)
	return n, t.d.wrap("count recovery codes", err)
}
