package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"smsmfa/internal/mfa"
)

// SeedUser is one user written by SeedUsers: ACTIVE, without a password,
// with an ACTIVE SMS factor on Phone and Phone as their verified number, as
// if they had enrolled and activated the factor at Created.
type SeedUser struct {
	ID, Login, FirstName, LastName string
	FactorID, PhoneID, Phone       string // Phone in E.164
	Created                        time.Time
}

// SeedUsers writes users with their factors and verified phones in one
// transaction: multi-row INSERTs of thousands of rows each on SQLite, COPY
// on PostgreSQL. It is for load tests: it records nothing in the system log
// and checks nothing the domain checks; a login or id already taken fails
// the whole call with mfa.ErrConflict.
func (d *DB) SeedUsers(ctx context.Context, users []SeedUser) error {
	us := bulkTable{name: "users", cols: []string{"id", "login", "first_name", "last_name", "email", "locale", "time_zone", "status", "admin",
		"created", "last_updated", "activated", "status_changed"}}
	fs := bulkTable{name: "factors", cols: []string{"id", "user_id", "type", "status", "phone_number", "created", "last_updated"}}
	ps := bulkTable{name: "phones", cols: []string{"id", "user_id", "number", "verified", "created"}}
	for _, u := range users {
		at := u.Created.UTC()
		us.rows = append(us.rows, storable([]any{u.ID, u.Login, u.FirstName, u.LastName, u.Login, "en_US", "UTC", string(mfa.UserActive), false, at, at, at, at}))
		fs.rows = append(fs.rows, storable([]any{u.FactorID, u.ID, mfa.FactorTypeSMS, string(mfa.FactorActive), u.Phone, at, at}))
		ps.rows = append(ps.rows, storable([]any{u.PhoneID, u.ID, u.Phone, at, at}))
	}
	return d.wrap("seed users", d.bulk(ctx, us, fs, ps))
}

// SeedEvents writes system-log events in one transaction, as InsertEvent
// writes each (the database numbers them, in the order given): multi-row
// INSERTs on SQLite, COPY on PostgreSQL. An id already taken fails the
// whole call with mfa.ErrConflict.
func (d *DB) SeedEvents(ctx context.Context, events []mfa.Event) error {
	t := bulkTable{name: "events", cols: []string{"id", "published", "event_type", "severity", "message", "actor_id", "actor_type", "actor_alternate_id",
		"actor_display_name", "target_id", "target_type", "target_alternate_id", "target_display_name", "client_ip", "user_agent", "request_id",
		"outcome", "reason", "details"}}
	t.rows = make([][]any, 0, len(events))
	for _, e := range events {
		details := "{}"
		if len(e.Details) > 0 {
			b, err := json.Marshal(e.Details)
			if err != nil {
				return fmt.Errorf("store: seed events: %w", err)
			}
			details = string(b)
		}
		t.rows = append(t.rows, storable([]any{e.ID, e.Published.UTC(), e.Type, e.Severity, e.Message, e.Actor.ID, e.Actor.Type, e.Actor.AlternateID,
			e.Actor.DisplayName, e.Target.ID, e.Target.Type, e.Target.AlternateID, e.Target.DisplayName, e.ClientIP, e.UserAgent, e.RequestID,
			e.Outcome, e.Reason, details}))
	}
	return d.wrap("seed events", d.bulk(ctx, t))
}

// SeedPool returns up to n ACTIVE, unlocked users with an ACTIVE SMS
// factor and no code sent since quiet, no two on the same number: the
// users a load test can challenge (quiet: the resend cooldown ago). They
// are taken in factor id order from a point given by from (any string; ids
// are random, so a random from picks users spread over the whole table),
// wrapping around to the start.
func (d *DB) SeedPool(ctx context.Context, n int, from string, now, quiet time.Time) ([]SeedUser, error) {
	const q = `SELECT u.id, u.login, u.first_name, u.last_name, f.id, COALESCE(p.id, ''), f.phone_number, u.created
		FROM factors f JOIN users u ON u.id = f.user_id LEFT JOIN phones p ON p.user_id = u.id
		WHERE f.type = $1 AND f.status = $2 AND u.status = $3 AND (u.locked_until IS NULL OR u.locked_until < $4)
		AND NOT EXISTS (SELECT 1 FROM challenges c WHERE c.user_id = u.id AND c.created >= $7) AND f.id `
	var out []SeedUser
	seen := map[string]bool{}
	for _, part := range []string{`>= $5 ORDER BY f.id LIMIT $6`, `< $5 ORDER BY f.id LIMIT $6`} {
		rows, err := d.db.QueryContext(ctx, q+part, mfa.FactorTypeSMS, string(mfa.FactorActive), string(mfa.UserActive), now.UTC(), from, n, quiet.UTC())
		if err != nil {
			return nil, d.wrap("seed pool", err)
		}
		for rows.Next() && len(out) < n {
			var u SeedUser
			if err := rows.Scan(&u.ID, &u.Login, &u.FirstName, &u.LastName, &u.FactorID, &u.PhoneID, &u.Phone, &u.Created); err != nil {
				return nil, d.wrap("seed pool", errors.Join(err, rows.Close()))
			}
			if !seen[u.Phone] {
				seen[u.Phone] = true
				u.Created = utc(u.Created)
				out = append(out, u)
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, d.wrap("seed pool", err)
		}
	}
	return out, nil
}

// CountPhones returns the number of verified phones on file (a seeding
// starts its numbers past it).
func (d *DB) CountPhones(ctx context.Context) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM phones`).Scan(&n)
	return n, d.wrap("count phones", err)
}

// AnalyzeSeeded prepares a seeded database for measurements. On
// PostgreSQL it runs VACUUM ANALYZE on every table: fresh planner
// statistics (without autovacuum, plans go bad as tables grow), and the
// visibility map and hint bits set once, not by the first queries. SQLite
// keeps statistics only when asked and the server never asks: nothing is
// done there, so a load test sees the plans a deployment gets.
func (d *DB) AnalyzeSeeded(ctx context.Context) error {
	if d.dialect.name() != Postgres {
		return nil
	}
	_, err := d.db.ExecContext(ctx, `VACUUM ANALYZE `+strings.Join(copyTables, ", "))
	return d.wrap("vacuum analyze", err)
}

// bulkTable is rows for one table, each holding a value per column.
type bulkTable struct {
	name string
	cols []string
	rows [][]any
}

// bulk writes tables, in order, in one transaction: COPY on PostgreSQL,
// multi-row INSERTs on SQLite.
func (d *DB) bulk(ctx context.Context, tables ...bulkTable) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d.dialect.name() == Postgres {
		return conn.Raw(func(dc any) error { return copyBulk(ctx, dc.(*stdlib.Conn).Conn(), tables) })
	}
	return insertTables(ctx, conn, tables)
}

// copyBulk writes tables with COPY in one transaction.
func copyBulk(ctx context.Context, c *pgx.Conn, tables []bulkTable) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, t := range tables {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return tx.Commit(ctx)
}

// sqliteVars is how many parameters a SQLite statement may take.
const sqliteVars = 32766

// seedCache is the page cache of the connection that seeds (KiB): the
// random keys of the unique indexes make every insert touch a random page,
// and SQLite's default 2 MB cache would read most of them from disk.
const seedCache = 512 * 1024

// insertTables writes tables with multi-row INSERTs in one transaction on
// one connection. It syncs nothing to disk (synchronous OFF): a crash of
// the process cannot harm the database, but a crash of the machine during
// a seeding can. Foreign keys are not checked (each check would also need
// a statement journal): the callers' rows are consistent by construction,
// every factor and phone belonging to a user of the same call. Both are
// put back after.
func insertTables(ctx context.Context, conn *sql.Conn, tables []bulkTable) (err error) {
	var sync, fks int
	if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fks); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -`+strconv.Itoa(seedCache)+`; PRAGMA temp_store = MEMORY; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer func() {
		_, perr := conn.ExecContext(ctx, `PRAGMA synchronous = `+strconv.Itoa(sync)+`; PRAGMA foreign_keys = `+strconv.Itoa(fks))
		err = errors.Join(err, perr)
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		if err := insertTable(ctx, tx, t); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
	}
	return tx.Commit()
}

// insertTable writes t's rows as many at a time as SQLite takes, the
// statement of a full batch prepared once.
func insertTable(ctx context.Context, tx *sql.Tx, t bulkTable) error {
	per := min(sqliteVars/len(t.cols), 2000)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for rows := t.rows; len(rows) > 0; {
		n := min(per, len(rows))
		var err error
		switch {
		case n < per:
			_, err = tx.ExecContext(ctx, multiInsert(t.name, t.cols, n), flat(rows[:n])...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, multiInsert(t.name, t.cols, n)); err != nil {
				return err
			}
			fallthrough
		default:
			_, err = full.ExecContext(ctx, flat(rows[:n])...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// multiInsert is an INSERT of n rows of cols into table, for SQLite. Its
// placeholders are anonymous (?), not $N as elsewhere: SQLite keeps named
// ones in a list it searches on every bind, which makes a statement of
// thousands of $N cost time quadratic in their number. OR ROLLBACK: a
// conflict ends the whole transaction (it would anyway), so SQLite need not
// keep a statement journal to undo the one statement, which cost a sixth
// of the time.
func multiInsert(table string, cols []string, n int) string {
	row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	return "INSERT OR ROLLBACK INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + row + strings.Repeat(", "+row, n-1)
}

// flat lists the values of rows one after the other.
func flat(rows [][]any) []any {
	out := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
