package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"smsmfa/internal/mfa"
)

const messageColumns = `id, challenge_id, user_id, to_number, sealed_body, state, attempts, next_attempt, locked_until, created, expires,
	sent, provider, sender, provider_message_id, error, claim, receipt_at, receipt_error, channel`

func scanMessage(s scanner) (mfa.Message, error) {
	var m mfa.Message
	var locked, sent, receipt sql.NullTime
	err := s.Scan(&m.ID, &m.ChallengeID, &m.UserID, &m.To, &m.SealedBody, &m.State, &m.Attempts, &m.NextAttempt, &locked, &m.Created, &m.Expires,
		&sent, &m.Provider, &m.Sender, &m.ProviderMessageID, &m.Error, &m.Claim, &receipt, &m.ReceiptError, &m.Channel)
	m.NextAttempt, m.Created, m.Expires, m.LockedUntil, m.Sent, m.ReceiptAt = utc(m.NextAttempt), utc(m.Created), utc(m.Expires), ut(locked), ut(sent), ut(receipt)
	return m, err
}

func (t *tx) InsertMessage(ctx context.Context, m mfa.Message) error {
	_, err := t.exec(ctx, `INSERT INTO messages (`+messageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		m.ID, m.ChallengeID, m.UserID, m.To, m.SealedBody, string(m.State), m.Attempts, m.NextAttempt.UTC(), nt(m.LockedUntil),
		m.Created.UTC(), m.Expires.UTC(), nt(m.Sent), m.Provider, m.Sender, m.ProviderMessageID, m.Error, m.Claim, nt(m.ReceiptAt), m.ReceiptError, string(m.Channel))
	return t.d.wrap("insert message", err)
}

