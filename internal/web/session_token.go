package web

import (
	"net/http"
	"net/url"
	"strings"
)

// sessionCookieRedirect hands a user from an app that drove the authn API
// to the web UI: GET /login/sessionCookieRedirect?token=…&redirectUrl=…
// exchanges the one-time session token for a browser session and goes to
// redirectUrl, which must be on this server or on a trusted origin.
func (h *Handler) sessionCookieRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target, ok := h.redirectTarget(r, q.Get("redirectUrl"))
	if !ok {
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: "Redirect not allowed",
			Text: "The address to continue to is not on this server or on an origin your administrator trusts.", Link: "/", LinkLabel: "Go to the start page"})
		return
	}
	u, err := h.svc.TakeSessionToken(r.Context(), q.Get("token"))
	if err != nil {
		h.message(w, r, http.StatusUnauthorized, messagePage{Heading: "Sign-in link expired",
			Text: "This sign-in link has expired or was already used. Please sign in again.", Link: "/login", LinkLabel: "Sign in"})
		return
	}
	h.sess.Put(r.Context(), keyReturn, target)
	h.svc.RecordSessionExchange(r.Context(), u)
	h.signIn(w, r, u)
}

// redirectTarget accepts a local path, an absolute URL on this server, or
// one on a trusted origin.
func (h *Handler) redirectTarget(r *http.Request, raw string) (string, bool) {
	if raw == "" {
		return "/account", true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		p := safeReturn(raw)
		return p, p == raw
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	if h.base != nil && origin == strings.ToLower(h.base.Scheme+"://"+h.base.Host) {
		return u.RequestURI(), true
	}
	set, err := h.svc.Settings(r.Context())
	if err != nil {
		return "", false
	}
	for _, o := range set.TrustedOrigins {
		if o == origin {
			return raw, true
		}
	}
	return "", false
}
