package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"smsmfa/internal/store"
)

// Sessions.FindCtx compares with the wall clock (scs passes no time), so
// these tests use expiries well away from now instead of the suite's base.

func testSessionsCommitFindDelete(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := db.Sessions()
	future := time.Now().Add(time.Hour)
	data := []byte{0, 1, 2, 0xff}
	if err := s.CommitCtx(ctx, "token-a", data, future); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "token-b", []byte("b"), future); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.FindCtx(ctx, "token-a"); err != nil || !found || !bytes.Equal(got, data) {
		t.Errorf("FindCtx = %x, %v, %v; want %x, true", got, found, err, data)
	}
	// Commit again replaces the data.
	if err := s.CommitCtx(ctx, "token-a", []byte("new"), future); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.FindCtx(ctx, "token-a"); err != nil || !found || string(got) != "new" {
		t.Errorf("FindCtx after second commit = %q, %v, %v; want new", got, found, err)
	}
	if got, found, err := s.FindCtx(ctx, "unknown"); err != nil || found || got != nil {
		t.Errorf("FindCtx(unknown) = %x, %v, %v; want not found", got, found, err)
	}
	if err := s.DeleteCtx(ctx, "token-a"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.FindCtx(ctx, "token-a"); err != nil || found {
		t.Errorf("FindCtx after delete = %v, %v; want not found", found, err)
	}
	if err := s.DeleteCtx(ctx, "token-a"); err != nil {
		t.Errorf("DeleteCtx of a deleted session: %v, want nil (scs expects no error)", err)
	}
	if _, found, err := s.FindCtx(ctx, "token-b"); err != nil || !found {
		t.Errorf("other session after delete: found %v, %v", found, err)
	}
	// The context-free methods do the same.
	if err := s.Commit("token-c", []byte("c"), future); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.Find("token-c"); err != nil || !found || string(got) != "c" {
		t.Errorf("Find = %q, %v, %v", got, found, err)
	}
	if err := s.Delete("token-c"); err != nil {
		t.Fatal(err)
	}
}

func testSessionsExpired(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := db.Sessions()
	if err := s.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.FindCtx(ctx, "old"); err != nil || found || got != nil {
		t.Errorf("FindCtx(expired) = %q, %v, %v; want not found", got, found, err)
	}
	// A non-UTC expiry means the same instant.
	east := time.FixedZone("UTC+10", 10*3600)
	if err := s.CommitCtx(ctx, "zoned", []byte("z"), time.Now().Add(time.Hour).In(east)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.FindCtx(ctx, "zoned"); err != nil || !found {
		t.Errorf("FindCtx(expiry in UTC+10, an hour ahead) = %v, %v; want found", found, err)
	}
}

func testSessionsDeleteExpired(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := db.Sessions()
	now := time.Now()
	for token, exp := range map[string]time.Time{"old1": now.Add(-2 * time.Hour), "old2": now.Add(-time.Minute), "live": now.Add(time.Hour)} {
		if err := s.CommitCtx(ctx, token, []byte(token), exp); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, now)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpired = %d, %v; want 2", n, err)
	}
	var left int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&left); err != nil || left != 1 {
		t.Errorf("sessions left = %d, %v; want 1", left, err)
	}
	if _, found, err := s.FindCtx(ctx, "live"); err != nil || !found {
		t.Errorf("live session after DeleteExpired: found %v, %v", found, err)
	}
}

// The table holds only the SHA-256 of a token: a copy of the database
// yields no usable cookie.
func testSessionsHashed(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const token = "Xq3vTtK2Bqz7mF9cLkP4sW8rYd6hJn1a"
	if err := db.Sessions().CommitCtx(ctx, token, []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT token_hash, data FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var h, data []byte
		if err := rows.Scan(&h, &data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(h, hash(token)) {
			t.Errorf("token_hash = %x, want SHA-256 of the token %x", h, hash(token))
		}
		for _, col := range [][]byte{h, data} {
			if bytes.Contains(col, []byte(token)) {
				t.Errorf("the raw token is stored in the sessions table")
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("sessions rows = %d, want 1", n)
	}
}
