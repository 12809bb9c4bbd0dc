package api_test

import (
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/secret"
)

// TestTokenDiesWithOwner plays the attack of issue 9 item 3: an admin
// makes a token, loses the job (deactivated, deleted or demoted), and keeps
// calling the management API with the token. Each call gets 401 E0000011,
// the revocation is in the system log with its reason, and another admin's
// token still works.
func TestTokenDiesWithOwner(t *testing.T) {
	for _, tc := range []struct {
		name, why string
		act       func(e *env, id string) error
	}{
		{"DeactivatedThroughTheAPI", "owner deactivated", func(e *env, id string) error {
			if r := e.api("POST", "/api/v1/users/"+id+"/lifecycle/deactivate", nil); r.status != 200 {
				e.t.Fatalf("deactivate: %d %s", r.status, r.raw)
			}
			return nil
		}},
		{"DeletedThroughTheAPI", "owner deactivated", func(e *env, id string) error { // Okta's delete: deactivate, then delete
			for range 2 {
				if r := e.api("DELETE", "/api/v1/users/"+id, nil); r.status != 204 {
					e.t.Fatalf("delete: %d %s", r.status, r.raw)
				}
			}
			return nil
		}},
		{"DeletedWhileActive", "owner deleted", func(e *env, id string) error { return e.svc.Users.DeleteUser(e.ctx, id) }},
		{"Demoted", "owner is not an administrator", func(e *env, id string) error {
			_, err := e.svc.Users.SetAdmin(e.ctx, id, false)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t) // e.token belongs to admin@example.com, who stays
			old := e.adminToken("leaver@example.com")
			also := e.adminToken("leaver@example.com")
			if r := e.do("GET", "/api/v1/users", old, nil); r.status != 200 {
				t.Fatalf("the leaver's token before: %d %s", r.status, r.raw)
			}
			leaver, err := e.svc.Users.GetUser(e.ctx, "leaver@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.act(e, leaver.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{old, also} {
				e.wantError(e.do("GET", "/api/v1/users", tok, nil), 401, "E0000011")
				e.wantError(e.do("POST", "/api/v1/users", tok, map[string]any{"profile": map[string]any{"login": "backdoor@example.com"}}), 401, "E0000011")
			}
			if _, err := e.svc.Users.GetUser(e.ctx, "backdoor@example.com"); mfa.ReasonOf(err) != mfa.RUserNotFound {
				t.Fatalf("a dead token created a user: %v", err)
			}
			if r := e.api("GET", "/api/v1/users", nil); r.status != 200 {
				t.Fatalf("another admin's token: %d %s", r.status, r.raw)
			}
			revoked := e.tokenEvents(mfa.EvTokenRevoke, tc.why)
			if len(revoked) != 2 {
				t.Fatalf("revocations with reason %q in the system log: %d, want 2", tc.why, len(revoked))
			}
			if revoked[0].Details["owner"] != "leaver@example.com" || revoked[0].Target.Type != "ApiToken" {
				t.Errorf("revocation event %+v", revoked[0])
			}
			if tc.name == "DeletedWhileActive" {
				return
			}
			// Reactivated or promoted again, the owner does not get the
			// old tokens back (as in Okta).
			if tc.name == "Demoted" {
				_, err = e.svc.Users.SetAdmin(e.ctx, leaver.ID, true)
			} else if tc.name == "DeactivatedThroughTheAPI" {
				_, err = e.svc.Users.SetUserStatus(e.ctx, leaver.ID, mfa.UserActive)
			}
			if err != nil {
				t.Fatal(err)
			}
			e.wantError(e.do("GET", "/api/v1/users", old, nil), 401, "E0000011")
		})
	}
}

// TestTokenOfNonAdminNeverWorks: a token whose owner is not an active
// admin (however it came about: a database edited by hand, an older
// instance demoting the owner) is refused and revoked at its first use; one
// cannot be created.
func TestTokenOfNonAdminNeverWorks(t *testing.T) {
	e := newEnv(t)
	plain := e.user("plain@example.com", true)
	if _, _, err := e.svc.Tokens.CreateToken(e.ctx, "mine", plain); mfa.ReasonOf(err) != mfa.RInvalidInput {
		t.Fatalf("CreateToken for a non-admin: %v, want refused", err)
	}
	for _, owner := range []string{plain, "", "00unobody"} {
		clear := "00smuggled" + owner
		err := e.db.InTx(e.ctx, func(tx mfa.Tx) error {
			return tx.InsertToken(e.ctx, mfa.APIToken{ID: "tok" + owner, Name: "smuggled", TokenHash: secret.HashToken(clear), UserID: owner, Created: e.clock.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		e.wantError(e.do("GET", "/api/v1/users", clear, nil), 401, "E0000011")
		e.wantError(e.do("GET", "/api/v1/logs", clear, nil), 401, "E0000011")
	}
	if n := len(e.tokenEvents(mfa.EvTokenRevoke, "")); n != 3 {
		t.Errorf("%d revocations in the system log, want 3 (one a token)", n)
	}
	ts, err := e.svc.Tokens.Tokens(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ts {
		if k.Name == "smuggled" && k.Revoked.IsZero() {
			t.Errorf("token of %q still live", k.UserID)
		}
	}
}

// TestTokenRefusalsLoggedOnceAMinute: hammering the API with a dead token
// writes one refusal a minute to the system log, not one a call.
func TestTokenRefusalsLoggedOnceAMinute(t *testing.T) {
	e := newEnv(t)
	old := e.adminToken("leaver@example.com")
	leaver, _ := e.svc.Users.GetUser(e.ctx, "leaver@example.com")
	if _, err := e.svc.Users.SetUserStatus(e.ctx, leaver.ID, mfa.UserDeprovisioned); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		e.wantError(e.do("GET", "/api/v1/users", old, nil), 401, "E0000011")
	}
	if n := len(e.tokenEvents(mfa.EvTokenRefused, "token revoked")); n != 1 {
		t.Fatalf("%d refusals logged after 20 calls in a minute, want 1", n)
	}
	e.clock.Advance(61 * time.Second)
	for range 5 {
		e.wantError(e.do("GET", "/api/v1/users", old, nil), 401, "E0000011")
	}
	refused := e.tokenEvents(mfa.EvTokenRefused, "token revoked")
	if len(refused) != 2 {
		t.Fatalf("%d refusals logged after another minute, want 2", len(refused))
	}
	if refused[0].Outcome != mfa.OutcomeDeny || refused[0].Details["owner"] != "leaver@example.com" {
		t.Errorf("refusal event %+v", refused[0])
	}
	// An unknown token is refused alike and leaves no trace per call.
	e.wantError(e.do("GET", "/api/v1/users", "00no-such-token", nil), 401, "E0000011")
	if n := len(e.tokenEvents(mfa.EvTokenRefused, "")); n != 2 {
		t.Errorf("%d refusals logged, want 2", n)
	}
}

// tokenEvents returns the system log's events of type typ (newest first)
// whose reason is why (any when "").
func (e *env) tokenEvents(typ, why string) []mfa.Event {
	e.t.Helper()
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{typ}, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []mfa.Event
	for _, ev := range evs {
		if why == "" || ev.Reason == why {
			out = append(out, ev)
		}
	}
	return out
}
