package web

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// adminRadius lists the RADIUS clients.
func (h *Handler) adminRadius(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.radiusPage(w, r, u, "", "")
}

func (h *Handler) radiusPage(w http.ResponseWriter, r *http.Request, u *mfa.User, name, address string) {
	cs, err := h.svc.Radius.RadiusClients(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &adminRadiusPage{common: common{User: u}, Clients: cs, Name: name, Address: address})
}

// adminAddRadiusClient adds a RADIUS client. A refusal is shown on the
// page with the name and address kept; the secret is never sent back.
func (h *Handler) adminAddRadiusClient(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	name, address := r.PostFormValue("name"), r.PostFormValue("address")
	c, err := h.svc.Radius.AddRadiusClient(r.Context(), name, address, r.PostFormValue("secret"))
	if err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.sess.Put(r.Context(), keyInfo, h.loc(r).Err(e))
		h.radiusPage(w, r, u, name, address)
		return
	}
	h.done(w, r, nil, h.loc(r).T("RADIUS client %s added for %s. Running servers take it within 10 seconds.", c.Name, c.Prefix.String()), "/admin/radius")
}

func (h *Handler) adminRemoveRadiusClient(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	h.done(w, r, h.svc.Radius.RemoveRadiusClient(r.Context(), r.PathValue("id")), h.loc(r).T("RADIUS client removed."), "/admin/radius")
}
