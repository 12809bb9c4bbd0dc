package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func mustGetFactor(tb testing.TB, db *store.DB, userID, id string) mfa.Factor {
	tb.Helper()
	var f mfa.Factor
	MustInTx(tb, db, func(tx mfa.Tx) error {
		var err error
		f, err = tx.GetFactor(context.Background(), userID, id)
		return err
	})
	checkUTC(tb, f)
	return f
}

func testFactorsCRUD(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	want := mfa.Factor{ID: "f1", UserID: "u1", Type: mfa.FactorTypeSMS, Status: mfa.FactorPending,
		PhoneNumber: "+15550100001", Created: at(time.Second), LastUpdated: at(2 * time.Second), Provider: "OKTA"}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.InsertFactor(ctx, want) })
	if diff := cmp.Diff(want, mustGetFactor(t, db, "u1", "f1")); diff != "" {
		t.Errorf("GetFactor mismatch (-want +got):\n%s", diff)
	}

	// UpdateFactor changes status, number and last_updated only.
	upd := want
	upd.Status, upd.PhoneNumber, upd.LastUpdated = mfa.FactorActive, "+15550100002", at(time.Minute)
	upd.Created = at(time.Hour) // not updatable
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.UpdateFactor(ctx, upd) })
	want.Status, want.PhoneNumber, want.LastUpdated = upd.Status, upd.PhoneNumber, upd.LastUpdated
	if diff := cmp.Diff(want, mustGetFactor(t, db, "u1", "f1")); diff != "" {
		t.Errorf("GetFactor after update mismatch (-want +got):\n%s", diff)
	}

	err := db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetFactor(ctx, "u1", "nope")
		wantErr(t, "GetFactor missing", err, mfa.ErrNotFound)
		_, err = tx.GetFactor(ctx, "u2", "f1")
		wantErr(t, "GetFactor of another user", err, mfa.ErrNotFound)
		wantErr(t, "UpdateFactor missing", tx.UpdateFactor(ctx, newFactor("nope", "u1", "+15550100001")), mfa.ErrNotFound)
		wantErr(t, "UpdateFactor of another user", tx.UpdateFactor(ctx, newFactor("f1", "u2", "+15550100001")), mfa.ErrNotFound)
		wantErr(t, "DeleteFactor missing", tx.DeleteFactor(ctx, "u1", "nope"), mfa.ErrNotFound)
		wantErr(t, "DeleteFactor of another user", tx.DeleteFactor(ctx, "u2", "f1"), mfa.ErrNotFound)
		return tx.DeleteFactor(ctx, "u1", "f1")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetFactor(ctx, "u1", "f1")
		wantErr(t, "GetFactor after delete", err, mfa.ErrNotFound)
		wantErr(t, "DeleteFactor twice", tx.DeleteFactor(ctx, "u1", "f1"), mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testFactorsUnique(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.InsertFactor(ctx, newFactor("f1", "u1", "+15550100001")) })
	for _, tc := range []struct {
		name string
		f    mfa.Factor
	}{
		{"SameUserAndType", newFactor("f2", "u1", "+15550100002")},
		{"SameID", newFactor("f1", "u2", "+15550100002")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertFactor(ctx, tc.f) })
			wantErr(t, "InsertFactor", err, mfa.ErrConflict)
		})
	}
	// Another user may have the same type.
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.InsertFactor(ctx, newFactor("f3", "u2", "+15550100001")) })
}

func testFactorsList(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"), newUser("u3", "three@x"))
	f1 := newFactor("f1", "u1", "+15550100001")
	f2 := newFactor("f2", "u2", "+15550100002")
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertFactor(ctx, f1); err != nil {
			return err
		}
		return tx.InsertFactor(ctx, f2)
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, tc := range []struct {
			user string
			want []mfa.Factor
		}{
			{"u1", []mfa.Factor{f1}},
			{"u2", []mfa.Factor{f2}},
			{"u3", nil},
		} {
			got, err := tx.ListFactors(ctx, tc.user)
			if err != nil {
				return err
			}
			checkUTC(t, got)
			if len(tc.want) == 0 && len(got) == 0 {
				continue
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListFactors(%s) (-want +got):\n%s", tc.user, diff)
			}
		}
		return nil
	})
}

