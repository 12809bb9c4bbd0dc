package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"smsmfa/internal/store"
)

// NewSQLite returns a fresh, migrated SQLite database in a file under the
// test's temporary directory. It is closed when the test ends.
func NewSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "smsmfa.db"))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return db
}
