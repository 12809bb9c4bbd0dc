package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"smsmfa/internal/mfa"
)

type createUserRequest struct {
	Profile     userProfile `json:"profile"`
	Credentials struct {
		Password struct {
			Value string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
}

// createUser is POST /api/v1/users[?activate=true|false]. With
// activate=false the user is STAGED (and may still enroll factors).
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if !h.decode(w, r, &req) {
		return
	}
	activate := r.URL.Query().Get("activate") != "false"
	u, err := h.svc.Users.CreateUser(r.Context(), mfa.NewUser{Login: req.Profile.Login, Password: req.Credentials.Password.Value,
		FirstName: req.Profile.FirstName, LastName: req.Profile.LastName, Email: req.Profile.Email, Locale: req.Profile.Locale,
		TimeZone: req.Profile.TimeZone, Activate: activate})
	if err != nil {
		h.fail(w, r, err, "login")
		return
	}
	ok(w, h.user(u))
}

// userOf finds {uid} (an id or a login), or answers 404.
func (h *Handler) userOf(w http.ResponseWriter, r *http.Request) *mfa.User {
	u, err := h.svc.Users.GetUser(r.Context(), r.PathValue("uid"))
	if err != nil {
		h.fail(w, r, err, "")
		return nil
	}
	return u
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	if u := h.userOf(w, r); u != nil {
		ok(w, h.user(u))
	}
}

// listUsers is GET /api/v1/users[?q=&limit=&after=], paged with a
// Link: <…>; rel="next" header. limit is at most 200 (also when 0 or
// negative); one that is not a number is refused.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 200
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			newError(http.StatusBadRequest, "E0000001", "Api validation failed: limit", "limit must be a whole number").write(w, r)
			return
		}
		if n > 0 && n < limit {
			limit = n
		}
	}
	us, err := h.svc.Users.ListUsers(r.Context(), q.Get("q"), q.Get("after"), limit+1)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	self := h.base + r.URL.Path + "?" + q.Encode()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if len(us) > limit {
		us = us[:limit]
		next := url.Values{"limit": {strconv.Itoa(limit)}, "after": {us[limit-1].Login}}
		if q.Get("q") != "" {
			next.Set("q", q.Get("q"))
		}
		w.Header().Add("Link", "<"+h.base+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	out := make([]user, 0, len(us))
	for i := range us {
		out = append(out, h.user(&us[i]))
	}
	ok(w, out)
}

// onUser runs act on {uid} and answers with done, or 404 for an unknown
// user, or act's refusal.
func (h *Handler) onUser(w http.ResponseWriter, r *http.Request, done func(http.ResponseWriter), act func(ctx context.Context, u *mfa.User) error) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	if err := act(r.Context(), u); err != nil {
		h.fail(w, r, err, "")
		return
	}
	done(w)
}

// The answers of onUser: {} for a lifecycle operation, 204 for a delete.
func lifecycleDone(w http.ResponseWriter) { ok(w, emptyObject{}) }
func deleted(w http.ResponseWriter)       { w.WriteHeader(http.StatusNoContent) }

// deleteUser deactivates an active user; deleting a deactivated user
// removes it (Okta's two-step delete). 204 either way.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	h.onUser(w, r, deleted, func(ctx context.Context, u *mfa.User) error {
		if u.Status != mfa.UserDeprovisioned {
			_, err := h.svc.Users.SetUserStatus(ctx, u.ID, mfa.UserDeprovisioned)
			return err
		}
		return h.svc.Users.DeleteUser(ctx, u.ID)
	})
}

func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, status mfa.UserStatus) {
	h.onUser(w, r, lifecycleDone, func(ctx context.Context, u *mfa.User) error {
		_, err := h.svc.Users.SetUserStatus(ctx, u.ID, status)
		return err
	})
}

func (h *Handler) activateUser(w http.ResponseWriter, r *http.Request) {
	h.setStatus(w, r, mfa.UserActive)
}
func (h *Handler) deactivateUser(w http.ResponseWriter, r *http.Request) {
	h.setStatus(w, r, mfa.UserDeprovisioned)
}

func (h *Handler) unlockUser(w http.ResponseWriter, r *http.Request) {
	h.onUser(w, r, lifecycleDone, func(ctx context.Context, u *mfa.User) error { return h.svc.Users.Unlock(ctx, u.ID) })
}

func (h *Handler) resetFactors(w http.ResponseWriter, r *http.Request) {
	h.onUser(w, r, lifecycleDone, func(ctx context.Context, u *mfa.User) error { return h.svc.Factors.ResetFactors(ctx, u.ID) })
}
