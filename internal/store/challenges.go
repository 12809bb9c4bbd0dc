package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"smsmfa/internal/mfa"
)

const challengeColumns = `id, user_id, factor_id, purpose, phone_number, code_mac, created, expires, attempts, max_attempts,
	consumed, dead, message_id, client_ip, scope`

func scanChallenge(s scanner) (mfa.Challenge, error) {
	var c mfa.Challenge
	var consumed, dead sql.NullTime
	err := s.Scan(&c.ID, &c.UserID, &c.FactorID, &c.Purpose, &c.PhoneNumber, &c.CodeMAC, &c.Created, &c.Expires, &c.Attempts, &c.MaxAttempts,
		&consumed, &dead, &c.MessageID, &c.ClientIP, &c.Scope)
	c.Created, c.Expires, c.Consumed, c.Dead = utc(c.Created), utc(c.Expires), ut(consumed), ut(dead)
	return c, err
}

func (t *tx) InsertChallenge(ctx context.Context, c mfa.Challenge) error {
	_, err := t.exec(ctx, `INSERT INTO challenges (`+challengeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		c.ID, c.UserID, c.FactorID, string(c.Purpose), c.PhoneNumber, c.CodeMAC, c.Created.UTC(), c.Expires.UTC(), c.Attempts, c.MaxAttempts,
		nt(c.Consumed), nt(c.Dead), c.MessageID, c.ClientIP, c.Scope)
	return t.d.wrap("insert challenge", err)
}

func (t *tx) GetChallenge(ctx context.Context, id string) (mfa.Challenge, error) {
	c, err := scanChallenge(t.row(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE id = $1`, id))
	return c, t.d.wrap("get challenge", err)
}

func (t *tx) LatestChallenge(ctx context.Context, factorID string, purpose mfa.Purpose, scope string) (mfa.Challenge, error) {
	c, err := scanChallenge(t.row(ctx, `SELECT `+challengeColumns+` FROM challenges
		WHERE factor_id = $1 AND purpose = $2 AND scope = $3 ORDER BY created DESC, id DESC LIMIT 1`, factorID, string(purpose), scope))
	return c, t.d.wrap("latest challenge", err)
}

func (t *tx) LastChallengeAt(ctx context.Context, userID, scope string) (time.Time, error) {
	var at time.Time
	err := t.row(ctx, `SELECT created FROM challenges WHERE user_id = $1 AND scope = $2 ORDER BY created DESC LIMIT 1`, userID, scope).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return utc(at), t.d.wrap("last challenge", err)
}

// KillChallenges marks the user's live challenges dead, and drops their
// messages that are still waiting to be sent (a dead code is not worth a
// text).
func (t *tx) KillChallenges(ctx context.Context, userID, scope string, now time.Time) error {
	return t.killChallenges(ctx, `user_id = $1 AND scope = $3`, now, userID, scope)
}

func (t *tx) KillAllChallenges(ctx context.Context, userID string, now time.Time) error {
	return t.killChallenges(ctx, `user_id = $1`, now, userID)
}

// killChallenges kills the live challenges that match where ($1 and on;
// $2 is now) and drops their texts still queued.
func (t *tx) killChallenges(ctx context.Context, where string, now time.Time, args ...any) error {
	args = append([]any{args[0], now.UTC()}, args[1:]...)
	live := where + ` AND consumed IS NULL AND dead IS NULL AND expires > $2`
	const drop = `UPDATE messages SET state = 'expired', sealed_body = NULL, error = 'not sent: a newer code replaced it'`
	if t.d.Engine() == Postgres { // one statement (one round trip): the texts of the challenges it kills
		_, err := t.exec(ctx, `WITH killed AS (UPDATE challenges SET dead = $2 WHERE `+live+` RETURNING id)
			`+drop+` WHERE state = 'queued' AND challenge_id IN (SELECT id FROM killed)`, args...)
		return t.d.wrap("kill challenges", err)
	}
	if _, err := t.exec(ctx, drop+`
		WHERE state = 'queued' AND challenge_id IN (SELECT id FROM challenges WHERE `+live+`)`, args...); err != nil {
		return t.d.wrap("drop superseded messages", err)
	}
	_, err := t.exec(ctx, `UPDATE challenges SET dead = $2 WHERE `+live, args...)
	return t.d.wrap("kill challenges", err)
}

func (t *tx) AddAttempt(ctx context.Context, id string) (int, bool, error) {
	var n int
	err := t.row(ctx, `UPDATE challenges SET attempts = attempts + 1 WHERE id = $1 AND attempts < max_attempts RETURNING attempts`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return n, err == nil, t.d.wrap("add attempt", err)
}

func (t *tx) ConsumeChallenge(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE challenges SET consumed = $2
		WHERE id = $1 AND consumed IS NULL AND dead IS NULL AND expires > $2 AND attempts < max_attempts`, id, now.UTC())
	if err != nil {
		return false, t.d.wrap("consume challenge", err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.d.wrap("consume challenge", err)
}

func (t *tx) DeleteChallengesBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM challenges WHERE expires < $1`, before.UTC())
	if err != nil {
		return 0, t.d.wrap("delete challenges", err)
	}
	return res.RowsAffected()
}

func (t *tx) DeleteChallenge(ctx context.Context, id string) error {
	return t.execOne(ctx, "delete challenge", `DELETE FROM challenges WHERE id = $1`, id)
}
