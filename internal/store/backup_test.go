package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the plain driver, to read the copy as any tool would

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// TestBackupSQLiteWhileWriting backs up a live database while users are
// being created, two to a transaction: each copy opens on its own, passes
// integrity_check, holds the schema and users, and never half a transaction.
func TestBackupSQLiteWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	werr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := db.InTx(ctx, func(tx mfa.Tx) error {
				for j := range 2 {
					id := fmt.Sprintf("00u%d_%d", i, j)
					if err := tx.InsertUser(ctx, mfa.User{ID: id, Login: id + "@example.com", Status: mfa.UserActive, PasswordHash: "$argon2id$x", Created: at, LastUpdated: at}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				werr <- err
				return
			}
			written.Add(2)
		}
	}()
	for written.Load() < 200 {
		select {
		case err := <-werr:
			t.Fatalf("the writer failed: %v", err)
		default:
			time.Sleep(time.Millisecond) // waits for the writer to have written; asserts nothing about time
		}
	}

	var counts []int64
	for i := range 3 {
		to := filepath.Join(dir, fmt.Sprintf("copy%d.db", i))
		res, err := store.BackupSQLite(ctx, dbURL, to, false)
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("backup %d: %v", i, err)
		}
		info, err := os.Stat(to)
		if err != nil {
			t.Fatal(err)
		}
		if res.Bytes != info.Size() || res.Bytes == 0 || res.Pages == 0 {
			t.Errorf("backup %d reports %d bytes, %d pages; the file has %d bytes", i, res.Bytes, res.Pages, info.Size())
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("backup %d has mode %v, want 0600 (it holds password hashes)", i, info.Mode().Perm())
		}
		counts = append(counts, checkCopy(t, to))
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-werr:
		t.Fatalf("the writer failed during the backups: %v", err)
	default:
	}
	if counts[2] < 200 {
		t.Errorf("the last copy has %d users; at least 200 were written before it", counts[2])
	}
	if n := written.Load(); counts[2] > n {
		t.Errorf("the last copy has %d users, more than the %d written", counts[2], n)
	}
	// No temporary file is left beside the copies.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// checkCopy opens a backup with the plain driver and returns its users.
func checkCopy(t *testing.T, path string) int64 {
	t.Helper()
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var check string
	if err := c.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", path, check, err)
	}
	var n, migrations int64
	if err := c.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := c.QueryRow(`SELECT count(*) FROM goose_db_version`).Scan(&migrations); err != nil || migrations == 0 {
		t.Fatalf("%s: migrations recorded %d, %v", path, migrations, err)
	}
	if n == 0 || n%2 != 0 {
		t.Errorf("%s has %d users: want a positive even number (users are written two to a transaction)", path, n)
	}
	return n
}

func TestBackupSQLiteRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	dbURL := "sqlite:" + live
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("PostgreSQL", func(t *testing.T) {
		_, err := store.BackupSQLite(ctx, "postgres://u:p@127.0.0.1/x", filepath.Join(dir, "pg.db"), false)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("err = %v, want a pointer to pg_dump", err)
		}
	})
	t.Run("NoDatabase", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.db")
		_, err := store.BackupSQLite(ctx, "sqlite:"+missing, filepath.Join(dir, "m.db"), false)
		if err == nil {
			t.Fatal("a missing database was backed up")
		}
		if _, serr := os.Stat(missing); serr == nil {
			t.Error("the backup created the missing database")
		}
	})
	t.Run("ExistingFile", func(t *testing.T) {
		to := filepath.Join(dir, "existing.db")
		if err := os.WriteFile(to, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := store.BackupSQLite(ctx, dbURL, to, false)
		if !errors.Is(err, store.ErrBackupExists) {
			t.Fatalf("err = %v, want ErrBackupExists", err)
		}
		if b, _ := os.ReadFile(to); string(b) != "keep me" {
			t.Fatal("the existing file was changed")
		}
		if _, err := store.BackupSQLite(ctx, dbURL, to, true); err != nil {
			t.Fatalf("with overwrite: %v", err)
		}
		checkTables(t, to)
	})
	t.Run("TheDatabaseItself", func(t *testing.T) {
		for _, to := range []string{live, live + "-wal"} {
			if _, err := store.BackupSQLite(ctx, dbURL, to, true); err == nil {
				t.Errorf("backup over %s was allowed", to)
			}
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		checkTables(t, live)
	})
}

func checkTables(t *testing.T, path string) {
	t.Helper()
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow(`SELECT count(*) FROM goose_db_version`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("%s: migrations %d, %v", path, n, err)
	}
}
