package web

import (
	"net/http"
	"strings"

	"smsmfa/internal/mfa"
)

// The console's applications: the apps that sign users in with OpenID
// Connect (GET /admin/apps, POST /admin/apps, POST /admin/apps/{id}/remove).

type adminAppsPage struct {
	common
	Apps []mfa.App
	// New is the app just created, with its secret (shown once, in the
	// answer to the form; never stored in the session).
	New       *mfa.App
	NewSecret string
	Issuer    string
	// What was typed, shown again after a refusal.
	Name, Redirects, Logouts string
	Public                   bool
}

func (adminAppsPage) template() string { return "admin_apps" }
func (adminAppsPage) title() string    { return "Applications" }

func (h *Handler) adminApps(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.appsPage(w, r, &adminAppsPage{common: common{User: u}})
}

func (h *Handler) appsPage(w http.ResponseWriter, r *http.Request, p *adminAppsPage) {
	apps, err := h.svc.OIDC.Apps(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Apps = apps
	if h.base != nil {
		p.Issuer = strings.TrimSuffix(h.base.String(), "/")
	}
	h.render(w, r, p)
}

func (h *Handler) adminCreateApp(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	n := mfa.NewApp{Name: r.PostFormValue("name"), RedirectURIs: strings.Fields(r.PostFormValue("redirect_uris")),
		LogoutURIs: strings.Fields(r.PostFormValue("logout_uris")), Public: r.PostFormValue("public") == "on"}
	a, secret, err := h.svc.OIDC.CreateApp(r.Context(), n)
	if err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.appsPage(w, r, &adminAppsPage{common: h.refused(r, u, e), Name: mfa.FieldAppName.Clip(n.Name),
			Redirects: mfa.FieldRedirect.Clip(r.PostFormValue("redirect_uris")), Logouts: mfa.FieldRedirect.Clip(r.PostFormValue("logout_uris")), Public: n.Public})
		return
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Application created."))
	h.appsPage(w, r, &adminAppsPage{common: common{User: u}, New: &a, NewSecret: secret})
}

func (h *Handler) adminRemoveApp(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	h.done(w, r, h.svc.OIDC.RemoveApp(r.Context(), r.PathValue("id")), h.loc(r).T("Application removed; its tokens no longer work."), "/admin/apps")
}
