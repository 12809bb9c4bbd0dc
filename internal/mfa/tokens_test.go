package mfa_test

import (
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

func (e *env) admin(t testing.TB, login string) *mfa.User {
	t.Helper()
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: "Correct-Horse-9", Admin: true, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCreateTokenOwner: a token is owned by an active admin, the one named
// or, when none is named, the oldest.
func TestCreateTokenOwner(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.svc.Tokens.CreateToken(e.ctx, "cli", "")
	wantReason(t, err, mfa.RInvalidInput) // no admin at all
	first := e.admin(t, "first@example.com")
	e.clock.Advance(time.Minute)
	second := e.admin(t, "second@example.com")
	plain := e.user(t, "plain@example.com")

	k, clear, err := e.svc.Tokens.CreateToken(e.ctx, "cli", "")
	if err != nil || k.UserID != first.ID || k.OwnerLogin != "first@example.com" || clear == "" {
		t.Fatalf("default owner: %+v, %v; want first@example.com", k, err)
	}
	if k, _, err = e.svc.Tokens.CreateToken(e.ctx, "named", second.ID); err != nil || k.OwnerLogin != "second@example.com" {
		t.Fatalf("named owner: %+v, %v", k, err)
	}
	_, _, err = e.svc.Tokens.CreateToken(e.ctx, "plain", plain.ID)
	wantReason(t, err, mfa.RInvalidInput)
	if _, err := e.svc.Users.SetUserStatus(e.ctx, first.ID, mfa.UserDeprovisioned); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Tokens.CreateToken(e.ctx, "gone", first.ID)
	wantReason(t, err, mfa.RInvalidInput)
	if k, _, err = e.svc.Tokens.CreateToken(e.ctx, "cli", ""); err != nil || k.UserID != second.ID {
		t.Fatalf("default owner once the first left: %+v, %v; want second@example.com", k, err)
	}
	created := e.events(t, mfa.EvTokenCreate)
	if len(created) != 3 || created[0].Details["owner"] != "second@example.com" {
		t.Errorf("token creations in the system log: %+v", created)
	}
}

// TestSetAdmin: rights can be granted and withdrawn, never from the last
// active admin; each change is in the system log.
func TestSetAdmin(t *testing.T) {
	e := newEnv(t)
	only := e.admin(t, "only@example.com")
	_, err := e.svc.Users.SetAdmin(e.ctx, only.ID, false)
	wantReason(t, err, mfa.RNotPermitted)
	other := e.user(t, "other@example.com")
	if u, err := e.svc.Users.SetAdmin(e.ctx, other.ID, true); err != nil || !u.Admin {
		t.Fatalf("grant: %+v, %v", u, err)
	}
	if u, err := e.svc.Users.SetAdmin(e.ctx, only.ID, false); err != nil || u.Admin {
		t.Fatalf("withdraw with another admin left: %+v, %v", u, err)
	}
	_, err = e.svc.Users.SetAdmin(e.ctx, other.ID, false)
	wantReason(t, err, mfa.RNotPermitted)
	_, err = e.svc.Users.SetAdmin(e.ctx, "00unobody", true)
	wantReason(t, err, mfa.RUserNotFound)
	if n, m := len(e.events(t, mfa.EvAdminGrant)), len(e.events(t, mfa.EvAdminRevoke)); n != 1 || m != 1 {
		t.Errorf("system log: %d grants, %d withdrawals; want 1 and 1", n, m)
	}
	// A deactivated admin does not count: it can be demoted, and the last
	// active admin still cannot.
	gone := e.admin(t, "gone@example.com")
	if _, err := e.svc.Users.SetUserStatus(e.ctx, gone.ID, mfa.UserDeprovisioned); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Users.SetAdmin(e.ctx, gone.ID, false); err != nil {
		t.Fatalf("demote a deactivated admin: %v", err)
	}
	_, err = e.svc.Users.SetAdmin(e.ctx, other.ID, false)
	wantReason(t, err, mfa.RNotPermitted)
}

// TestSetAdminConcurrent: two admins demoting each other at once leave one
// admin.
func TestSetAdminConcurrent(t *testing.T) {
	e := newEnv(t)
	a, b := e.admin(t, "a@example.com"), e.admin(t, "b@example.com")
	errs := make(chan error, 2)
	for _, u := range []*mfa.User{a, b} {
		go func() { _, err := e.svc.Users.SetAdmin(e.ctx, u.ID, false); errs <- err }()
	}
	refused := 0
	for range 2 {
		if err := <-errs; mfa.ReasonOf(err) == mfa.RNotPermitted {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused != 1 {
		t.Fatalf("%d of two crossed demotions refused, want 1", refused)
	}
}

// A token name from any door (the command line too) is held to its cap and
// cleaned like every stored text.
func TestTokenNameIsCleanedAndCapped(t *testing.T) {
	e := newEnv(t)
	admin, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "root@example.com", Admin: true, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.svc.Tokens.CreateToken(e.ctx, "ci\x00\x1b[31m job", admin.ID)
	if err != nil || tok.Name != "ci[31m job" {
		t.Fatalf("name %q, %v: want the control characters gone", tok.Name, err)
	}
	_, _, err = e.svc.Tokens.CreateToken(e.ctx, strings.Repeat("n", 101), admin.ID)
	wantReason(t, err, mfa.RInvalidInput)
	_, _, err = e.svc.Tokens.CreateToken(e.ctx, "\x00", admin.ID)
	wantReason(t, err, mfa.RInvalidInput)
}
