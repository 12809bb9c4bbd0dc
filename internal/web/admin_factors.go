package web

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// The console's "Factors" panel (admin overview): every kind of
// mfa.FactorKinds with its switch, and whether users may set up several.

// adminFactorRow is one factor kind on the overview.
type adminFactorRow struct {
	Name, Label string
	On          bool
}

// OthersOn reports whether a factor kind other than SMS is on: with SMS
// off, users then verify with those rather than their password only.
func (p adminOverviewPage) OthersOn() bool {
	for _, f := range p.Factors {
		if f.On && f.Name != "sms" {
			return true
		}
	}
	return false
}

// adminFactorRows lists the kinds with their state.
func (h *Handler) adminFactorRows(r *http.Request) ([]adminFactorRow, bool, error) {
	p, err := h.svc.Org.FactorPolicy(r.Context())
	if err != nil {
		return nil, false, err
	}
	var rows []adminFactorRow
	l := h.loc(r)
	for _, k := range p.Kinds {
		label := k.Type
		if ui, ok := factorUIs[k.Type]; ok {
			label = l.T(ui.Label)
		}
		rows = append(rows, adminFactorRow{Name: k.Name, Label: label, On: p.Enabled[k.Type]})
	}
	return rows, p.Several, nil
}

// adminFactor turns a factor kind on or off (factor, enabled), or sets
// whether users may set up several (several).
func (h *Handler) adminFactor(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	if v := r.PostFormValue("several"); v != "" {
		msg := h.loc(r).T("Users may set up several factors.")
		if v != "true" {
			msg = h.loc(r).T("Users set up one factor each.")
		}
		h.done(w, r, h.svc.Org.UpdateSettings(r.Context(), map[string]string{"factors_several": v}), msg, "/admin")
		return
	}
	name, on := r.PostFormValue("factor"), r.PostFormValue("enabled") == "true"
	k, _ := mfa.FactorKindByName(name)
	l := h.loc(r)
	label := name
	if ui, ok := factorUIs[k.Type]; ok {
		label = l.T(ui.Label)
	}
	msg := l.T("%s is off.", label)
	if on {
		msg = l.T("%s is on: users may set it up.", label)
	}
	h.done(w, r, h.svc.Org.SetFactorEnabled(r.Context(), name, on), msg, "/admin")
}