func (t *tx) GetMessage(ctx context.Context, id string) (mfa.Message, error) {
	m, err := scanMessage(t.row(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	return m, t.d.wrap("get message", err)
}

// claimable is the condition of a message a worker may take at $1: queued
// and due, or claimed by a worker whose lease ran out (it crashed).
const claimable = `((state = 'queued' AND next_attempt <= $1) OR (state = 'sending' AND locked_until < $1))`

// claimSet is the SET clause of a claim. It records in claim whether the
// message was taken over from a worker whose lease ran out (SET sees the
// row as it was): such a claim starts with LostPrefix.
const claimSet = `state = 'sending', locked_until = $2, attempts = attempts + 1,
	claim = CASE WHEN state = 'sending' THEN '` + LostPrefix + `' || $4 ELSE $4 END`

// LostPrefix starts the claim of a message taken over from a worker that
// stopped mid-send: the provider may or may not have the message.
const LostPrefix = mfa.LostClaimPrefix

// claimableNow is claimable without the wait for next_attempt.
const claimableNow = `(state = 'queued' OR (state = 'sending' AND locked_until < $1))`

// ClaimMessage takes one message for sending if it is waiting (due or not)
// or held under a lease that ran out, and holds it until leaseUntil under
// claim. ok is false when another worker has it or it is no longer waiting.
// (The request that queues a message writes it claimed instead; this is
// for taking one message over by hand, as the tests of leases do.)
func (d *DB) ClaimMessage(ctx context.Context, id string, now, leaseUntil time.Time, claim string) (m mfa.Message, ok bool, err error) {
	err = d.inTx(ctx, func(t *tx) error {
		var err error
		m, err = scanMessage(t.row(ctx, `UPDATE messages SET `+claimSet+`
			WHERE id = $3 AND `+claimableNow+` RETURNING `+messageColumns, now.UTC(), leaseUntil.UTC(), id, claim))
		if errors.Is(err, sql.ErrNoRows) {
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
func (d *DB) ClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int, claim string) ([]mfa.Message, error) {
	var out []mfa.Message
	err := d.inTx(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `WITH picked AS MATERIALIZED (
				SELECT id FROM messages WHERE `+claimable+` ORDER BY next_attempt LIMIT $3`+d.dialect.skipLocked()+`)
			UPDATE messages SET `+claimSet+`
			WHERE id IN (SELECT id FROM picked) AND `+claimable+` RETURNING `+messageColumns, now.UTC(), leaseUntil.UTC(), limit, claim)
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

// ErrClaimLost means another worker took the message over (this worker's
// lease ran out) before the outcome could be recorded.
var ErrClaimLost = mfa.ErrClaimLost

// FinishMessage records the outcome of a claim: the attempts always (they
// happened), the message's new state only while claim still holds it
// (otherwise ErrClaimLost).
func (d *DB) FinishMessage(ctx context.Context, id, claim string, u mfa.MessageUpdate) error {
	lost, err := d.FinishMessages(ctx, []mfa.MessageFinish{{ID: id, Claim: claim, Update: u}})
	if err == nil && lost[0] {
		return ErrClaimLost
	}
	return err
}

// FinishMessages records the outcomes of many claimed messages in one unit
// of work (the dispatcher's group commit: one commit for every outcome that
// arrived while the previous one was being written). lost[i] says the
// claim of fs[i] no longer held (its attempts are recorded all the same);
// an error means none was recorded.
func (d *DB) FinishMessages(ctx context.Context, fs []mfa.MessageFinish) (lost []bool, err error) {
	err = d.inTx(ctx, func(t *tx) error {
		lost = make([]bool, len(fs))
		for i, f := range fs {
			l, err := t.finishMessage(ctx, f.ID, f.Claim, f.Update)
			if err != nil {
				return err
			}
			lost[i] = l
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lost, nil
}

// finishMessage records one outcome; lost says the claim no longer held
// (the attempts are kept).
func (t *tx) finishMessage(ctx context.Context, id, claim string, u mfa.MessageUpdate) (lost bool, err error) {
	d := t.d
	for _, a := range u.Attempts {
		if _, err := t.exec(ctx, `INSERT INTO message_attempts (message_id, attempt, provider, sender, started, latency_ms, outcome, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, a.Attempt, a.Provider, a.Sender, a.Started.UTC(), a.Latency.Milliseconds(), a.Outcome, a.Error); err != nil {
			return false, d.wrap("record attempt", err)
		}
	}
	next := u.NextAttempt
	if next.IsZero() {
		next = time.Unix(0, 0)
	}
	err = t.execOne(ctx, "finish message", `UPDATE messages SET state = $2, next_attempt = $3, locked_until = NULL, sent = $4,
		provider = $5, sender = $6, provider_message_id = $7, error = $8,
		sealed_body = CASE WHEN $9 THEN sealed_body ELSE NULL END WHERE id = $1 AND claim = $10 AND state = 'sending'`,
		id, string(u.State), next.UTC(), nt(u.Sent), u.Provider, u.Sender, u.ProviderMessageID, u.Error, u.KeepBody, claim)
	if errors.Is(err, mfa.ErrNotFound) {
		return true, nil // keep the attempts: commit them, report the lost claim
	}
	return false, err
}

// ReleaseLeases makes every message held by a worker claimable at once. A
// single-node deployment calls it at start: any hold then belongs to a
// process that is gone.
func (d *DB) ReleaseLeases(ctx context.Context, now time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, `UPDATE messages SET locked_until = $1 WHERE state = 'sending'`, now.Add(-time.Second).UTC())
	if err != nil {
		return 0, d.wrap("release leases", err)
	}
	return res.RowsAffected()
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

// OutboxStats returns the number of texts waiting to be sent (queued, or
// being sent) and when the oldest of them was queued (zero when none): one
// statement over the messages_due index.
func (d *DB) OutboxStats(ctx context.Context) (depth int, oldest time.Time, err error) {
	var first any // SQLite gives an aggregate's time as text (it has no declared type)
	err = d.read.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created) FROM messages WHERE state IN ('queued', 'sending')`).Scan(&depth, &first)
	if err != nil {
		return 0, time.Time{}, d.wrap("outbox stats", err)
	}
	if oldest, err = aggregateTime(first); err != nil {
		return 0, time.Time{}, fmt.Errorf("store: outbox stats: %w", err)
	}
	return depth, oldest, nil
}

// aggregateTime reads a time an aggregate (MIN, MAX) returned: a time from
// PostgreSQL, text in SQLite's format from SQLite, nil for no rows.
func aggregateTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case []byte:
		return aggregateTime(string(t))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("unreadable time %q", t)
	}
	return time.Time{}, fmt.Errorf("unexpected time of type %T", v)
}
