package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// TestConsoleDemotionRevokesTokens: an admin removes another admin's
// rights on the user page; the other's API token stops working, and the
// tokens page shows it revoked, with its owner.
func TestConsoleDemotionRevokesTokens(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := context.Background()
	ops, err := s.svc.Users.CreateUser(ctx, mfa.NewUser{Login: "ops@example.com", Password: "Ops-Pass-2026", Admin: true, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := s.svc.Tokens.CreateToken(ctx, "ops sync", ops.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	if _, b := s.get(t, c, "/admin/users/"+ops.ID); !strings.Contains(b, "Remove administrator rights") {
		t.Fatalf("no way to demote on the user page:\n%s", b)
	}
	resp := s.post(t, c, "/admin/users/"+ops.ID+"/admin", url.Values{"admin": {"false"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users/"+ops.ID {
		t.Fatalf("demote: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := s.svc.Tokens.AuthenticateToken(ctx, tok); mfa.ReasonOf(err) != mfa.RInvalidToken {
		t.Fatalf("the demoted admin's token: %v, want refused", err)
	}
	_, b := s.get(t, c, "/admin/tokens")
	row := b[strings.Index(b, "ops sync"):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "ops@example.com") || !strings.Contains(row, "Revoked") {
		t.Errorf("tokens page row: %s", row)
	}
	if _, b := s.get(t, c, "/admin/users/"+ops.ID); !strings.Contains(b, "Make administrator") {
		t.Errorf("no way to promote on the user page")
	}
}

// TestConsoleKeepsOneAdmin: the only admin cannot remove their own rights;
// with another admin, they can, and leave the console.
func TestConsoleKeepsOneAdmin(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := context.Background()
	me, err := s.svc.Users.GetUser(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	s.post(t, c, "/admin/users/"+me.ID+"/admin", url.Values{"admin": {"false"}})
	if _, b := s.get(t, c, "/admin/users/"+me.ID); !strings.Contains(b, "only active administrator") {
		t.Fatalf("no refusal shown:\n%s", b)
	}
	if u, _ := s.svc.Users.GetUser(ctx, me.ID); !u.Admin {
		t.Fatal("the only admin was demoted")
	}
	plain, _ := s.svc.Users.GetUser(ctx, "user@example.com")
	s.post(t, c, "/admin/users/"+plain.ID+"/admin", url.Values{"admin": {"true"}})
	resp := s.post(t, c, "/admin/users/"+me.ID+"/admin", url.Values{"admin": {"false"}})
	if loc := resp.Header.Get("Location"); loc != "/account" {
		t.Fatalf("after demoting oneself: Location %q, want /account", loc)
	}
	if resp, _ := s.get(t, c, "/admin"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the console after demoting oneself: %d", resp.StatusCode)
	}
}
