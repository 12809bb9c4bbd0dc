package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is what differs between the engines, besides the migrations.
type dialect interface {
	name() string
	// forUpdate is appended to a SELECT to lock its rows for the rest of
	// the transaction ("" on SQLite, whose BEGIN IMMEDIATE already holds
	// the write lock).
	forUpdate() string
	// skipLocked is appended to a SELECT that claims queue rows.
	skipLocked() string
	isUniqueViolation(err error) bool
	// tryLock is a statement taking a transaction-scoped lock named by
	// its one argument, answering true when taken ("" on SQLite, where
	// BEGIN IMMEDIATE already serialises writers).
	tryLock() string
	// transient reports whether err means the connection was lost (the
	// server restarting or unreachable), so the unit of work can be run
	// again on a new connection.
	transient(err error) bool
}

type sqliteDialect struct{}

func (sqliteDialect) name() string             { return SQLite }
func (sqliteDialect) forUpdate() string        { return "" }
func (sqliteDialect) skipLocked() string       { return "" }
func (sqliteDialect) transient(err error) bool { return false }
func (sqliteDialect) tryLock() string          { return "" }

// isUniqueViolation reads the driver's extended result code (modernc turns
// extended codes on for every connection): a UNIQUE or PRIMARY KEY
// constraint, not NOT NULL, CHECK or FOREIGN KEY ones.
func (sqliteDialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

type postgresDialect struct{}

func (postgresDialect) name() string       { return Postgres }
func (postgresDialect) forUpdate() string  { return " FOR UPDATE" }
func (postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }
func (postgresDialect) tryLock() string {
	return `SELECT pg_try_advisory_xact_lock(hashtext($1))`
}
func (postgresDialect) transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57P01-03: admin shutdown, crash
		// shutdown, cannot connect now (starting up).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		pgconn.SafeToRetry(err)
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
