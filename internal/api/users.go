package api

import (
	"net/http"
	"net/url"
	"strconv"

	"smsmfa/internal/mfa"
)

type createUserRequest struct {
	Profile struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Locale    string `json:"locale"`
		TimeZone  string `json:"timeZone"`
	} `json:"profile"`
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
	if e := h.decode(w, r, &req); e != nil {
		e.write(w, r)
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

// deleteUser deactivates an active user; deleting a deactivated user
// removes it (Okta's two-step delete). 204 either way.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	var err error
	if u.Status != mfa.UserDeprovisioned {
		_, err = h.svc.Users.SetUserStatus(r.Context(), u.ID, mfa.UserDeprovisioned)
	} else {
		err = h.svc.Users.DeleteUser(r.Context(), u.ID)
	}
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, status mfa.UserStatus) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	if _, err := h.svc.Users.SetUserStatus(r.Context(), u.ID, status); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, emptyObject{})
}

func (h *Handler) activateUser(w http.ResponseWriter, r *http.Request) {
	h.setStatus(w, r, mfa.UserActive)
}
func (h *Handler) deactivateUser(w http.ResponseWriter, r *http.Request) {
	h.setStatus(w, r, mfa.UserDeprovisioned)
}

func (h *Handler) unlockUser(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	if err := h.svc.Users.Unlock(r.Context(), u.ID); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, emptyObject{})
}

func (h *Handler) resetFactors(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	if err := h.svc.Factors.ResetFactors(r.Context(), u.ID); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, emptyObject{})
}
