package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testNumbers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	blocked := mfa.Number{Number: "+15550100001", Status: mfa.NumberBlocked, Reason: "12 users in a day", Updated: at(0), UpdatedBy: "system"}
	trusted := mfa.Number{Number: "+15550100002", Status: mfa.NumberTrusted, Reason: "front desk", Updated: at(time.Minute), UpdatedBy: "u1"}
	err := db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetNumber(ctx, blocked.Number)
		wantErr(t, "GetNumber missing", err, mfa.ErrNotFound)
		wantErr(t, "DeleteNumber missing", tx.DeleteNumber(ctx, blocked.Number), mfa.ErrNotFound)
		if err := tx.PutNumber(ctx, blocked); err != nil {
			return err
		}
		return tx.PutNumber(ctx, trusted)
	})
	if err != nil {
		t.Fatal(err)
	}
	list := func() []mfa.Number {
		var out []mfa.Number
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			out, err = tx.ListNumbers(ctx)
			return err
		})
		checkUTC(t, out)
		return out
	}
	if diff := cmp.Diff([]mfa.Number{trusted, blocked}, list()); diff != "" {
		t.Errorf("ListNumbers, newest first (-want +got):\n%s", diff)
	}

	// PutNumber replaces the decision.
	cleared := mfa.Number{Number: blocked.Number, Status: mfa.NumberCleared, Reason: "checked", Updated: at(time.Hour), UpdatedBy: "u2"}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.PutNumber(ctx, cleared); err != nil {
			return err
		}
		got, err := tx.GetNumber(ctx, cleared.Number)
		checkUTC(t, got)
		if diff := cmp.Diff(cleared, got); diff != "" {
			t.Errorf("GetNumber after update (-want +got):\n%s", diff)
		}
		return err
	})
	if diff := cmp.Diff([]mfa.Number{cleared, trusted}, list()); diff != "" {
		t.Errorf("ListNumbers after update (-want +got):\n%s", diff)
	}

	MustInTx(t, db, func(tx mfa.Tx) error { return tx.DeleteNumber(ctx, trusted.Number) })
	if diff := cmp.Diff([]mfa.Number{cleared}, list()); diff != "" {
		t.Errorf("ListNumbers after delete (-want +got):\n%s", diff)
	}
}

func testSettings(t *testing.T, db *store.DB) {
	ctx := context.Background()
	load := func() map[string]string {
		var out map[string]string
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			out, err = tx.LoadSettings(ctx)
			return err
		})
		return out
	}
	if got := load(); got == nil || len(got) != 0 {
		t.Errorf("LoadSettings on an empty database = %#v, want an empty map", got)
	}
	version := func() int64 {
		var v int64
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			v, err = tx.SettingsVersion(ctx)
			return err
		})
		return v
	}
	v0 := version()
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, s := range [][2]string{{"sms.enabled", "true"}, {"code.lifetime", "5m"}, {"org.name", "Acme ✓"}} {
			if err := tx.SaveSetting(ctx, s[0], s[1], "u1", at(0)); err != nil {
				return err
			}
		}
		return nil
	})
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.SaveSetting(ctx, "code.lifetime", "10m", "u2", at(time.Hour)) })
	want := map[string]string{"sms.enabled": "true", "code.lifetime": "10m", "org.name": "Acme ✓"}
	if diff := cmp.Diff(want, load()); diff != "" {
		t.Errorf("LoadSettings (-want +got):\n%s", diff)
	}
	if v := version(); v != v0+4 {
		t.Errorf("settings version %d after four saves from %d, want %d", v, v0, v0+4)
	}
	var by string
	if err := db.SQL().QueryRow(`SELECT updated_by FROM settings WHERE name = $1`, "code.lifetime").Scan(&by); err != nil || by != "u2" {
		t.Errorf("updated_by = %q, %v; want u2", by, err)
	}
}

func testTokens(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@example.com"))
	first := mfa.APIToken{ID: "k1", Name: "okta sync", TokenHash: hash("token-1"), UserID: "u1", Created: at(0)}
	second := mfa.APIToken{ID: "k2", Name: "monitoring", TokenHash: hash("token-2"), UserID: "gone", Created: at(time.Minute)}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertToken(ctx, first); err != nil {
			return err
		}
		return tx.InsertToken(ctx, second)
	})
	getByHash := func(h []byte) (mfa.APIToken, error) {
		var k mfa.APIToken
		err := db.InTx(ctx, func(tx mfa.Tx) error {
			var err error
			k, err = tx.GetTokenByHash(ctx, h)
			return err
		})
		checkUTC(t, k)
		return k, err
	}
	first.OwnerLogin, first.OwnerStatus = "one@example.com", mfa.UserActive // read back with the token; "" for an owner that is gone
	if got, err := getByHash(hash("token-1")); err != nil || cmp.Diff(first, got) != "" {
		t.Errorf("GetTokenByHash = %+v, %v; want %+v (%s)", got, err, first, cmp.Diff(first, got))
	}
	_, err := getByHash(hash("unknown"))
	wantErr(t, "GetTokenByHash unknown", err, mfa.ErrNotFound)

	dup := mfa.APIToken{ID: "k3", Name: "dup", TokenHash: hash("token-1"), Created: at(0)}
	err = db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertToken(ctx, dup) })
	wantErr(t, "InsertToken duplicate hash", err, mfa.ErrConflict)

	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.TouchToken(ctx, "k1", at(time.Hour)); err != nil {
			return err
		}
		return tx.RevokeToken(ctx, "k1", at(2*time.Hour))
	})
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		wantErr(t, "RevokeToken twice", tx.RevokeToken(ctx, "k1", at(3*time.Hour)), mfa.ErrNotFound)
		wantErr(t, "RevokeToken missing", tx.RevokeToken(ctx, "nope", at(3*time.Hour)), mfa.ErrNotFound)
		wantErr(t, "TouchToken missing", tx.TouchToken(ctx, "nope", at(3*time.Hour)), mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first.LastUsed, first.Revoked = at(time.Hour), at(2*time.Hour) // the second revoke kept the first time
	MustInTx(t, db, func(tx mfa.Tx) error {
		got, err := tx.ListTokens(ctx)
		checkUTC(t, got)
		if diff := cmp.Diff([]mfa.APIToken{second, first}, got); diff != "" {
			t.Errorf("ListTokens, newest first (-want +got):\n%s", diff)
		}
		return err
	})
}
