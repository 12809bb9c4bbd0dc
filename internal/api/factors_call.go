package api

import (
	"net/http"
	"strconv"

	"smsmfa/internal/mfa"
)

// The voice call factor (factorType "call", provider OKTA) in the Factors
// and Authn APIs: okta-more.md §3.2. Activate, resend, verify and delete
// are the SMS factor's handlers: the services act on any factor by id, and
// a call factor's codes are read out in a call.

// factorType is f's Okta factorType ("sms" for a factor without a type).
func factorType(f *mfa.Factor) string {
	if f == nil || f.Type == "" {
		return mfa.FactorTypeSMS
	}
	return f.Type
}

// callCatalogEntry is the call entry of a user's factor catalog, while
// the org's call_enabled is on.
func (h *Handler) callCatalogEntry(r *http.Request, userID string) (enrollOption, bool) {
	st, err := h.svc.Factors.CallState(r.Context(), userID)
	if err != nil || !st.Enabled {
		return enrollOption{}, false
	}
	status := "NOT_SETUP"
	if st.Factor != nil {
		status = string(st.Factor.Status)
	}
	e := h.callEnrollOption("/api/v1/users/" + userID + "/factors")
	e.Status = status
	return e, true
}

// callEnrollOption is the call entry of a catalog or of MFA_ENROLL's
// factors: optional (sms stays the required one).
func (h *Handler) callEnrollOption(enroll string) enrollOption {
	return enrollOption{FactorType: mfa.FactorTypeCall, Provider: mfa.FactorProvider, VendorName: mfa.FactorProvider,
		Status: "NOT_SETUP", Enrollment: "OPTIONAL", Links: enrollLinks{Enroll: h.link("POST", enroll)}}
}

// checkCallProvider accepts provider OKTA (or none given) for a call.
func checkCallProvider(provider string) *apiError {
	if provider != "" && provider != mfa.FactorProvider {
		return validation("factorEnrollRequest", "provider: The provider "+quote(provider)+" is not supported for call; use \"OKTA\".")
	}
	return nil
}

// enrollCallFactor is POST /users/{uid}/factors[?activate=true] for
// factorType "call": {"profile":{"phoneNumber","phoneExtension"}}. Without
// activate the factor is PENDING_ACTIVATION and a call reads the code out.
func (h *Handler) enrollCallFactor(w http.ResponseWriter, r *http.Request, u *mfa.User, body enrollBody) {
	if e := checkCallProvider(body.Provider); e != nil {
		e.write(w, r)
		return
	}
	q := r.URL.Query()
	if s := q.Get("tokenLifetimeSeconds"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 86400 {
			validation("factorEnrollRequest", "tokenLifetimeSeconds: must be a whole number from 1 to 86400").write(w, r)
			return
		}
	}
	req := mfa.CallEnrollRequest{Activate: q.Get("activate") == "true"}
	if body.Profile != nil {
		req.Phone, req.Extension = body.Profile.PhoneNumber, body.Profile.PhoneExtension
		if body.Profile.ValidatePhone != nil && !*body.Profile.ValidatePhone {
			req.SkipValidation = true
		}
	}
	f, _, err := h.svc.Factors.EnrollCall(r.Context(), u.ID, req)
	if err != nil {
		h.fail(w, r, err, "factorEnrollRequest")
		return
	}
	ok(w, h.factor(f))
}

// authnEnrollCall enrolls the call factor in MFA_ENROLL.
func (h *Handler) authnEnrollCall(w http.ResponseWriter, r *http.Request, req authnRequest) {
	if e := checkCallProvider(req.Provider); e != nil {
		e.write(w, r)
		return
	}
	er := mfa.CallEnrollRequest{Phone: req.Profile.PhoneNumber, Extension: req.Profile.PhoneExtension}
	if req.Profile.ValidatePhone != nil && !*req.Profile.ValidatePhone {
		er.SkipValidation = true
	}
	v, _, err := h.svc.Signin.TxnEnrollCall(r.Context(), req.StateToken, er)
	h.reply(w, r, v, err, "factorEnrollRequest")
}
