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
	h.render(w, r, http.StatusOK, "confirm", "Confirm it's you", u, "", map[string]string{"Next": safeReturn(r.URL.Query().Get("next"))})
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	next := safeReturn(r.PostFormValue("next"))
	if err := h.svc.Users.ConfirmPassword(r.Context(), u.ID, r.PostFormValue("password")); err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		if e.Reason == mfa.RUserLocked {
			h.sess.Destroy(r.Context())
			h.renderMessage(w, r, http.StatusForbidden, "Account locked", "Your account is locked after too many wrong passwords. Try again later or contact your administrator.", "/login", "Back to sign in")
			return
		}
		h.render(w, r, statusOf(e), "confirm", "Confirm it's you", u, e.Message, map[string]string{"Next": next})
		return
	}
	h.sess.Put(r.Context(), keyAuthAt, h.svc.Org.Now().Unix())
	redirect(w, r, next)
}
