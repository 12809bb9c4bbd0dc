package api

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// The Identity Engine phone authenticator's id; it switches the SMS
// factor's setting, as the classic org factor okta_sms does (the classic
// org factors come from mfa.FactorKinds).
const authenticatorID = "autsmsmfaphone000000"

func (h *Handler) smsOn(w http.ResponseWriter, r *http.Request) (mfa.Settings, bool) {
	set, err := h.svc.Org.Settings(r.Context())
	if err != nil {
		h.fail(w, r, err, "")
		return set, false
	}
	return set, true
}

// orgFactors is GET /api/v1/org/factors[?filter=status eq "ACTIVE"]: one
// entry per org factor of each kind of mfa.FactorKinds (okta_sms;
// google_otp and okta_otp, both switching totp_enabled).
func (h *Handler) orgFactors(w http.ResponseWriter, r *http.Request) {
	set, good := h.smsOn(w, r)
	if !good {
		return
	}
	filter := r.URL.Query().Get("filter")
	switch filter {
	case "", `status eq "ACTIVE"`, `status eq "INACTIVE"`:
	default:
		newError(http.StatusBadRequest, "E0000031", "Invalid search criteria.", `Only filter=status eq "ACTIVE" or status eq "INACTIVE" is supported.`).write(w, r)
		return
	}
	out := []orgFactor{}
	for _, obj := range h.orgFactorsOf(set) {
		if filter == "" || filter == `status eq "`+obj.Status+`"` {
			out = append(out, obj)
		}
	}
	ok(w, out)
}

func orgFactorNotFound(id string) error {
	return mfa.Errorf(mfa.ENotFound, mfa.RFactorNotFound, "Not found: Resource not found: %s (OrgFactor)", id)
}

func (h *Handler) orgFactor(w http.ResponseWriter, r *http.Request) {
	k, of, found := findOrgFactor(r.PathValue("id"))
	if !found {
		h.fail(w, r, orgFactorNotFound(r.PathValue("id")), "")
		return
	}
	if set, good := h.smsOn(w, r); good {
		ok(w, h.orgFactorOf(k, of, k.Enabled(set)))
	}
}

// switchSMS turns the org's SMS factor on or off for op "activate" or
// "deactivate"; false when it has answered with an error.
func (h *Handler) switchSMS(w http.ResponseWriter, r *http.Request, op string) bool {
	return h.switchKind(w, r, mfa.FactorKinds[0], op)
}

// switchKind turns factor kind k on or off for op "activate" or
// "deactivate"; false when it has answered with an error.
func (h *Handler) switchKind(w http.ResponseWriter, r *http.Request, k mfa.FactorKind, op string) bool {
	if op != "activate" && op != "deactivate" {
		errNotFound.write(w, r)
		return false
	}
	if err := h.svc.Org.SetFactorEnabled(r.Context(), k.Name, op == "activate"); err != nil {
		h.fail(w, r, err, "")
		return false
	}
	return true
}

func (h *Handler) orgFactorLifecycle(w http.ResponseWriter, r *http.Request) {
	k, of, found := findOrgFactor(r.PathValue("id"))
	if !found {
		h.fail(w, r, orgFactorNotFound(r.PathValue("id")), "")
		return
	}
	if h.switchKind(w, r, k, r.PathValue("op")) {
		ok(w, h.orgFactorOf(k, of, r.PathValue("op") == "activate"))
	}
}

func (h *Handler) authenticators(w http.ResponseWriter, r *http.Request) {
	if set, good := h.smsOn(w, r); good {
		ok(w, []authenticator{h.authenticatorObject(set)})
	}
}

func (h *Handler) authenticatorFound(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("id") != authenticatorID && r.PathValue("id") != "phone_number" {
		h.fail(w, r, mfa.Errorf(mfa.ENotFound, mfa.RFactorNotFound, "Not found: Resource not found: %s (Authenticator)", r.PathValue("id")), "")
		return false
	}
	return true
}

func (h *Handler) authenticator(w http.ResponseWriter, r *http.Request) {
	if !h.authenticatorFound(w, r) {
		return
	}
	if set, good := h.smsOn(w, r); good {
		ok(w, h.authenticatorObject(set))
	}
}

func (h *Handler) authenticatorLifecycle(w http.ResponseWriter, r *http.Request) {
	if !h.authenticatorFound(w, r) || !h.switchSMS(w, r, r.PathValue("op")) {
		return
	}
	if set, good := h.smsOn(w, r); good {
		ok(w, h.authenticatorObject(set))
	}
}

// authenticatorMethods lists the phone authenticator's methods: sms, and
// voice (which smsmfa does not offer) as INACTIVE.
func (h *Handler) authenticatorMethods(w http.ResponseWriter, r *http.Request) {
	if !h.authenticatorFound(w, r) {
		return
	}
	if set, good := h.smsOn(w, r); good {
		status := "INACTIVE"
		if set.SMSEnabled {
			status = "ACTIVE"
		}
		ok(w, []authenticatorMethod{{Type: "sms", Status: status}, {Type: "voice", Status: "INACTIVE"}})
	}
}
