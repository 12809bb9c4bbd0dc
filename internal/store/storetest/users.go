package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testUsersInsertGetUpdate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	want := mfa.User{
		ID: "u1", Login: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		Locale: "en_GB", TimeZone: "Europe/London", Status: mfa.UserActive, Admin: true,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", FailedPasswords: 2, FailedMFA: 1,
		LockedUntil: at(time.Hour), Created: at(0), LastUpdated: at(time.Minute),
		PasswordChanged: at(2 * time.Second), LastLogin: at(3 * time.Second), Activated: at(4 * time.Second),
		StatusChanged: at(5 * time.Second), MFALockouts: 2, LastMFALockout: at(6 * time.Second),
		MissedCodes: 17, MissedSince: at(-time.Hour),
	}
	mustInsertUsers(t, db, want)

	get := func(t *testing.T) {
		t.Helper()
		MustInTx(t, db, func(tx mfa.Tx) error {
			for name, fn := range map[string]func() (mfa.User, error){
				"GetUser":        func() (mfa.User, error) { return tx.GetUser(ctx, want.ID) },
				"GetUserByLogin": func() (mfa.User, error) { return tx.GetUserByLogin(ctx, want.Login) },
				"LockUser":       func() (mfa.User, error) { return tx.LockUser(ctx, want.ID) },
			} {
				got, err := fn()
				if err != nil {
					return err
				}
				checkUTC(t, got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
				}
			}
			return nil
		})
	}
	get(t)

	// Change every column; clear two times and the admin flag.
	want = mfa.User{
		ID: "u1", Login: "ada.king@example.com", FirstName: "Augusta", LastName: "King", Email: "ak@example.com",
		Locale: "fr_FR", TimeZone: "Europe/Paris", Status: mfa.UserDeprovisioned, Admin: false,
		PasswordHash: "", FailedPasswords: 0, FailedMFA: 5, LockedUntil: mfa.UntilUnlocked, MFALockouts: 3,
		Created: at(-time.Hour), LastUpdated: at(2 * time.Minute),
		PasswordChanged: at(7 * time.Second), LastLogin: at(8 * time.Second), StatusChanged: at(9 * time.Second),
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.UpdateUser(ctx, want) })
	get(t)
}

