package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
)

// openSQLite opens dsn on a modernc driver of the store's own, whose
// connections replace SQLite's ASCII-only lower() with Go's
// strings.ToLower, as SQLite's ICU extension does. The searches
// (ListUsers, ListEvents) compare LOWER(column) with a pattern lower-cased
// in Go; with the built-in lower() "Émilie" was not found by "émilie" on
// SQLite while PostgreSQL found it. The function is registered on this
// driver only, not on the process-wide "sqlite" driver.
func openSQLite(dsn string) *sql.DB {
	drv := &sqlite.Driver{}
	drv.MustRegisterDeterministicScalarFunction("lower", 1, sqliteLower)
	return sql.OpenDB(connector{drv: drv, dsn: dsn})
}

func sqliteLower(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		return strings.ToLower(v), nil
	case []byte:
		return strings.ToLower(string(v)), nil
	default:
		return fmt.Sprint(v), nil // numbers: lower(5) is '5', as built in
	}
}

// connector hands database/sql connections from one driver value.
type connector struct {
	drv *sqlite.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.connect() }
func (c connector) Driver() driver.Driver                        { return c.drv }

// connect opens a connection whose statements are prepared once and kept
// (see cachingConn).
func (c connector) connect() (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn keeps each statement it runs with arguments prepared, so that
// SQLite parses a query once per connection instead of on every call (the
// driver prepares, runs and finalizes each ExecContext and QueryContext).
// A statement whose rows are still open is not shared: a second use then
// gets a statement of its own. Statements without arguments (migrations,
// run once) go to the driver as they are.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // its rows are open
}

// maxCachedStmts bounds the statements one connection keeps; queries built
// per call (the system log's filters) beyond it are prepared each time.
const maxCachedStmts = 256

var (
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
)

// stmt returns the cached statement for query, preparing it on first use;
// nil (and a statement to close after use) when the cached one is busy or
// the cache is full.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, driver.Stmt, error) {
	if cs := c.stmts[query]; cs != nil && !cs.busy {
		return cs, cs.stmt, nil
	}
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if _, cached := c.stmts[query]; cached || len(c.stmts) >= maxCachedStmts {
		return nil, s, nil
	}
	cs := &cachedStmt{stmt: s}
	c.stmts[query] = cs
	return cs, s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	cs, s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		defer s.Close()
	}
	return s.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	cs, s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if cs == nil {
			s.Close()
		}
		return nil, err
	}
	if cs != nil {
		cs.busy = true
	}
	return &cachedRows{Rows: rows, cs: cs, own: s}, nil
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	cs  *cachedStmt // nil: own is a statement of its own, closed with the rows
	own driver.Stmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.cs.busy = false
		return err
	}
	return errors.Join(err, r.own.Close())
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

// Close closes the kept statements, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for _, cs := range c.stmts {
		errs = append(errs, cs.stmt.Close())
	}
	clear(c.stmts)
	return errors.Join(append(errs, c.Conn.Close())...)
}
