package store

import (
	"context"

	"smsmfa/internal/mfa"
)

func (t *tx) PutOptOut(ctx context.Context, o mfa.OptOut) error {
	_, err := t.exec(ctx, `INSERT INTO opt_outs (number, sender, provider, created) VALUES ($1, $2, $3, $4)
		ON CONFLICT (number, sender) DO NOTHING`, o.Number, o.Sender, o.Provider, o.Created.UTC())
	return t.d.wrap("put opt-out", err)
}

func (t *tx) DeleteOptOut(ctx context.Context, number, sender string) error {
	return t.execOne(ctx, "delete opt-out", `DELETE FROM opt_outs WHERE number = $1 AND sender = $2`, number, sender)
}

func (t *tx) OptedOutSenders(ctx context.Context, number string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT sender FROM opt_outs WHERE number = $1`, number)
	if err != nil {
		return nil, t.d.wrap("opted-out senders", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, t.d.wrap("opted-out senders", err)
		}
		out = append(out, s)
	}
	return out, t.d.wrap("opted-out senders", rows.Err())
}

func (t *tx) ListOptOuts(ctx context.Context, limit int) ([]mfa.OptOut, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := t.query(ctx, `SELECT number, sender, provider, created FROM opt_outs ORDER BY created DESC LIMIT $1`, limit)
	if err != nil {
		return nil, t.d.wrap("list opt-outs", err)
	}
	defer rows.Close()
	var out []mfa.OptOut
	for rows.Next() {
		var o mfa.OptOut
		if err := rows.Scan(&o.Number, &o.Sender, &o.Provider, &o.Created); err != nil {
			return nil, t.d.wrap("list opt-outs", err)
		}
		o.Created = utc(o.Created)
		out = append(out, o)
	}
	return out, t.d.wrap("list opt-outs", rows.Err())
}

func (t *tx) InsertOptOutEvent(ctx context.Context, e mfa.OptOutEvent) error {
	_, err := t.exec(ctx, `INSERT INTO opt_out_events (number, sender, provider, keyword, at, provider_message_id) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.Number, e.Sender, e.Provider, e.Keyword, e.At.UTC(), e.ProviderMessageID)
	return t.d.wrap("insert opt-out event", err)
}

func (t *tx) ListOptOutEvents(ctx context.Context, number string, limit int) ([]mfa.OptOutEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := t.query(ctx, `SELECT id, number, sender, provider, keyword, at, provider_message_id FROM opt_out_events
		WHERE $1 = '' OR number = $1 ORDER BY id DESC LIMIT $2`, number, limit)
	if err != nil {
		return nil, t.d.wrap("list opt-out events", err)
	}
	defer rows.Close()
	var out []mfa.OptOutEvent
	for rows.Next() {
		var e mfa.OptOutEvent
		if err := rows.Scan(&e.ID, &e.Number, &e.Sender, &e.Provider, &e.Keyword, &e.At, &e.ProviderMessageID); err != nil {
			return nil, t.d.wrap("list opt-out events", err)
		}
		e.At = utc(e.At)
		out = append(out, e)
	}
	return out, t.d.wrap("list opt-out events", rows.Err())
}
