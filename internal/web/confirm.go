package web

import (
	"net/http"
	"net/url"
	"time"

	"smsmfa/internal/mfa"
)

// recentAuth is how long after signing in (or confirming the password) a
// user may change their second factor without typing the password again.
const recentAuth = 15 * time.Minute

// requireRecent wraps an account change: it needs a sign-in or a password
// confirmation within recentAuth, so an unattended or stolen session
// cannot re-point the user's second factor.
func (h *Handler) requireRecent(next func(http.ResponseWriter, *http.Request, *mfa.User)) func(http.ResponseWriter, *http.Request, *mfa.User) {
	return func(w http.ResponseWriter, r *http.Request, u *mfa.User) {
		at := time.Unix(h.sess.GetInt64(r.Context(), keyAuthAt), 0)
		if h.svc.Org.Now().Sub(at) <= recentAuth {
			next(w, r, u)
			return
		}
		target := r.URL.Path
		if r.Method != http.MethodGet {
			target = "/account"
		}
		redirect(w, r, "/account/confirm?next="+url.QueryEscape(target))
	}
}

func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.render(w, r, &confirmPage{common: common{User: u}, Next: h.localTarget(r, r.URL.Query().Get("next"))})
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	next := h.localTarget(r, r.PostFormValue("next"))
	if err := h.svc.Users.ConfirmPassword(r.Context(), u.ID, r.PostFormValue("password")); err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		if e.Reason == mfa.RUserLocked {
			if err := h.sess.Destroy(r.Context()); err != nil {
				h.fail(w, r, mfa.Internal("destroy session", err))
				return
			}
			h.message(w, r, http.StatusForbidden, messagePage{Heading: h.loc(r).T("Account locked"),
				Text: h.loc(r).T("Your account is locked after too many wrong passwords. Try again later or contact your administrator."), Link: "/login", LinkLabel: h.loc(r).T("Back to sign in")})
			return
		}
		h.render(w, r, &confirmPage{common: h.refused(r, u, e), Next: next})
		return
	}
	h.sess.Put(r.Context(), keyAuthAt, h.svc.Org.Now().Unix())
	seeOther(w, r, next)
}
