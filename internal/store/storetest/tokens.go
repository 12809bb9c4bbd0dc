package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// testTokensRevokeUser: RevokeUserTokens revokes only the live tokens of
// one owner, returns them with the owner's login, and keeps the time of an
// earlier revocation.
func testTokensRevokeUser(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@example.com"), newUser("u2", "two@example.com"))
	tokens := []mfa.APIToken{
		{ID: "k1", Name: "sync", TokenHash: hash("t1"), UserID: "u1", Created: at(0)},
		{ID: "k2", Name: "monitor", TokenHash: hash("t2"), UserID: "u1", Created: at(time.Minute), LastUsed: at(2 * time.Minute)},
		{ID: "k3", Name: "other", TokenHash: hash("t3"), UserID: "u2", Created: at(0)},
		{ID: "k4", Name: "old", TokenHash: hash("t4"), UserID: "u1", Created: at(0), Revoked: at(time.Minute)},
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, k := range tokens {
			if err := tx.InsertToken(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	var got []mfa.APIToken
	MustInTx(t, db, func(tx mfa.Tx) error {
		var err error
		got, err = tx.RevokeUserTokens(ctx, "u1", at(time.Hour))
		return err
	})
	checkUTC(t, got)
	slices.SortFunc(got, func(a, b mfa.APIToken) int { return strings.Compare(a.ID, b.ID) })
	want := []mfa.APIToken{tokens[0], tokens[1]}
	for i := range want {
		want[i].Revoked, want[i].OwnerLogin, want[i].OwnerStatus = at(time.Hour), "one@example.com", mfa.UserActive
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RevokeUserTokens (-want +got):\n%s", diff)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		again, err := tx.RevokeUserTokens(ctx, "u1", at(2*time.Hour))
		if len(again) != 0 {
			t.Errorf("RevokeUserTokens again = %+v, want none", again)
		}
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.DeleteUser(ctx, "u1") })
	MustInTx(t, db, func(tx mfa.Tx) error {
		list, err := tx.ListTokens(ctx)
		revoked := map[string]time.Time{}
		owners := map[string]string{}
		for _, k := range list {
			revoked[k.ID], owners[k.ID] = k.Revoked, k.OwnerLogin
		}
		for id, w := range map[string]time.Time{"k1": at(time.Hour), "k2": at(time.Hour), "k3": {}, "k4": at(time.Minute)} {
			if !revoked[id].Equal(w) {
				t.Errorf("token %s revoked at %v, want %v", id, revoked[id], w)
			}
		}
		if owners["k1"] != "" || owners["k3"] != "two@example.com" {
			t.Errorf("owners after deleting u1 = %v; want k1 none, k3 two@example.com", owners)
		}
		return err
	})
}

// testTokensNoteRefused: NoteTokenRefused lets one refusal a window through.
func testTokensNoteRefused(t *testing.T, db *store.DB) {
	ctx := context.Background()
	MustInTx(t, db, func(tx mfa.Tx) error {
		return tx.InsertToken(ctx, mfa.APIToken{ID: "k1", Name: "sync", TokenHash: hash("t1"), UserID: "u1", Created: at(0)})
	})
	for _, step := range []struct {
		name      string
		at, since time.Time
		want      bool
	}{
		{"First", at(time.Minute), at(0), true},
		{"WithinTheMinute", at(90 * time.Second), at(30 * time.Second), false},
		{"AtTheMinute", at(2 * time.Minute), at(time.Minute), false},
		{"AfterTheMinute", at(2*time.Minute + time.Second), at(time.Minute + time.Second), true},
	} {
		MustInTx(t, db, func(tx mfa.Tx) error {
			ok, err := tx.NoteTokenRefused(ctx, "k1", step.at, step.since)
			if ok != step.want {
				t.Errorf("%s: NoteTokenRefused = %v, want %v", step.name, ok, step.want)
			}
			return err
		})
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		ok, err := tx.NoteTokenRefused(ctx, "nope", at(time.Hour), at(0))
		if ok {
			t.Error("NoteTokenRefused of a missing token = true")
		}
		k, gerr := tx.GetTokenByHash(ctx, hash("t1"))
		if !k.LastRefused.Equal(at(2*time.Minute + time.Second)) {
			t.Errorf("LastRefused = %v, want %v", k.LastRefused, at(2*time.Minute+time.Second))
		}
		checkUTC(t, k)
		if gerr != nil {
			return gerr
		}
		return err
	})
}

// testUsersActiveAdmins: the active admins, oldest first.
func testUsersActiveAdmins(t *testing.T, db *store.DB) {
	ctx := context.Background()
	newer, older, gone, plain := newUser("a1", "newer@example.com"), newUser("a2", "older@example.com"), newUser("a3", "gone@example.com"), newUser("u4", "plain@example.com")
	newer.Admin, older.Admin, gone.Admin = true, true, true
	newer.Created, gone.Status = at(time.Minute), mfa.UserDeprovisioned
	older.Created = at(-time.Minute)
	mustInsertUsers(t, db, newer, older, gone, plain)
	MustInTx(t, db, func(tx mfa.Tx) error {
		got, err := tx.ActiveAdmins(ctx)
		var ids []string
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if !slices.Equal(ids, []string{"a2", "a1"}) {
			t.Errorf("ActiveAdmins = %v, want [a2 a1]", ids)
		}
		return err
	})
}
