package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// copyTables lists every table smsmfa owns, parents before children.
var copyTables = []string{
	"users", "factors", "phones", "challenges", "transactions", "messages", "message_attempts", "counters", "numbers",
	"settings", "events", "api_tokens", "sessions", "providers", "senders", "opt_outs", "opt_out_events", "templates",
	"radius_clients", "radius_requests", "fraud_counts", "fraud_keys", "oidc_apps", "oidc_auth_requests", "oidc_tokens", "oidc_keys",
	"key_material", "setup_codes",
	"recovery_codes",
	"webauthn_credentials", "webauthn_ceremonies",
}

// identity lists tables whose key the engine generates, so the copy keeps
// the source's values and moves the generator past them.
var identity = map[string]string{"events": "seq", "message_attempts": "id", "opt_out_events": "id"}

// TableCount is one table's row count on both sides after a copy.
type TableCount struct {
	Table  string
	Source int64
	Target int64
}

// Progress is told how a copy advances: table, rows copied, rows in all.
type Progress func(table string, copied, total int64)

// CopyTo copies every row of every table of d into target, which must be
// migrated and hold no users and no events. Sealed values (message bodies,
// provider credentials) are copied as they are: the target deployment needs
// the same master key. It returns the row counts of both sides, and an
// error when any differ.
func (d *DB) CopyTo(ctx context.Context, target *DB, progress Progress) ([]TableCount, error) {
	for _, t := range []string{"users", "events"} {
		var n int64
		if err := target.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: target: %w", err)
		}
		if n > 0 {
			return nil, fmt.Errorf("store: the target database already holds %s (%d rows): copy into an empty, migrated database", t, n)
		}
	}
	var total int64
	counts := make([]TableCount, len(copyTables))
	for i, t := range copyTables {
		counts[i].Table = t
		if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&counts[i].Source); err != nil {
			return nil, fmt.Errorf("store: source %s: %w", t, err)
		}
		total += counts[i].Source
	}
	// Key material pinned by an instance started on the empty target (or
	// `smsmfa migrate` there) gives way to the source's: the source's
	// system log was written with it.
	if _, err := target.db.ExecContext(ctx, `DELETE FROM key_material`); err != nil {
		return nil, fmt.Errorf("store: target: %w", err)
	}
	var done int64
	for _, t := range copyTables {
		if err := d.copyTable(ctx, target, t, func(n int64) {
			done += n
			if progress != nil {
				progress(t, done, total)
			}
		}); err != nil {
			return nil, fmt.Errorf("store: copy %s: %w", t, err)
		}
	}
	// The target's settings changed under any instance that cached its
	// defaults: a new version makes them read the copied ones.
	if _, err := target.db.ExecContext(ctx, `UPDATE settings_version SET version = version + 1 WHERE id = 1`); err != nil {
		return nil, fmt.Errorf("store: settings version: %w", err)
	}
	var bad []string
	for i := range counts {
		if err := target.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+counts[i].Table).Scan(&counts[i].Target); err != nil {
			return counts, fmt.Errorf("store: count %s: %w", counts[i].Table, err)
		}
		if counts[i].Source != counts[i].Target {
			bad = append(bad, fmt.Sprintf("%s (%d → %d)", counts[i].Table, counts[i].Source, counts[i].Target))
		}
	}
	if len(bad) > 0 {
		return counts, fmt.Errorf("store: row counts differ after the copy: %s", strings.Join(bad, ", "))
	}
	return counts, nil
}

// columns returns the target table's columns and which of them are
// booleans (SQLite hands those over as integers).
func (d *DB) columns(ctx context.Context, table string) ([]string, map[string]bool, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	var names []string
	bools := map[string]bool{}
	for _, ct := range types {
		names = append(names, ct.Name())
		if strings.EqualFold(ct.DatabaseTypeName(), "BOOL") || strings.EqualFold(ct.DatabaseTypeName(), "BOOLEAN") {
			bools[ct.Name()] = true
		}
	}
	return names, bools, nil
}

const copyBatch = 500

func (d *DB) copyTable(ctx context.Context, target *DB, table string, advance func(int64)) error {
	cols, bools, err := target.columns(ctx, table)
	if err != nil {
		return err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := target.insertRows(ctx, table, cols, batch); err != nil {
			return err
		}
		advance(int64(len(batch)))
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			if bools[c] {
				vals[i] = truthy(vals[i])
			}
		}
		batch = append(batch, vals)
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if key, ok := identity[table]; ok && target.dialect.name() == Postgres {
		_, err := target.db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', '`+key+`'), COALESCE((SELECT MAX(`+key+`) FROM `+table+`), 0) + 1, false)`)
		return err
	}
	return nil
}

func truthy(v any) any {
	switch x := v.(type) {
	case int64:
		return x != 0
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b
		}
	}
	return v
}

// insertRows inserts a batch in one statement, keeping generated keys.
func (d *DB) insertRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ")")
	if _, ok := identity[table]; ok && d.dialect.name() == Postgres {
		b.WriteString(" OVERRIDING SYSTEM VALUE")
	}
	b.WriteString(" VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, r[j])
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteString(")")
	}
	return d.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, b.String(), args...)
		return err
	})
}
