package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"

	"smsmfa/internal/store"
)

// migrating serializes Migrate calls within the test binary. Migrate takes
// a database-wide advisory lock (one lock for all schemas) and goose polls
// for it every 5 s, so parallel subtests migrating at once would wait
// seconds each.
var migrating sync.Mutex

// NewPostgres returns a fresh, migrated database in a new schema of the
// PostgreSQL database at baseURL (a postgres:// URL). The schema has a random
// name, the connection's search_path points at it, and it is dropped with
// everything in it when the test ends.
func NewPostgres(tb testing.TB, baseURL string) *store.DB {
	tb.Helper()
	db := OpenPostgres(tb, baseURL)
	migrating.Lock()
	err := db.Migrate(context.Background())
	migrating.Unlock()
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return db
}

// OpenPostgres is NewPostgres without the migrations.
func OpenPostgres(tb testing.TB, baseURL string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	admin, err := store.Open(ctx, baseURL)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	schema := "storetest_" + strings.ToLower(rand.Text())
	if _, err := admin.SQL().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("storetest: create schema: %v", errors.Join(err, admin.Close()))
	}
	tb.Cleanup(func() {
		_, err := admin.SQL().ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		if err = errors.Join(err, admin.Close()); err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(baseURL)
	if err != nil {
		tb.Fatalf("storetest: parse PostgreSQL URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { // runs before the schema is dropped
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: close: %v", err)
		}
	})
	return db
}
