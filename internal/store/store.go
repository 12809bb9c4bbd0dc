package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"smsmfa/internal/mfa"
)

//go:embed migrations
var migrations embed.FS

// DB is the database.
type DB struct {
	db      *sql.DB
	read    *sql.DB // SQLite: reader connections beside the one writer; else db
	dialect dialect
	url     string
}

var _ mfa.Store = (*DB)(nil)

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// ParseURL tells the engine of a database URL: "sqlite:PATH" (or
// "sqlite://PATH", or a path ending in .db) or "postgres://…" /
// "postgresql://…". It returns the engine and the driver's DSN.
func ParseURL(u string) (engine, dsn string, err error) {
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return Postgres, u, nil
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("store: sqlite URL needs a file path, e.g. sqlite:smsmfa.db")
		}
		return SQLite, sqliteDSN(path), nil
	case strings.HasSuffix(u, ".db") && !strings.Contains(u, "://"):
		return SQLite, sqliteDSN(u), nil
	}
	return "", "", fmt.Errorf("store: unsupported database %q: use sqlite:PATH or a postgres:// URL", redact(u))
}

// readers is how many reader connections a SQLite database keeps beside
// its writer.
const readers = 4

// sqliteReaderDSN is the DSN of a reader connection: the file is already in
// WAL mode (the writer set it), a plain (deferred) BEGIN, and query_only,
// so a read that tries to write fails instead of taking the write lock.
func sqliteReaderDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(1)", "query_only(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// sqliteDSN is the known-good modernc DSN: WAL, a 5 s busy timeout, foreign
// keys on, BEGIN IMMEDIATE (no read→write upgrade deadlocks), and times
// written in SQLite's own format (they compare correctly as all are UTC).
// temp_store(MEMORY) keeps statement and savepoint journals in memory: on
// disk each write transaction opened, wrote and closed a temporary file
// (18 % of the server's CPU in a profile of the mfa workload). It also
// keeps sorts and temporary indexes in memory: migrations, which may sort
// a whole table, run with it off (tempOnDisk), and the purge deletes in
// bounded statements (each statement's journal is freed at its end). A checkpoint
// every 8,000 pages of WAL (32 MiB, not SQLite's 1,000) writes a page that
// many transactions changed (a counter, an index's last leaf) to the
// database once instead of eight times, with an eighth of the fsyncs; the
// WAL file is cut back to 64 MiB when it grew beyond.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(NORMAL)", "temp_store(MEMORY)", "wal_autocheckpoint(8000)", "journal_size_limit(67108864)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// redact returns a database URL fit for a message: the password of its
// user info and of password query parameters (pgx accepts ?password=…)
// replaced by xxxxx. What does not parse as a plain URL is not shown at
// all: a keyword DSN ("host=… password=…") or a URL that fails to parse
// may hold a password in the clear. SQLite URLs are shown as they are.
func redact(u string) string {
	if strings.HasPrefix(u, "sqlite:") {
		return u // a file path
	}
	p, err := url.Parse(u)
	if err != nil || p.Opaque != "" || (p.Scheme == "" && strings.ContainsAny(u, "@= \t")) {
		return "(not shown: it may hold a password)"
	}
	if _, ok := p.User.Password(); ok {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	q := p.Query()
	hidden := false
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
			hidden = true
		}
	}
	if hidden {
		p.RawQuery = q.Encode()
	}
	return p.String()
}

// Open opens (and for SQLite creates) the database at url. It does not
// migrate: call Migrate.
func Open(ctx context.Context, dbURL string) (*DB, error) {
	engine, dsn, err := ParseURL(dbURL)
	if err != nil {
		return nil, err
	}
	d := &DB{url: dbURL}
	switch engine {
	case SQLite:
		path := strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: %w", err)
			}
		}
		d.db = openSQLite(dsn)
		// One writer at a time is SQLite's nature; one connection makes
		// that explicit and avoids busy-wait sleeps under contention.
		d.db.SetMaxOpenConns(1)
		d.dialect = sqliteDialect{}
		// Readers beside it (WAL lets them read while it writes), for
		// units of work that only read. A database in memory is private
		// to its connection: it has none.
		d.read = d.db
		if !strings.Contains(dsn, ":memory:") && !strings.Contains(dsn, "mode=memory") {
			d.read = openSQLite(sqliteReaderDSN(path))
			d.read.SetMaxOpenConns(readers)
			d.read.SetMaxIdleConns(readers)
		}
	case Postgres:
		if d.db, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		d.db.SetMaxOpenConns(20)
		d.db.SetMaxIdleConns(10)
		d.db.SetConnMaxIdleTime(5 * time.Minute)
		d.dialect = postgresDialect{}
		d.read = d.db
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.db.PingContext(pctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: connect to %s: %w", redact(dbURL), err), d.db.Close())
	}
	return d, nil
}

// Engine returns "sqlite" or "postgres".
func (d *DB) Engine() string { return d.dialect.name() }

// SQL returns the underlying *sql.DB.
func (d *DB) SQL() *sql.DB { return d.db }

// Close closes the database.
func (d *DB) Close() error {
	if d.read != d.db {
		return errors.Join(d.read.Close(), d.db.Close())
	}
	return d.db.Close()
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// Migrate applies every pending migration. On PostgreSQL an advisory lock
// makes instances that start together migrate one at a time.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	return d.tempOnDisk(ctx, func() error {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		return nil
	})
}

