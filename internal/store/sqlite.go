package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
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

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }
