package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
)

// TestMigrationTokenOwners: migration 00004 gives ownerless tokens (made
// from the command line) to the oldest active admin, and revokes every
// live token whose owner is gone, inactive or no admin, each revocation in
// the system log.
func TestMigrationTokenOwners(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testMigrationTokenOwners(t, storetest.OpenSQLite) })
	t.Run("Postgres", func(t *testing.T) {
		u := os.Getenv("SMSMFA_TEST_POSTGRES")
		if u == "" {
			t.Skip("SMSMFA_TEST_POSTGRES is not set")
		}
		testMigrationTokenOwners(t, func(tb testing.TB) *store.DB { return storetest.OpenPostgres(tb, u) })
	})
}

func testMigrationTokenOwners(t *testing.T, open func(testing.TB) *store.DB) {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	// version 3's tables, written as version 3 knew them
	before := func(t *testing.T, users [][]any, tokens [][]any) *store.DB {
		db := open(t)
		if err := db.MigrateTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO users (id, login, status, admin, created, last_updated) VALUES ($1, $2, $3, $4, $5, $5)`, u...); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range tokens {
			args := append([]any{[]byte(k[0].(string))}, k...)
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO api_tokens (token_hash, id, name, user_id, created, revoked) VALUES ($1, $2, $2, $3, $4, $5)`, args...); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	after := func(t *testing.T, db *store.DB) (map[string]mfa.APIToken, map[string]mfa.Event) {
		tokens, events := map[string]mfa.APIToken{}, map[string]mfa.Event{}
		storetest.MustInTx(t, db, func(tx mfa.Tx) error {
			ts, err := tx.ListTokens(ctx)
			for _, k := range ts {
				tokens[k.ID] = k
			}
			if err != nil {
				return err
			}
			es, err := tx.ListEvents(ctx, mfa.EventFilter{Types: []string{mfa.EvTokenRevoke}, Since: t0})
			for _, e := range es {
				events[e.Target.ID] = e
			}
			return err
		})
		return tokens, events
	}

	t.Run("Owners", func(t *testing.T) {
		db := before(t, [][]any{
			{"a-old", "old@example.com", "ACTIVE", true, t0},
			{"a-new", "new@example.com", "ACTIVE", true, t0.Add(time.Hour)},
			{"a-gone", "gone@example.com", "DEPROVISIONED", true, t0.Add(-time.Hour)},
			{"u-plain", "plain@example.com", "ACTIVE", false, t0.Add(-time.Hour)},
		}, [][]any{
			{"tokcli", "", t0, nil},
			{"toklive", "a-new", t0, nil},
			{"tokgone", "a-gone", t0, nil},
			{"tokplain", "u-plain", t0, nil},
			{"tokdeleted", "a-deleted", t0, nil},
			{"tokold", "a-gone", t0, t0.Add(time.Minute)},
		})
		tokens, events := after(t, db)
		if k := tokens["tokcli"]; k.UserID != "a-old" || k.OwnerLogin != "old@example.com" || !k.Revoked.IsZero() {
			t.Errorf("ownerless token = owner %q (%q), revoked %v; want the oldest active admin's, live", k.UserID, k.OwnerLogin, k.Revoked)
		}
		if k := tokens["toklive"]; !k.Revoked.IsZero() {
			t.Errorf("token of an active admin revoked at %v", k.Revoked)
		}
		for _, id := range []string{"tokgone", "tokplain", "tokdeleted"} {
			if tokens[id].Revoked.IsZero() {
				t.Errorf("token %s is live, want revoked", id)
			}
			if e, ok := events[id]; !ok || e.Reason != "owner is not an active administrator" || e.Published.IsZero() {
				t.Errorf("revocation of %s in the system log = %+v, %v", id, e, ok)
			}
		}
		if k := tokens["tokold"]; !k.Revoked.Equal(t0.Add(time.Minute)) {
			t.Errorf("an earlier revocation moved to %v", k.Revoked)
		}
		if len(events) != 3 {
			t.Errorf("%d revocations logged, want 3: %v", len(events), events)
		}
	})
	t.Run("NoAdmin", func(t *testing.T) {
		db := before(t, nil, [][]any{{"tokcli", "", t0, nil}})
		tokens, events := after(t, db)
		if k := tokens["tokcli"]; k.UserID != "" || k.Revoked.IsZero() {
			t.Errorf("ownerless token without any admin = owner %q, revoked %v; want revoked", k.UserID, k.Revoked)
		}
		if _, ok := events["tokcli"]; !ok {
			t.Error("its revocation is not in the system log")
		}
	})
}