// tempOnDisk runs fn with SQLite's temporary storage in files: a migration
// may sort a whole table (CREATE INDEX over millions of events), which must
// not be held in memory as the writer's usual temp_store(MEMORY) would.
func (d *DB) tempOnDisk(ctx context.Context, fn func() error) error {
	if d.dialect.name() != SQLite {
		return fn()
	}
	if _, err := d.db.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return fmt.Errorf("store: temp_store: %w", err)
	}
	err := fn()
	if _, rerr := d.db.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); rerr != nil {
		err = errors.Join(err, fmt.Errorf("store: temp_store: %w", rerr))
	}
	return err
}

// MigrateTo applies the pending migrations up to version, for tests of a
// migration that changes data.
func (d *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	return d.tempOnDisk(ctx, func() error {
		if _, err := p.UpTo(ctx, version); err != nil {
			return fmt.Errorf("store: migrate to %d: %w", version, err)
		}
		return nil
	})
}

func (d *DB) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+d.dialect.name())
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if d.dialect.name() == Postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, d.db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// View runs fn in a read-only transaction (see mfa.Store): on SQLite on a
// reader connection, on PostgreSQL a READ ONLY transaction.
func (d *DB) View(ctx context.Context, fn func(mfa.Tx) error) error {
	sqlTx, err := d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(&tx{tx: sqlTx, d: d}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: end a read: %w", err)
	}
	return nil
}

// Glance runs fn's statements on the read pool outside a transaction (see
// mfa.Store): on PostgreSQL one round trip for a read of one statement
// instead of four (BEGIN, the statement, COMMIT in two).
func (d *DB) Glance(ctx context.Context, fn func(mfa.Tx) error) error {
	return fn(&tx{tx: d.read, d: d})
}

// InTx runs fn in a transaction (see mfa.Store).
func (d *DB) InTx(ctx context.Context, fn func(mfa.Tx) error) error {
	return d.inTx(ctx, func(t *tx) error { return fn(t) })
}

// inTx runs fn in a transaction. When the database connection breaks
// before the commit (PostgreSQL restarting, a failover), the whole unit of
// work is rolled back and run again, with backoff, for up to retryFor: the
// request waits out a short outage instead of failing. A failed COMMIT is
// never retried, since it may have taken effect.
func (d *DB) inTx(ctx context.Context, fn func(*tx) error) error {
	backoff := 50 * time.Millisecond
	deadline := time.Now().Add(retryFor)
	for {
		err, committing := d.once(ctx, fn)
		if err == nil || committing || !d.dialect.transient(err) || time.Now().Add(backoff).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

// retryFor bounds how long a unit of work waits out a lost connection.
const retryFor = 8 * time.Second

func (d *DB) once(ctx context.Context, fn func(*tx) error) (err error, committing bool) {
	sqlTx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err), false
	}
	defer sqlTx.Rollback()
	if err := fn(&tx{tx: sqlTx, d: d}); err != nil {
		return err, false
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err), true
	}
	return nil, false
}

// tx implements mfa.Tx over one *sql.Tx.
type tx struct {
	tx querier // a transaction; a connection pool for Glance
	d  *DB
}

// querier runs statements: *sql.Tx, or *sql.DB outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

var _ mfa.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, q, storable(args)...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, q, storable(args)...)
}

func (t *tx) row(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, q, storable(args)...)
}

// storable returns args with every text made valid UTF-8 without NUL: each
// NUL, and each run of bytes that is not UTF-8, becomes U+FFFD. The domain
// cleans or refuses text before it gets here (mfa.CleanText, mfa.Field);
// this is the last line, so that both engines store the same (PostgreSQL
// refuses such text and fails the unit of work; SQLite would keep it and
// break migrate-data), and a key that no stored row can hold finds
// nothing on both instead of failing on one. Nothing is removed, so two
// different keys never become one.
func storable(args []any) []any {
	var out []any // a copy, made at the first text to change
	for i, a := range args {
		s, ok := a.(string)
		if !ok || (utf8.ValidString(s) && strings.IndexByte(s, 0) < 0) {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
	}
	if out == nil {
		return args
	}
	return out
}

// execOne runs a statement that must change exactly one row; none means
// mfa.ErrNotFound.
func (t *tx) execOne(ctx context.Context, what, q string, args ...any) error {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return t.d.wrap(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return mfa.ErrNotFound
	}
	return nil
}

// wrap turns driver errors into mfa.ErrNotFound / mfa.ErrConflict where they
// mean that, and adds context otherwise.
func (d *DB) wrap(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return mfa.ErrNotFound
	case d.dialect.isUniqueViolation(err):
		return fmt.Errorf("store: %s: %w", what, mfa.ErrConflict)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// nt turns a zero time into NULL and any other into UTC.
func nt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// ut returns a NullTime's time in UTC, or zero.
func ut(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}

// utc returns t in UTC (times read from PostgreSQL come in local time).
func utc(t time.Time) time.Time { return t.UTC() }

// PoolStats returns the statistics of the database's connection pools by
// name: "main" (PostgreSQL's one pool; SQLite's single writer) and, on
// SQLite, "read" (its readers).
func (d *DB) PoolStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{"main": d.db.Stats()}
	if d.read != nil && d.read != d.db {
		out["read"] = d.read.Stats()
	}
	return out
}