func testUsersZeroTimes(t *testing.T, db *store.DB) {
	want := newUser("u1", "zero@example.com")
	mustInsertUsers(t, db, want)
	MustInTx(t, db, func(tx mfa.Tx) error {
		got, err := tx.GetUser(context.Background(), "u1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetUser mismatch (-want +got):\n%s", diff)
		}
		for name, tm := range map[string]time.Time{"LockedUntil": got.LockedUntil, "PasswordChanged": got.PasswordChanged,
			"LastLogin": got.LastLogin, "Activated": got.Activated, "StatusChanged": got.StatusChanged} {
			if !tm.IsZero() {
				t.Errorf("%s = %v, want zero", name, tm)
			}
		}
		return nil
	})
	// Zero times are NULL in the table, not some epoch value.
	var n int
	err := db.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE locked_until IS NULL AND password_changed IS NULL
		AND last_login IS NULL AND activated IS NULL AND status_changed IS NULL`).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("rows with NULL times = %d, %v; want 1", n, err)
	}
}

func testUsersNotFound(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@example.com"))
	err := db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetUser(ctx, "nope")
		wantErr(t, "GetUser", err, mfa.ErrNotFound)
		_, err = tx.GetUserByLogin(ctx, "nope@example.com")
		wantErr(t, "GetUserByLogin", err, mfa.ErrNotFound)
		_, err = tx.LockUser(ctx, "nope")
		wantErr(t, "LockUser", err, mfa.ErrNotFound)
		wantErr(t, "UpdateUser", tx.UpdateUser(ctx, newUser("nope", "nope@example.com")), mfa.ErrNotFound)
		wantErr(t, "DeleteUser", tx.DeleteUser(ctx, "nope"), mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.DeleteUser(ctx, "u1") })
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		wantErr(t, "DeleteUser twice", tx.DeleteUser(ctx, "u1"), mfa.ErrNotFound)
		_, err := tx.GetUser(ctx, "u1")
		wantErr(t, "GetUser after delete", err, mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testUsersLoginUnique(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@example.com"), newUser("u2", "two@example.com"))
	for _, tc := range []struct {
		name string
		fn   func(tx mfa.Tx) error
	}{
		{"InsertSameLogin", func(tx mfa.Tx) error { return tx.InsertUser(ctx, newUser("u3", "one@example.com")) }},
		{"InsertSameID", func(tx mfa.Tx) error { return tx.InsertUser(ctx, newUser("u1", "three@example.com")) }},
		{"UpdateToTakenLogin", func(tx mfa.Tx) error { return tx.UpdateUser(ctx, newUser("u2", "one@example.com")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.InTx(ctx, tc.fn)
			wantErr(t, tc.name, err, mfa.ErrConflict)
		})
	}
	got := mustListUsers(t, db, "", "", 0)
	if diff := cmp.Diff([]string{"one@example.com", "two@example.com"}, logins(got)); diff != "" {
		t.Errorf("users after conflicts (-want +got):\n%s", diff)
	}
}

func mustListUsers(tb testing.TB, db *store.DB, query, after string, limit int) []mfa.User {
	tb.Helper()
	var out []mfa.User
	MustInTx(tb, db, func(tx mfa.Tx) error {
		var err error
		out, err = tx.ListUsers(context.Background(), query, after, limit)
		return err
	})
	checkUTC(tb, out)
	return out
}

func logins(us []mfa.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Login)
	}
	return out
}

func testUsersListPaging(t *testing.T, db *store.DB) {
	var users []mfa.User
	for i, login := range []string{"dave@x", "bob@x", "erin@x", "alice@x", "carol@x"} {
		u := newUser("u"+string(rune('a'+i)), login)
		u.FirstName = "Name"
		users = append(users, u)
	}
	mustInsertUsers(t, db, users...)

	all := mustListUsers(t, db, "", "", 0)
	if diff := cmp.Diff([]string{"alice@x", "bob@x", "carol@x", "dave@x", "erin@x"}, logins(all)); diff != "" {
		t.Errorf("ListUsers order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(users[3], all[0]); diff != "" {
		t.Errorf("listed user mismatch (-want +got):\n%s", diff)
	}

	var pages [][]string
	after := ""
	for range 10 {
		page := mustListUsers(t, db, "", after, 2)
		if len(page) == 0 {
			break
		}
		pages = append(pages, logins(page))
		after = page[len(page)-1].Login
	}
	want := [][]string{{"alice@x", "bob@x"}, {"carol@x", "dave@x"}, {"erin@x"}}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func testUsersListQuery(t *testing.T, db *store.DB) {
	named := func(id, login, first, last string) mfa.User {
		u := newUser(id, login)
		u.FirstName, u.LastName = first, last
		return u
	}
	mustInsertUsers(t, db,
		named("u1", "ada@example.com", "Ada", "Lovelace"),
		named("u2", "grace@example.org", "Grace", "Hopper"),
		named("u3", "alan@example.com", "Alan", "Turing"),
		named("u4", "nobody@example.net", "", ""),
	)
	for _, tc := range []struct {
		name, query, after string
		want               []string
	}{
		{"LoginSubstring", "example.com", "", []string{"ada@example.com", "alan@example.com"}},
		{"LoginUpperCase", "GRACE@", "", []string{"grace@example.org"}},
		{"FirstName", "alan", "", []string{"alan@example.com"}},
		{"LastNameMixedCase", "hOPPER", "", []string{"grace@example.org"}},
		{"FirstSpaceLast", "Ada Love", "", []string{"ada@example.com"}},
		{"AcrossNameAndLogin", "ce", "", []string{"ada@example.com", "grace@example.org"}}, // Lovelace; grace@
		{"WithPaging", "ce", "ada@example.com", []string{"grace@example.org"}},
		{"NoMatch", "zzz", "", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := logins(mustListUsers(t, db, tc.query, tc.after, 0))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListUsers(%q, %q) (-want +got):\n%s", tc.query, tc.after, diff)
			}
		})
	}
}

func testUsersListWildcards(t *testing.T, db *store.DB) {
	mustInsertUsers(t, db,
		newUser("u1", "a%b@x"), newUser("u2", "a_b@x"), newUser("u3", `a\b@x`),
		newUser("u4", "axb@x"), newUser("u5", "aab@x"),
	)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"%", []string{"a%b@x"}},
		{"_", []string{"a_b@x"}},
		{`\`, []string{`a\b@x`}},
		{"a%b", []string{"a%b@x"}},
		{"a_b", []string{"a_b@x"}},
		{`a\b`, []string{`a\b@x`}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := logins(mustListUsers(t, db, tc.query, "", 0))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListUsers(%q) (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}

func testUsersListNonASCII(t *testing.T, db *store.DB) {
	u := newUser("u1", "emilie@example.com")
	u.FirstName, u.LastName = "Émilie", "du Châtelet"
	mustInsertUsers(t, db, u, newUser("u2", "other@example.com"))
	for _, query := range []string{"Émilie", "émilie", "ÉMILIE", "DU CHÂTELET", "émilie du châtelet"} {
		t.Run(query, func(t *testing.T) {
			got := logins(mustListUsers(t, db, query, "", 0))
			if diff := cmp.Diff([]string{"emilie@example.com"}, got); diff != "" {
				t.Errorf("ListUsers(%q) (-want +got):\n%s", query, diff)
			}
		})
	}
}

func testUsersDeleteCascades(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, uid := range []string{"u1", "u2"} {
			if err := tx.InsertFactor(ctx, newFactor("f-"+uid, uid, "+15550100001")); err != nil {
				return err
			}
			if err := tx.PutPhone(ctx, mfa.Phone{ID: "p-" + uid, UserID: uid, Number: "+15550100001", Verified: at(0), Created: at(0)}); err != nil {
				return err
			}
			if err := tx.InsertChallenge(ctx, newChallenge("c-"+uid, uid, "f-"+uid, "+15550100001", at(0))); err != nil {
				return err
			}
			if err := tx.InsertTransaction(ctx, newTxn("t-"+uid, uid, at(time.Hour))); err != nil {
				return err
			}
		}
		return tx.DeleteUser(ctx, "u1")
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		fs, err := tx.ListFactors(ctx, "u1")
		if err != nil || len(fs) != 0 {
			t.Errorf("ListFactors(u1) = %v, %v; want none", fs, err)
		}
		_, err = tx.GetFactor(ctx, "u1", "f-u1")
		wantErr(t, "GetFactor", err, mfa.ErrNotFound)
		_, err = tx.GetPhone(ctx, "u1")
		wantErr(t, "GetPhone", err, mfa.ErrNotFound)
		_, err = tx.GetChallenge(ctx, "c-u1")
		wantErr(t, "GetChallenge", err, mfa.ErrNotFound)
		_, err = tx.GetTransactionByToken(ctx, hash("state t-u1"))
		wantErr(t, "GetTransactionByToken", err, mfa.ErrNotFound)

		// The other user's rows are untouched.
		if _, err := tx.GetFactor(ctx, "u2", "f-u2"); err != nil {
			return errors.Join(errors.New("other user's factor"), err)
		}
		if _, err := tx.GetPhone(ctx, "u2"); err != nil {
			return errors.Join(errors.New("other user's phone"), err)
		}
		if _, err := tx.GetChallenge(ctx, "c-u2"); err != nil {
			return errors.Join(errors.New("other user's challenge"), err)
		}
		if _, err := tx.GetTransactionByToken(ctx, hash("state t-u2")); err != nil {
			return errors.Join(errors.New("other user's transaction"), err)
		}
		return nil
	})
}
