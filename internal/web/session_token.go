package web

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// sessionCookieRedirect hands a user from an app that drove the authn API
// to the web UI: GET /login/sessionCookieRedirect?token=…&redirectUrl=…
// exchanges the one-time session token for a browser session and goes to
// redirectUrl, which must be on this server or on a trusted origin.
func (h *Handler) sessionCookieRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target, ok, err := h.redirectTarget(r.Context(), q.Get("redirectUrl"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.blocked(r, mfa.BlockedRedirect)
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Redirect not allowed"),
			Text: h.loc(r).T("The address to continue to is not on this server or on an origin your administrator trusts."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
		return
	}
	u, amr, err := h.svc.Signin.TakeSessionToken(r.Context(), q.Get("token"))
	if err != nil {
		if _, ok := isRefusal(err); !ok {
			h.fail(w, r, err)
			return
		}
		h.message(w, r, http.StatusUnauthorized, messagePage{Heading: h.loc(r).T("Sign-in link expired"),
			Text: h.loc(r).T("This sign-in link has expired or was already used. Please sign in again."), Link: "/login", LinkLabel: h.loc(r).T("Sign in")})
		return
	}
	h.sess.Put(r.Context(), keyReturn, target)
	// The token is spent: a failure to record the exchange is logged, not
	// turned against the user, who could not use the link again.
	if err := h.svc.Users.RecordSessionExchange(r.Context(), u); err != nil {
		h.logError(r, "session exchange: record", err)
	}
	h.signIn(w, r, u, amr)
}
