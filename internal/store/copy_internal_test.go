package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// Every table the migrations create is in the copy of migrate-data: a
// table added without it would be left behind by a move to PostgreSQL.
func TestCopyListsEveryTable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(copyTables, name) && name != "settings_version" {
			t.Errorf("table %s is not in copyTables: migrate-data would leave it behind", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
