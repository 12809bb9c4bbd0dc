package api

import (
	"net/http"
	"strconv"

	"smsmfa/internal/mfa"
)

// factor is Okta's UserFactor for sms. The Factors API shows the number in
// E.164, unmasked, and never an _embedded (Okta's Go SDK v5 cannot decode
// _embedded.phones there).
func (h *Handler) factor(f *mfa.Factor) map[string]any {
	self := "/api/v1/users/" + f.UserID + "/factors/" + f.ID
	links := map[string]any{"user": h.link("GET", "/api/v1/users/"+f.UserID)}
	if f.Status == mfa.FactorActive {
		links["verify"] = h.link("POST", self+"/verify")
		links["self"] = h.link2(self, "GET", "DELETE")
	} else {
		links["activate"] = h.link("POST", self+"/lifecycle/activate")
		links["resend"] = []link{h.named("sms", "POST", self+"/resend")}
		links["self"] = h.link("GET", self)
	}
	return map[string]any{"id": f.ID, "factorType": mfa.FactorTypeSMS, "provider": mfa.FactorProvider, "vendorName": mfa.FactorProvider,
		"status": string(f.Status), "created": oktaTime(f.Created), "lastUpdated": oktaTime(f.LastUpdated),
		"profile": map[string]any{"phoneNumber": f.PhoneNumber}, "_links": links}
}

func (h *Handler) listFactors(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	st, err := h.svc.Factors.FactorState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	out := []any{}
	if st.Factor != nil {
		out = append(out, h.factor(st.Factor))
	}
	ok(w, out)
}

// catalog lists what the user may enroll: sms while the org's SMS factor
// is on.
func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	st, err := h.svc.Factors.FactorState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	out := []any{}
	if st.SMSEnabled {
		status := "NOT_SETUP"
		if st.Factor != nil {
			status = string(st.Factor.Status)
		}
		out = append(out, map[string]any{"factorType": mfa.FactorTypeSMS, "provider": mfa.FactorProvider, "vendorName": mfa.FactorProvider,
			"status": status, "enrollment": "REQUIRED",
			"_links": map[string]any{"enroll": h.link("POST", "/api/v1/users/"+u.ID+"/factors")}})
	}
	ok(w, out)
}

// factorOf loads {fid} of user u, or answers 404.
func (h *Handler) factorOf(w http.ResponseWriter, r *http.Request, u *mfa.User) *mfa.Factor {
	st, err := h.svc.Factors.FactorState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return nil
	}
	if st.Factor == nil || st.Factor.ID != r.PathValue("fid") {
		h.fail(w, r, mfa.FactorNotFound(r.PathValue("fid")), "")
		return nil
	}
	return st.Factor
}

func (h *Handler) getFactor(w http.ResponseWriter, r *http.Request) {
	if u := h.userOf(w, r); u != nil {
		if f := h.factorOf(w, r, u); f != nil {
			ok(w, h.factor(f))
		}
	}
}

type enrollBody struct {
	FactorType string `json:"factorType"`
	Provider   string `json:"provider"`
	Profile    *struct {
		PhoneNumber   string `json:"phoneNumber"`
		ValidatePhone *bool  `json:"validatePhone"`
	} `json:"profile"`
}

// enrollFactor is POST /users/{uid}/factors[?activate&updatePhone&
// templateId&tokenLifetimeSeconds]. With no phone number the verified
// number on file is used. templateId is accepted (there is one template);
// tokenLifetimeSeconds is validated and, as Okta documents it for the email
// factor only, does not change the SMS code lifetime (an org setting).
func (h *Handler) enrollFactor(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	var body enrollBody
	if e := decode(w, r, &body); e != nil {
		e.write(w, r)
		return
	}
	if e := checkFactorType(body.FactorType, body.Provider); e != nil {
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
	req := mfa.EnrollRequest{UpdatePhone: q.Get("updatePhone") == "true", Activate: q.Get("activate") == "true"}
	if body.Profile != nil {
		req.Phone = body.Profile.PhoneNumber
		if body.Profile.ValidatePhone != nil && !*body.Profile.ValidatePhone {
			req.SkipValidation = true
		}
	}
	f, _, err := h.svc.Factors.EnrollSMS(r.Context(), u.ID, req)
	if err != nil {
		h.fail(w, r, err, "factorEnrollRequest")
		return
	}
	ok(w, h.factor(f))
}

type passCodeBody struct {
	PassCode string `json:"passCode"`
}

func (h *Handler) activateFactor(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	var body passCodeBody
	if e := decode(w, r, &body); e != nil {
		e.write(w, r)
		return
	}
	f, err := h.svc.Factors.ActivateSMS(r.Context(), u.ID, r.PathValue("fid"), body.PassCode)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, h.factor(f))
}

// resendFactor texts a new enrollment code and returns the factor.
func (h *Handler) resendFactor(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	var body enrollBody // the factor, as Okta's docs show; nothing in it is needed
	if e := decode(w, r, &body); e != nil {
		e.write(w, r)
		return
	}
	if _, err := h.svc.Factors.ResendEnroll(r.Context(), u.ID, r.PathValue("fid")); err != nil {
		h.fail(w, r, err, "")
		return
	}
	if f := h.factorOf(w, r, u); f != nil {
		ok(w, h.factor(f))
	}
}

// verifyFactor sends a code when the body has no passCode ({}, null or no
// body), and checks one otherwise. The answer has no resend link: Okta's Go
// SDK v5 expects a single object there, not the array.
func (h *Handler) verifyFactor(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	var body passCodeBody
	if e := decode(w, r, &body); e != nil {
		e.write(w, r)
		return
	}
	fid := r.PathValue("fid")
	if body.PassCode == "" {
		sent, err := h.svc.Factors.ChallengeSMS(r.Context(), u.ID, fid)
		if err != nil {
			h.fail(w, r, err, "")
			return
		}
		self := "/api/v1/users/" + u.ID + "/factors/" + fid
		ok(w, map[string]any{"factorResult": "CHALLENGE", "expiresAt": oktaTime(sent.Expires),
			"profile": map[string]any{"phoneNumber": sent.To},
			"_links":  map[string]any{"verify": h.link("POST", self+"/verify"), "factor": h.link2(self, "GET", "DELETE")}})
		return
	}
	if err := h.svc.Factors.VerifySMS(r.Context(), u.ID, fid, body.PassCode); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, map[string]any{"factorResult": "SUCCESS"})
}

func (h *Handler) deleteFactor(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	if err := h.svc.Factors.DeleteFactor(r.Context(), u.ID, r.PathValue("fid")); err != nil {
		h.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