func testPhonesPut(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	get := func(userID string) (mfa.Phone, error) {
		var p mfa.Phone
		err := db.InTx(ctx, func(tx mfa.Tx) error {
			var err error
			p, err = tx.GetPhone(ctx, userID)
			return err
		})
		checkUTC(t, p)
		return p, err
	}
	_, err := get("u1")
	wantErr(t, "GetPhone before any", err, mfa.ErrNotFound)

	first := mfa.Phone{ID: "p1", UserID: "u1", Number: "+15550100001", Verified: at(time.Second), Created: at(0)}
	other := mfa.Phone{ID: "p9", UserID: "u2", Number: "+15550100009", Verified: at(0), Created: at(0)}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.PutPhone(ctx, first); err != nil {
			return err
		}
		return tx.PutPhone(ctx, other)
	})
	if got, err := get("u1"); err != nil || cmp.Diff(first, got) != "" {
		t.Errorf("GetPhone = %+v, %v; want %+v", got, err, first)
	}

	second := mfa.Phone{ID: "p2", UserID: "u1", Number: "+15550100002", Verified: at(time.Hour), Created: at(time.Hour)}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.PutPhone(ctx, second) })
	if got, err := get("u1"); err != nil || cmp.Diff(second, got) != "" {
		t.Errorf("GetPhone after replace = %+v, %v; want %+v", got, err, second)
	}
	if got, err := get("u2"); err != nil || cmp.Diff(other, got) != "" {
		t.Errorf("other user's phone = %+v, %v; want %+v", got, err, other)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM phones WHERE user_id = $1`, "u1").Scan(&n); err != nil || n != 1 {
		t.Errorf("phones of u1 = %d, %v; want 1", n, err)
	}
}

// testFactorsTOTPStep: a TOTP factor keeps its sealed secret and provider,
// and UseTOTPStep only moves its last step forward, once per step.
func testFactorsTOTPStep(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	f := mfa.Factor{ID: "ost1", UserID: "u1", Type: mfa.FactorTypeTOTP, Status: mfa.FactorActive, Provider: "GOOGLE",
		Secret: []byte("sealed secret"), Created: at(0), LastUpdated: at(0)}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.InsertFactor(ctx, f) })
	if diff := cmp.Diff(f, mustGetFactor(t, db, "u1", "ost1")); diff != "" {
		t.Errorf("GetFactor mismatch (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		step int64
		ok   bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		MustInTx(t, db, func(tx mfa.Tx) error {
			ok, err := tx.UseTOTPStep(ctx, "ost1", c.step)
			if ok != c.ok {
				t.Errorf("UseTOTPStep(%d) = %v, want %v", c.step, ok, c.ok)
			}
			return err
		})
	}
	if got := mustGetFactor(t, db, "u1", "ost1").LastStep; got != 101 {
		t.Errorf("last step %d, want 101", got)
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.FactorUsed(ctx, "ost1", at(time.Hour)) })
	if got := mustGetFactor(t, db, "u1", "ost1").LastUsed; !got.Equal(at(time.Hour)) {
		t.Errorf("last used %v, want %v", got, at(time.Hour))
	}
}

// testRecoveryCodes: a new set replaces the old; a code is used once.
func testRecoveryCodes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	set := func(user string, hashes ...string) {
		var cs []mfa.RecoveryCode
		for i, h := range hashes {
			cs = append(cs, mfa.RecoveryCode{ID: user + "-" + h + "-" + string(rune('a'+i)), Hash: []byte(h), Created: at(0)})
		}
		MustInTx(t, db, func(tx mfa.Tx) error { return tx.ReplaceRecoveryCodes(ctx, user, cs) })
	}
	count := func(user string) (n int) {
		MustInTx(t, db, func(tx mfa.Tx) (err error) { n, err = tx.CountRecoveryCodes(ctx, user); return })
		return n
	}
	use := func(user, h string) (ok bool) {
		MustInTx(t, db, func(tx mfa.Tx) (err error) {
			ok, err = tx.UseRecoveryCode(ctx, user, []byte(h), at(time.Minute))
			return
		})
		return ok
	}
	set("u1", "h1", "h2", "h3")
	set("u2", "h1")
	if count("u1") != 3 || count("u2") != 1 {
		t.Fatalf("counts %d %d", count("u1"), count("u2"))
	}
	if !use("u1", "h2") || use("u1", "h2") || use("u1", "nope") || count("u1") != 2 || count("u2") != 1 {
		t.Fatal("a code was not used exactly once, or another user's changed")
	}
	set("u1", "h4")
	if use("u1", "h1") || count("u1") != 1 || !use("u1", "h4") {
		t.Fatal("the old set still works after a new one")
	}
}
