package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// TestSeed fills a database, refuses to fill it again without --reuse, and
// adds to it with --reuse; the users can be challenged, the events read.
func TestSeed(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "seed.db")
	out := mustRun(t, "seed", "--database", db, "--users", "500", "--events", "3000", "--days", "3")
	if !strings.Contains(out, "seeded sqlite: 500 users") || !strings.Contains(out, "3000 events") {
		t.Errorf("seed: %s", out)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"seed", "--database", db, "--users", "10"}, noEnv, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "--reuse") {
		t.Fatalf("seed of a database with users: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	mustRun(t, "seed", "--database", db, "--users", "10", "--events", "100", "--reuse")

	ctx := context.Background()
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now()
	pool, err := d.SeedPool(ctx, 1000, "", now, now)
	if err != nil || len(pool) != 510 {
		t.Fatalf("SeedPool: %d users, %v; want 510, each on a number of their own", len(pool), err)
	}
	err = d.InTx(ctx, func(tx mfa.Tx) error {
		evs, err := tx.ListEvents(ctx, mfa.EventFilter{Limit: 1000, Since: now.Add(-4 * 24 * time.Hour)})
		if err != nil {
			return err
		}
		if len(evs) != 1000 {
			t.Errorf("events of the last 4 days: %d", len(evs))
		}
		for _, e := range evs {
			if e.Target.Type != "User" || e.Published.After(now) || e.ID == "" {
				t.Fatalf("seeded event: %+v", e)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
