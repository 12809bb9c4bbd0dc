package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// TestSQLiteUniqueViolationByCode checks that the driver's result code, not
// the message text, decides: UNIQUE and PRIMARY KEY violations are
// conflicts; NOT NULL, CHECK and FOREIGN KEY ones are not, nor is an error
// that only reads like one.
func TestSQLiteUniqueViolationByCode(t *testing.T) {
	db := openSQLite(sqliteDSN(filepath.Join(t.TempDir(), "dialect.db")))
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	for _, q := range []string{
		`CREATE TABLE parent (id TEXT PRIMARY KEY)`,
		`CREATE TABLE t (id TEXT PRIMARY KEY, u TEXT UNIQUE, nn TEXT NOT NULL, n INTEGER CHECK (n > 0), p TEXT REFERENCES parent (id))`,
		`INSERT INTO parent (id) VALUES ('p1')`,
		`INSERT INTO t (id, u, nn, n, p) VALUES ('a', 'x', 'v', 1, 'p1')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d := sqliteDialect{}
	for _, tc := range []struct {
		name   string
		insert string
		unique bool
	}{
		{"PrimaryKey", `INSERT INTO t (id, nn) VALUES ('a', 'v')`, true},
		{"Unique", `INSERT INTO t (id, u, nn) VALUES ('b', 'x', 'v')`, true},
		{"NotNull", `INSERT INTO t (id) VALUES ('c')`, false},
		{"Check", `INSERT INTO t (id, nn, n) VALUES ('d', 'v', 0)`, false},
		{"ForeignKey", `INSERT INTO t (id, nn, p) VALUES ('e', 'v', 'nobody')`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Exec(tc.insert)
			if err == nil {
				t.Fatal("no constraint error")
			}
			if got := d.isUniqueViolation(fmt.Errorf("insert: %w", err)); got != tc.unique {
				t.Fatalf("isUniqueViolation(%v) = %v, want %v", err, got, tc.unique)
			}
		})
	}
	if d.isUniqueViolation(errors.New("UNIQUE constraint failed: t.u (PRIMARY KEY)")) {
		t.Error("a message that only reads like a unique violation counted as one")
	}
}
