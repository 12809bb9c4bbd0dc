package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func mustGetTxn(tb testing.TB, db *store.DB, tokenHash []byte) mfa.Transaction {
	tb.Helper()
	var x mfa.Transaction
	MustInTx(tb, db, func(tx mfa.Tx) error {
		var err error
		x, err = tx.GetTransactionByToken(context.Background(), tokenHash)
		return err
	})
	checkUTC(tb, x)
	return x
}

func testTxnsInsertGetUpdate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	in := mfa.Transaction{
		ID: "t1", TokenHash: hash("state-token"), UserID: "u1", Status: mfa.TxnMFAEnroll, FactorID: "f1",
		Created: at(0), Expires: at(5 * time.Minute), RelayState: "/app?x=1", ClientIP: "192.0.2.7",
		StateToken: "state-token", // never stored
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.InsertTransaction(ctx, in) })
	want := in
	want.StateToken = ""
	if diff := cmp.Diff(want, mustGetTxn(t, db, hash("state-token"))); diff != "" {
		t.Errorf("GetTransactionByToken mismatch (-want +got):\n%s", diff)
	}

	// UpdateTransaction sets status, factor, expiry and the session token.
	upd := want
	upd.Status, upd.FactorID, upd.Expires = mfa.TxnSuccess, "f2", at(10*time.Minute)
	upd.SessionTokenHash, upd.SessionTokenExpires = hash("session-token"), at(6*time.Minute)
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.UpdateTransaction(ctx, upd) })
	if diff := cmp.Diff(upd, mustGetTxn(t, db, hash("state-token"))); diff != "" {
		t.Errorf("after UpdateTransaction (-want +got):\n%s", diff)
	}

	err := db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetTransactionByToken(ctx, hash("unknown"))
		wantErr(t, "GetTransactionByToken unknown", err, mfa.ErrNotFound)
		wantErr(t, "UpdateTransaction missing", tx.UpdateTransaction(ctx, newTxn("nope", "u1", at(0))), mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dup := newTxn("t2", "u1", at(time.Hour))
	dup.TokenHash = hash("state-token")
	err = db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertTransaction(ctx, dup) })
	wantErr(t, "InsertTransaction duplicate token hash", err, mfa.ErrConflict)
	err = db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertTransaction(ctx, newTxn("t1", "u1", at(time.Hour))) })
	wantErr(t, "InsertTransaction duplicate id", err, mfa.ErrConflict)
}

func testTxnsTakeSessionToken(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	a := newTxn("t1", "u1", at(time.Hour))
	a.Status, a.SessionTokenHash, a.SessionTokenExpires = mfa.TxnSuccess, hash("session-a"), at(2*time.Minute)
	b := newTxn("t2", "u2", at(time.Hour))
	b.Status, b.SessionTokenHash, b.SessionTokenExpires = mfa.TxnSuccess, hash("session-b"), at(2*time.Minute)
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertTransaction(ctx, a); err != nil {
			return err
		}
		return tx.InsertTransaction(ctx, b)
	})
	take := func(token string, now time.Time) (string, error) {
		var uid string
		err := db.InTx(ctx, func(tx mfa.Tx) error {
			var err error
			uid, _, err = tx.TakeSessionToken(ctx, hash(token), now)
			return err
		})
		return uid, err
	}

	if uid, err := take("session-a", at(time.Minute)); err != nil || uid != "u1" {
		t.Errorf("TakeSessionToken = %q, %v; want u1", uid, err)
	}
	_, err := take("session-a", at(time.Minute))
	wantErr(t, "TakeSessionToken twice", err, mfa.ErrNotFound)
	_, err = take("session-b", at(2*time.Minute))
	wantErr(t, "TakeSessionToken at expiry", err, mfa.ErrNotFound)
	_, err = take("unknown", at(0))
	wantErr(t, "TakeSessionToken unknown", err, mfa.ErrNotFound)
	if uid, err := take("session-b", at(2*time.Minute-time.Microsecond)); err != nil || uid != "u2" {
		t.Errorf("TakeSessionToken just before expiry = %q, %v; want u2", uid, err)
	}

	got := mustGetTxn(t, db, a.TokenHash)
	if got.SessionTokenHash != nil || !got.SessionTokenExpires.IsZero() {
		t.Errorf("after TakeSessionToken: SessionTokenHash = %x, SessionTokenExpires = %v; want both cleared",
			got.SessionTokenHash, got.SessionTokenExpires)
	}
}

func testTxnsDeleteBefore(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	old := newTxn("old", "u1", at(-time.Hour))
	edge := newTxn("edge", "u1", at(0))
	live := newTxn("live", "u1", at(time.Hour))
	// Expired itself, but its session token is still valid.
	withSession := newTxn("with-session", "u1", at(-time.Hour))
	withSession.SessionTokenHash, withSession.SessionTokenExpires = hash("s"), at(time.Minute)
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, x := range []mfa.Transaction{old, edge, live, withSession} {
			if err := tx.InsertTransaction(ctx, x); err != nil {
				return err
			}
		}
		n, err := tx.DeleteTransactionsBefore(ctx, at(0))
		if n != 1 {
			t.Errorf("DeleteTransactionsBefore deleted %d, want 1", n)
		}
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, x := range []mfa.Transaction{old, edge, live, withSession} {
			_, err := tx.GetTransactionByToken(ctx, x.TokenHash)
			switch {
			case x.ID == "old":
				wantErr(t, "GetTransactionByToken(old)", err, mfa.ErrNotFound)
			case err != nil:
				t.Errorf("GetTransactionByToken(%s): %v", x.ID, err)
			}
		}
		return nil
	})
}
