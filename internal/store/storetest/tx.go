package storetest

import (
	"context"
	"errors"
	"testing"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// A unit of work whose fn fails leaves nothing behind.
func testTxRollback(t *testing.T, db *store.DB) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx mfa.Tx) error {
		if err := tx.InsertUser(ctx, newUser("u1", "one@x")); err != nil {
			return err
		}
		if _, err := tx.AddCount(ctx, "b", at(0), 5); err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, "s", "v", "u1", at(0)); err != nil {
			return err
		}
		e := newEvent("e1", mfa.EvSignIn, at(0))
		if err := tx.InsertEvent(ctx, &e); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want fn's error returned as is", err)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		_, err := tx.GetUser(ctx, "u1")
		wantErr(t, "GetUser after rollback", err, mfa.ErrNotFound)
		if n, err := tx.Count(ctx, "b", at(0)); err != nil || n != 0 {
			t.Errorf("Count after rollback = %d, %v; want 0", n, err)
		}
		if s, err := tx.LoadSettings(ctx); err != nil || len(s) != 0 {
			t.Errorf("LoadSettings after rollback = %v, %v; want none", s, err)
		}
		if es, err := tx.ListEvents(ctx, mfa.EventFilter{}); err != nil || len(es) != 0 {
			t.Errorf("ListEvents after rollback = %d events, %v; want none", len(es), err)
		}
		return nil
	})
	// The same writes commit when fn succeeds.
	mustInsertUsers(t, db, newUser("u1", "one@x"))
}
