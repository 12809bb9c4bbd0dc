package api

import "smsmfa/internal/mfa"

// orgFactor is the org's SMS factor in the classic Factors Administration
// API.
type orgFactor struct {
	ID         string         `json:"id"`
	Provider   string         `json:"provider"`
	FactorType string         `json:"factorType"`
	Status     string         `json:"status"`
	Links      lifecycleLinks `json:"_links"`
}

// lifecycleLinks: self, and activate or deactivate by status; methods
// only on the authenticator.
type lifecycleLinks struct {
	Self       link `json:"self"`
	Methods    link `json:"methods,omitzero"`
	Activate   link `json:"activate,omitzero"`
	Deactivate link `json:"deactivate,omitzero"`
}

// authenticator is the Identity Engine phone authenticator.
type authenticator struct {
	Type     string                `json:"type"`
	ID       string                `json:"id"`
	Key      string                `json:"key"`
	Status   string                `json:"status"`
	Name     string                `json:"name"`
	Settings authenticatorSettings `json:"settings"`
	Links    lifecycleLinks        `json:"_links"`
}

type authenticatorSettings struct {
	AllowedFor string `json:"allowedFor"`
}

// authenticatorMethod is one method of the phone authenticator.
type authenticatorMethod struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

// lifecycle sets the link that switches the object at self: deactivate
// when on, activate when off.
func (h *Handler) lifecycle(l *lifecycleLinks, self string, on bool) {
	if on {
		l.Deactivate = h.link("POST", self+"/lifecycle/deactivate")
	} else {
		l.Activate = h.link("POST", self+"/lifecycle/activate")
	}
}

// orgFactorOf is the org factor of kind k under id and provider of of.
func (h *Handler) orgFactorOf(k mfa.FactorKind, of mfa.OrgFactor, on bool) orgFactor {
	self := "/api/v1/org/factors/" + of.ID
	status := "INACTIVE"
	if on {
		status = "ACTIVE"
	}
	links := lifecycleLinks{Self: h.link("GET", self)}
	h.lifecycle(&links, self, on)
	return orgFactor{ID: of.ID, Provider: of.Provider, FactorType: k.Type, Status: status, Links: links}
}

// orgFactorsOf lists every org factor of every kind (FactorKinds).
func (h *Handler) orgFactorsOf(set mfa.Settings) []orgFactor {
	var out []orgFactor
	for _, k := range mfa.FactorKinds {
		for _, of := range k.OrgFactors {
			out = append(out, h.orgFactorOf(k, of, k.Enabled(set)))
		}
	}
	return out
}

// findOrgFactor finds the kind of org factor id.
func findOrgFactor(id string) (mfa.FactorKind, mfa.OrgFactor, bool) {
	for _, k := range mfa.FactorKinds {
		for _, of := range k.OrgFactors {
			if of.ID == id {
				return k, of, true
			}
		}
	}
	return mfa.FactorKind{}, mfa.OrgFactor{}, false
}

func (h *Handler) authenticatorObject(set mfa.Settings) authenticator {
	self := "/api/v1/authenticators/" + authenticatorID
	status, allowed := "INACTIVE", "none"
	if set.SMSEnabled {
		status, allowed = "ACTIVE", "any"
	}
	links := lifecycleLinks{Self: h.link("GET", self), Methods: h.link("GET", self+"/methods")}
	h.lifecycle(&links, self, set.SMSEnabled)
	return authenticator{Type: "phone", ID: authenticatorID, Key: "phone_number", Status: status, Name: "Phone",
		Settings: authenticatorSettings{AllowedFor: allowed}, Links: links}
}
