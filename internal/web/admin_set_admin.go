package web

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// adminSetAdmin grants or withdraws a user's administrator rights;
// withdrawing them revokes the user's API tokens. An admin who withdraws
// their own rights goes on to their account page.
func (h *Handler) adminSetAdmin(w http.ResponseWriter, r *http.Request, admin *mfa.User) {
	id, on := r.PathValue("id"), r.PostFormValue("admin") == "true"
	u, err := h.svc.Users.SetAdmin(r.Context(), id, on)
	msg, next := h.loc(r).T("Administrator rights granted."), "/admin/users/"+id
	if !on {
		msg = h.loc(r).T("Administrator rights removed; the user's API tokens are revoked.")
		if err == nil && u.ID == admin.ID {
			next = "/account"
		}
	}
	h.done(w, r, err, msg, next)
}
