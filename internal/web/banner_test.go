package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
	"smsmfa/internal/web"
)

// idlePool is a provider pool with nothing in service; warning is what it
// asks the console to show.
type idlePool struct{ warning string }

func (idlePool) BreakerOpen(string) bool                                  { return false }
func (idlePool) SendTest(context.Context, string, string) (string, error) { return "", nil }
func (idlePool) Reload(context.Context) error                             { return nil }
func (idlePool) Env() *mfa.ProviderConfig                                 { return nil }
func (idlePool) CallbackURL(string, string) string                        { return "" }
func (idlePool) Types() []string                                          { return []string{"twilio"} }
func (p idlePool) Warning() string                                        { return p.warning }
func (idlePool) Add(_ context.Context, c mfa.ProviderConfig) (*mfa.ProviderConfig, error) {
	return &c, nil
}

var _ web.Pool = idlePool{}

// TestNoProviderBannerOnEveryAdminPage: while the pool warns (no provider,
// no --dev: codes cannot be sent), every console page says so; a user's
// own pages do not, and the banner goes once a provider is in service.
func TestNoProviderBannerOnEveryAdminPage(t *testing.T) {
	const warning = "No SMS provider is configured: codes cannot be sent."
	for _, c := range []struct {
		name    string
		warning string
	}{{"NoProvider", warning}, {"ProviderInService", ""}} {
		t.Run(c.name, func(t *testing.T) {
			s := newSiteWith(t, "http://127.0.0.1", false, func(o *web.Options) { o.Pool = idlePool{warning: c.warning} })
			admin := s.client(t)
			s.post(t, admin, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
			for _, path := range []string{"/admin", "/admin/users", "/admin/settings", "/admin/numbers", "/admin/providers",
				"/admin/templates", "/admin/delivery", "/admin/optouts", "/admin/log", "/admin/tokens", "/admin/radius"} {
				resp, b := s.get(t, admin, path)
				shown := strings.Contains(html.UnescapeString(b), `id="admin-banner">`+warning)
				if resp.StatusCode != http.StatusOK || shown != (c.warning != "") {
					t.Errorf("%s: HTTP %d, banner shown %v, want %v", path, resp.StatusCode, shown, c.warning != "")
				}
			}
			user := s.client(t)
			s.post(t, user, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
			if _, b := s.get(t, user, "/account"); strings.Contains(b, "admin-banner") {
				t.Error("a user's account page shows the console's banner")
			}
		})
	}
}
