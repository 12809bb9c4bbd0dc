package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"smsmfa/internal/store"
)

// NewSQLite returns a fresh, migrated SQLite database in a file under the
// test's temporary directory. It is closed when the test ends.
func NewSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db := OpenSQLite(tb)
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return db
}

// OpenSQLite is NewSQLite without the migrations.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(tb.TempDir(), "smsmfa.db"))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: close: %v", err)
		}
	})
	return db
}

// New returns a fresh database for another package's tests: SQLite, or,
// when SMSMFA_TEST_ENGINE=postgres, a new schema on the PostgreSQL server
// that SMSMFA_TEST_POSTGRES names (.ci/run runs the suites both ways).
func New(tb testing.TB) *store.DB {
	tb.Helper()
	if os.Getenv("SMSMFA_TEST_ENGINE") == "postgres" {
		u := os.Getenv("SMSMFA_TEST_POSTGRES")
		if u == "" {
			tb.Fatal("SMSMFA_TEST_ENGINE=postgres needs SMSMFA_TEST_POSTGRES")
		}
		return NewPostgres(tb, u)
	}
	return NewSQLite(tb)
}
