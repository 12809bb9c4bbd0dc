package store

import (
	"context"
	"database/sql"
	"time"

	"smsmfa/internal/mfa"
)

const messageColumns = `id, challenge_id, user_id, to_number, sealed_body, state, attempts, next_attempt, locked_until, created, expires,
	sent, provider, sender, provider_message_id, error`

func scanMessage(s scanner) (mfa.Message, error) {
	var m mfa.Message
	var locked, sent sql.NullTime
	err := s.Scan(&m.ID, &m.ChallengeID, &m.UserID, &m.To, &m.SealedBody, &m.State, &m.Attempts, &m.NextAttempt, &locked, &m.Created, &m.Expires,
		&sent, &m.Provider, &m.Sender, &m.ProviderMessageID, &m.Error)
	m.NextAttempt, m.Created, m.Expires, m.LockedUntil, m.Sent = utc(m.NextAttempt), utc(m.Created), utc(m.Expires), ut(locked), ut(sent)
	return m, err
}

func (t *tx) InsertMessage(ctx context.Context, m mfa.Message) error {
	_, err := t.exec(ctx, `INSERT INTO messages (`+messageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		m.ID, m.ChallengeID, m.UserID, m.To, m.SealedBody, string(m.State), m.Attempts, m.NextAttempt.UTC(), nt(m.LockedUntil),
		m.Created.UTC(), m.Expires.UTC(), nt(m.Sent), m.Provider, m.Sender, m.ProviderMessageID, m.Error)
	return t.d.wrap("insert message", err)
}

func (t *tx) GetMessage(ctx context.Context, id string) (mfa.Message, error) {
	m, err := scanMessage(t.row(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	return m, t.d.wrap("get message", err)
}

// claimable is the condition of a message a worker may take at $1: queued
// and due, or claimed by a worker whose lease ran out (it crashed).
const claimable = `((state = 'queued' AND next_attempt <= $1) OR (state = 'sending' AND locked_until < $1))`

// ClaimMessage takes one message for sending if it is claimable at now, and
// holds it until leaseUntil. ok is false when another worker has it or it
// is no longer waiting.
func (d *DB) ClaimMessage(ctx context.Context, id string, now, leaseUntil time.Time) (m mfa.Message, ok bool, err error) {
	err = d.inTx(ctx, func(t *tx) error {
		var err error
		m, err = scanMessage(t.row(ctx, `UPDATE messages SET state = 'sending', locked_until = $2, attempts = attempts + 1
			WHERE id = $3 AND `+claimable+` RETURNING `+messageColumns, now.UTC(), leaseUntil.UTC(), id))
		if err == sql.ErrNoRows {
			return nil
		}
		ok = err == nil
		return d.wrap("claim message", err)
	})
	return m, ok, err
}

// ClaimDue takes up to limit claimable messages, oldest due first, and
// holds them until leaseUntil. On PostgreSQL, rows other instances are
// claiming at the same moment are skipped, not waited for.
//
// The rows are picked in a MATERIALIZED CTE so the picking SELECT runs
// once: as an IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED) subquery,
// PostgreSQL may run it again for each row of the UPDATE, and each rerun
// skips the rows already updated and picks more, claiming past limit.
func (d *DB) ClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int) ([]mfa.Message, error) {
	var out []mfa.Message
	err := d.inTx(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `WITH picked AS MATERIALIZED (
				SELECT id FROM messages WHERE `+claimable+` ORDER BY next_attempt LIMIT $3`+d.dialect.skipLocked()+`)
			UPDATE messages SET state = 'sending', locked_until = $2, attempts = attempts + 1
			WHERE id IN (SELECT id FROM picked) AND `+claimable+` RETURNING `+messageColumns, now.UTC(), leaseUntil.UTC(), limit)
		if err != nil {
			return d.wrap("claim due", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return d.wrap("claim due", err)
			}
			out = append(out, m)
		}
		return d.wrap("claim due", rows.Err())
	})
	return out, err
}

// NextDue returns when the next queued message becomes due (zero if none).
func (d *DB) NextDue(ctx context.Context) (time.Time, error) {
	var at time.Time
	err := d.db.QueryRowContext(ctx, `SELECT next_attempt FROM messages WHERE state = 'queued' ORDER BY next_attempt LIMIT 1`).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	return utc(at), d.wrap("next due", err)
}

// FinishMessage records the outcome of an attempt on a message this worker
// claimed.
func (d *DB) FinishMessage(ctx context.Context, id string, u mfa.MessageUpdate) error {
	return d.inTx(ctx, func(t *tx) error {
		next := u.NextAttempt
		if next.IsZero() {
			next = time.Unix(0, 0)
		}
		return t.execOne(ctx, "finish message", `UPDATE messages SET state = $2, next_attempt = $3, locked_until = NULL, sent = $4,
			provider = $5, sender = $6, provider_message_id = $7, error = $8,
			sealed_body = CASE WHEN $9 THEN sealed_body ELSE NULL END WHERE id = $1`,
			id, string(u.State), next.UTC(), nt(u.Sent), u.Provider, u.Sender, u.ProviderMessageID, u.Error, u.KeepBody)
	})
}

// GetMessage returns one message.
func (d *DB) GetMessage(ctx context.Context, id string) (mfa.Message, error) {
	var m mfa.Message
	err := d.inTx(ctx, func(t *tx) error {
		var err error
		m, err = t.GetMessage(ctx, id)
		return err
	})
	return m, err
}
