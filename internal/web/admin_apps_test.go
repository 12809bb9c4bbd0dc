package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// TestConsoleApps: an admin registers an application (the secret is shown
// once and never listed), a bad redirect URI is refused with the form kept,
// a non-admin cannot open the page, and a removed app is gone with its
// event in the system log.
func TestConsoleApps(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})

	resp := s.post(t, c, "/admin/apps", url.Values{"name": {"Wiki"}, "redirect_uris": {"https://wiki.example.com/cb\nhttps://wiki.example.com/cb2"}})
	page := body(resp)
	secret := regexp.MustCompile(`id="new-client-secret">([^<]+)<`).FindStringSubmatch(page)
	id := regexp.MustCompile(`id="new-client-id">([^<]+)<`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || secret == nil || id == nil || !strings.Contains(page, "Application created.") {
		t.Fatalf("create: %d\n%s", resp.StatusCode, page)
	}
	if err := s.svc.OIDC.CheckAppSecret(context.Background(), id[1], secret[1]); err != nil {
		t.Fatalf("the secret shown does not authenticate the app: %v", err)
	}
	_, list := s.get(t, c, "/admin/apps")
	if !strings.Contains(list, id[1]) || strings.Contains(list, secret[1]) || !strings.Contains(list, "https://wiki.example.com/cb2") {
		t.Fatalf("list shows the secret, or not the app:\n%s", list)
	}

	resp = s.post(t, c, "/admin/apps", url.Values{"name": {"Bad"}, "redirect_uris": {"https://x.example.com/cb#frag"}})
	if page := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "fragment") || !strings.Contains(page, `value="Bad"`) {
		t.Fatalf("fragment redirect URI: %d\n%s", resp.StatusCode, page)
	}
	resp = s.post(t, c, "/admin/apps", url.Values{"name": {"None"}, "redirect_uris": {""}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no redirect URI: %d", resp.StatusCode)
	}

	user := s.client(t)
	s.post(t, user, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if r, _ := s.get(t, user, "/admin/apps"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a user opened the apps page: %d", r.StatusCode)
	}
	if r := s.post(t, user, "/admin/apps/"+id[1]+"/remove", nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a user removed an app: %d", r.StatusCode)
	}

	resp = s.post(t, c, "/admin/apps/"+id[1]+"/remove", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if apps, _ := s.svc.OIDC.Apps(context.Background()); len(apps) != 0 {
		t.Fatalf("apps after remove: %v", apps)
	}
	evs, _ := s.svc.Org.Events(context.Background(), mfa.EventFilter{Types: []string{mfa.EvAppCreate, mfa.EvAppDelete}, Limit: 10})
	if len(evs) != 2 || evs[0].Actor.AlternateID != "admin@example.com" {
		t.Fatalf("app events: %+v", evs)
	}
	for _, e := range evs {
		for _, v := range e.Details {
			if strings.Contains(v, secret[1]) {
				t.Fatal("the client secret is in the system log")
			}
		}
	}
}
