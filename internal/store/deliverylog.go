package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

func (t *tx) ListMessages(ctx context.Context, f mfa.MessageFilter) ([]mfa.Message, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if f.Provider != "" {
		where = append(where, "provider = "+arg(f.Provider))
	}
	if f.Number != "" {
		where = append(where, "to_number = "+arg(f.Number))
	}
	if f.UserID != "" {
		where = append(where, "user_id = "+arg(f.UserID))
	}
	if !f.Since.IsZero() {
		where = append(where, "created >= "+arg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		where = append(where, "created < "+arg(f.Until.UTC()))
	}
	if f.Before != "" {
		where = append(where, "(created, id) < (SELECT created, id FROM messages WHERE id = "+arg(f.Before)+")")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT ` + messageColumns + ` FROM messages`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created DESC, id DESC LIMIT " + arg(limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.d.wrap("list messages", err)
	}
	defer rows.Close()
	var out []mfa.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, t.d.wrap("list messages", err)
		}
		out = append(out, m)
	}
	return out, t.d.wrap("list messages", rows.Err())
}

func (t *tx) ListAttempts(ctx context.Context, ids []string) ([]mfa.Attempt, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var ph []string
	var args []any
	for i, id := range ids {
		ph = append(ph, "$"+strconv.Itoa(i+1))
		args = append(args, id)
	}
	rows, err := t.query(ctx, `SELECT message_id, attempt, provider, sender, started, latency_ms, outcome, error FROM message_attempts
		WHERE message_id IN (`+strings.Join(ph, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, t.d.wrap("list attempts", err)
	}
	defer rows.Close()
	var out []mfa.Attempt
	for rows.Next() {
		var a mfa.Attempt
		var ms int64
		if err := rows.Scan(&a.MessageID, &a.Attempt, &a.Provider, &a.Sender, &a.Started, &ms, &a.Outcome, &a.Error); err != nil {
			return nil, t.d.wrap("list attempts", err)
		}
		a.Started, a.Latency = utc(a.Started), time.Duration(ms)*time.Millisecond
		out = append(out, a)
	}
	return out, t.d.wrap("list attempts", rows.Err())
}

// ApplyReceipt moves a sent message forward; a receipt never moves a
// message back (a late "sent" after "delivered" changes nothing).
func (t *tx) ApplyReceipt(ctx context.Context, provider, providerMessageID string, state mfa.MessageState, detail string, at time.Time) (bool, error) {
	var id string
	var cur mfa.MessageState
	err := t.row(ctx, `SELECT id, state FROM messages WHERE provider = $1 AND provider_message_id = $2`, provider, providerMessageID).Scan(&id, &cur)
	if err != nil {
		err = t.d.wrap("find message by provider id", err)
		if errors.Is(err, mfa.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if cur != mfa.MessageSent && !(cur == mfa.MessageUndelivered && state == mfa.MessageDelivered) {
		return true, nil
	}
	_, err = t.exec(ctx, `UPDATE messages SET state = $2, receipt_at = $3, receipt_error = $4 WHERE id = $1`, id, string(state), at.UTC(), detail)
	return true, t.d.wrap("apply receipt", err)
}

func (t *tx) CopyVerifiedBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `UPDATE messages SET verified_at = (SELECT c.consumed FROM challenges c WHERE c.id = messages.challenge_id)
		WHERE verified_at IS NULL AND challenge_id IN (SELECT id FROM challenges WHERE consumed IS NOT NULL AND expires < $1)`, before.UTC())
	if err != nil {
		return 0, t.d.wrap("copy verified", err)
	}
	return res.RowsAffected()
}

func (t *tx) EachTraffic(ctx context.Context, since time.Time, fn func(mfa.TrafficRow) error) error {
	rows, err := t.query(ctx, `SELECT m.to_number, m.state, m.provider, m.created, m.sent, m.receipt_at, m.verified_at, c.consumed
		FROM messages m LEFT JOIN challenges c ON c.id = m.challenge_id WHERE m.created >= $1 ORDER BY m.created`, since.UTC())
	if err != nil {
		return t.d.wrap("traffic", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r mfa.TrafficRow
		var sent, receipt, verified, consumed sql.NullTime
		if err := rows.Scan(&r.To, &r.State, &r.Provider, &r.Created, &sent, &receipt, &verified, &consumed); err != nil {
			return t.d.wrap("traffic", err)
		}
		if !verified.Valid {
			verified = consumed
		}
		r.Created, r.Sent, r.ReceiptAt, r.Verified = utc(r.Created), ut(sent), ut(receipt), ut(verified)
		if err := fn(r); err != nil {
			return err
		}
	}
	return t.d.wrap("traffic", rows.Err())
}
