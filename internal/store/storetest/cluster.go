package storetest

import (
	"context"
	"errors"
	"testing"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testTryLock(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if db.Engine() != store.Postgres {
		// One process: the lock is always free.
		MustInTx(t, db, func(tx mfa.Tx) error {
			ok, err := tx.TryLock(ctx, "job")
			if !ok {
				t.Error("TryLock on SQLite = false")
			}
			return err
		})
		return
	}
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.InTx(ctx, func(tx mfa.Tx) error {
			ok, err := tx.TryLock(ctx, "job")
			if !ok || err != nil {
				t.Errorf("first TryLock = %v, %v", ok, err)
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	MustInTx(t, db, func(tx mfa.Tx) error {
		if ok, err := tx.TryLock(ctx, "job"); ok || err != nil {
			t.Errorf("TryLock while held elsewhere = %v, %v; want false", ok, err)
		}
		if ok, err := tx.TryLock(ctx, "other job"); !ok || err != nil {
			t.Errorf("TryLock of another name = %v, %v; want true", ok, err)
		}
		return nil
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if ok, err := tx.TryLock(ctx, "job"); !ok || err != nil {
			t.Errorf("TryLock after release = %v, %v", ok, err)
		}
		return nil
	})
}

func testSavepoint(t *testing.T, db *store.DB) {
	ctx := context.Background()
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertUser(ctx, newUser("kept", "kept@x")); err != nil {
			return err
		}
		if err := tx.Savepoint(ctx, "send"); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, newUser("undone", "undone@x")); err != nil {
			return err
		}
		return tx.RollbackTo(ctx, "send")
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		if _, err := tx.GetUser(ctx, "kept"); err != nil {
			t.Errorf("the work before the savepoint: %v", err)
		}
		if _, err := tx.GetUser(ctx, "undone"); !errors.Is(err, mfa.ErrNotFound) {
			t.Errorf("the work after the savepoint was kept: %v", err)
		}
		return nil
	})
	err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.Savepoint(ctx, "bad; DROP TABLE users") })
	if err == nil {
		t.Error("a savepoint name that is not an identifier was accepted")
	}
}
