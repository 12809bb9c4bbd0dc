package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

const eventColumns = `seq, id, published, event_type, severity, message, actor_id, actor_type, actor_alternate_id, actor_display_name,
	target_id, target_type, target_alternate_id, target_display_name, client_ip, user_agent, request_id, outcome, reason, details`

func (t *tx) InsertEvent(ctx context.Context, e *mfa.Event) error {
	details, err := json.Marshal(e.Details)
	if err != nil || e.Details == nil {
		details = []byte("{}")
	}
	err = t.row(ctx, `INSERT INTO events (id, published, event_type, severity, message, actor_id, actor_type, actor_alternate_id, actor_display_name,
		target_id, target_type, target_alternate_id, target_display_name, client_ip, user_agent, request_id, outcome, reason, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING seq`,
		e.ID, e.Published.UTC(), e.Type, e.Severity, e.Message, e.Actor.ID, e.Actor.Type, e.Actor.AlternateID, e.Actor.DisplayName,
		e.Target.ID, e.Target.Type, e.Target.AlternateID, e.Target.DisplayName, e.ClientIP, e.UserAgent, e.RequestID,
		e.Outcome, e.Reason, string(details)).Scan(&e.Seq)
	return t.d.wrap("insert event", err)
}

// DeleteEventsBefore removes the events published before t (the purge,
// after the org's log_retention).
// DeleteEventsBefore deletes in statements of at most purgeBatch events,
// so no statement's journal grows with the backlog (a system log of
// millions of events past its retention, the day it is shortened).
func (t *tx) DeleteEventsBefore(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := t.exec(ctx, `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE published < $1 ORDER BY published LIMIT $2)`,
			before.UTC(), purgeBatch)
		if err != nil {
			return total, t.d.wrap("delete events", err)
		}
		n, err := res.RowsAffected()
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// purgeBatch is how many events one purge statement deletes at most.
const purgeBatch = 5000

func (t *tx) ListEvents(ctx context.Context, f mfa.EventFilter) ([]mfa.Event, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if !f.Since.IsZero() {
		where = append(where, "published >= "+arg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		where = append(where, "published < "+arg(f.Until.UTC()))
	}
	if len(f.Types) > 0 {
		var ph []string
		for _, ty := range f.Types {
			ph = append(ph, arg(ty))
		}
		where = append(where, "event_type IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Outcome != "" {
		where = append(where, "outcome = "+arg(f.Outcome))
	}
	if f.TargetID != "" {
		where = append(where, "target_id = "+arg(f.TargetID))
	}
	if f.Query != "" {
		p := arg(likePattern(f.Query))
		var ors []string
		for _, c := range []string{"actor_alternate_id", "actor_display_name", "target_alternate_id", "target_display_name", "target_id", "message", "reason", "event_type", "client_ip"} {
			ors = append(ors, "LOWER("+c+") LIKE "+p+` ESCAPE '\'`)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	order := "DESC"
	if f.OldestFirst {
		order = "ASC"
		if f.After > 0 {
			where = append(where, "seq > "+arg(f.After))
		}
	} else if f.After > 0 {
		where = append(where, "seq < "+arg(f.After))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + eventColumns + ` FROM events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq " + order + " LIMIT " + arg(limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.d.wrap("list events", err)
	}
	defer rows.Close()
	var out []mfa.Event
	for rows.Next() {
		var e mfa.Event
		var details string
		if err := rows.Scan(&e.Seq, &e.ID, &e.Published, &e.Type, &e.Severity, &e.Message, &e.Actor.ID, &e.Actor.Type, &e.Actor.AlternateID,
			&e.Actor.DisplayName, &e.Target.ID, &e.Target.Type, &e.Target.AlternateID, &e.Target.DisplayName, &e.ClientIP, &e.UserAgent,
			&e.RequestID, &e.Outcome, &e.Reason, &details); err != nil {
			return nil, t.d.wrap("list events", err)
		}
		e.Published = utc(e.Published)
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, fmt.Errorf("store: list events: details of %s: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, t.d.wrap("list events", rows.Err())
}
