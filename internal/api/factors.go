package api

import (
	"context"
	"net/http"
	"strconv"

	"smsmfa/internal/mfa"
)

// userState finds {uid} and its factor state; on failure it answers (404
// for an unknown user) and reports false.
func (h *Handler) userState(w http.ResponseWriter, r *http.Request) (*mfa.User, mfa.FactorState, bool) {
	u := h.userOf(w, r)
	if u == nil {
		return nil, mfa.FactorState{}, false
	}
	st, err := h.svc.Factors.FactorState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return nil, st, false
	}
	return u, st, true
}

func (h *Handler) listFactors(w http.ResponseWriter, r *http.Request) {
	u := h.userOf(w, r)
	if u == nil {
		return
	}
	fs, err := h.svc.Factors.UserFactors(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	out := []userFactor{}
	for i := range fs {
		if fs[i].Type == mfa.FactorTypeWebAuthn { // with its passkeys (factors_webauthn.go)
			wf, found := h.passkeyFactor(w, r, fs[i].UserID)
			if !found {
				return
			}
			if wf != nil {
				out = append(out, *wf)
			}
			continue
		}
		out = append(out, h.anyFactor(&fs[i], u, nil))
	}
	ok(w, out)
}

// catalog lists what the user may enroll: sms while the org's SMS factor
// is on.
func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	u, st, found := h.userState(w, r)
	if !found {
		return
	}
	out := []enrollOption{}
	if st.SMSEnabled {
		status := "NOT_SETUP"
		if st.Factor != nil {
			status = string(st.Factor.Status)
		}
		out = append(out, h.catalogEntry(u.ID, status))
	}
	if e, on := h.callCatalogEntry(r, u.ID); on { // the voice call factor (factors_call.go)
		out = append(out, e)
	}
	if st.TOTPEnabled {
		fs, err := h.svc.Factors.UserFactors(r.Context(), u.ID)
		if err != nil {
			h.fail(w, r, err, "")
			return
		}
		out = append(out, h.totpCatalog(u.ID, fs)...)
	}
	if ws, err := h.svc.Factors.WebAuthn(r.Context(), u.ID); err != nil {
		h.fail(w, r, err, "")
		return
	} else if ws.Enabled {
		e := h.webauthnEnrollOption("/api/v1/users/" + u.ID + "/factors")
		if ws.Factor != nil {
			e.Status = string(ws.Factor.Status)
		}
		out = append(out, e)
	}
	ok(w, out)
}

// userWith finds {uid} and decodes the request body into v; on failure
// it answers (404 for an unknown user) and returns nil.
func (h *Handler) userWith(w http.ResponseWriter, r *http.Request, v any) *mfa.User {
	u := h.userOf(w, r)
	if u == nil || !h.decode(w, r, v) {
		return nil
	}
	return u
}

// factorOf loads {fid} of user u, or answers 404.
func (h *Handler) factorOf(w http.ResponseWriter, r *http.Request, u *mfa.User) *mfa.Factor {
	fs, err := h.svc.Factors.UserFactors(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err, "")
		return nil
	}
	for i := range fs {
		if fs[i].ID == r.PathValue("fid") {
			return &fs[i]
		}
	}
	h.fail(w, r, mfa.FactorNotFound(r.PathValue("fid")), "")
	return nil
}

func (h *Handler) getFactor(w http.ResponseWriter, r *http.Request) {
	if u := h.userOf(w, r); u != nil {
		if wf, found := h.passkeyFactor(w, r, u.ID); !found {
			return
		} else if wf != nil && wf.ID == r.PathValue("fid") {
			ok(w, *wf)
			return
		}
		if f := h.factorOf(w, r, u); f != nil {
			ok(w, h.anyFactor(f, u, nil))
		}
	}
}

type enrollBody struct {
	FactorType string `json:"factorType"`
	Provider   string `json:"provider"`
	Profile    *struct {
		// A webauthn factor's profile, as Okta's SDKs send it back (ignored).
		CredentialID      string `json:"credentialId"`
		AuthenticatorName string `json:"authenticatorName"`

		PhoneNumber    string `json:"phoneNumber"`
		PhoneExtension string `json:"phoneExtension"`
		ValidatePhone  *bool  `json:"validatePhone"`
	} `json:"profile"`
}

// enrollFactor is POST /users/{uid}/factors[?activate&updatePhone&
// templateId&tokenLifetimeSeconds]. With no phone number the verified
// number on file is used. templateId is accepted (there is one template);
// tokenLifetimeSeconds is validated and, as Okta documents it for the email
// factor only, does not change the SMS code lifetime (an org setting).
func (h *Handler) enrollFactor(w http.ResponseWriter, r *http.Request) {
	var body enrollBody
	u := h.userWith(w, r, &body)
	if u == nil {
		return
	}
	if body.FactorType == mfa.FactorTypeCall {
		h.enrollCallFactor(w, r, u, body)
		return
	}
	if body.FactorType == mfa.FactorTypeWebAuthn {
		h.enrollWebAuthn(w, r, u, body.Provider)
		return
	}
	if e := checkFactorType(body.FactorType, body.Provider); e != nil {
		e.write(w, r)
		return
	}
	if body.FactorType == mfa.FactorTypeTOTP {
		h.enrollTOTP(w, r, u, body.Provider)
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
	webauthnAnswer
}

func (h *Handler) activateFactor(w http.ResponseWriter, r *http.Request) {
	var body passCodeBody
	u := h.userWith(w, r, &body)
	if u == nil {
		return
	}
	if body.attestation() {
		h.activateWebAuthn(w, r, u, body.webauthnAnswer)
		return
	}
	f, err := h.svc.Factors.ActivateSMS(r.Context(), u.ID, r.PathValue("fid"), body.PassCode)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, h.anyFactor(f, u, nil))
}

// resendFactor texts a new enrollment code and returns the factor.
func (h *Handler) resendFactor(w http.ResponseWriter, r *http.Request) {
	var body enrollBody // the factor, as Okta's docs show; nothing in it is needed
	u := h.userWith(w, r, &body)
	if u == nil {
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
// body), and checks one otherwise. The services find the user ({uid}: an id
// or a login) in the unit of work that does it: no separate read on this
// hot path. A body that does not parse is answered after the user is
// looked up, as the other user calls do (an unknown user is a 404 first).
func (h *Handler) verifyFactor(w http.ResponseWriter, r *http.Request) {
	var body passCodeBody
	if e := h.readJSON(w, r, &body); e != nil {
		if h.userOf(w, r) != nil {
			e.write(w, r)
		}
		return
	}
	uid, fid := r.PathValue("uid"), r.PathValue("fid")
	if body.assertion() {
		h.verifyWebAuthn(w, r, uid, fid, body.webauthnAnswer)
		return
	}
	if body.PassCode == "" {
		sent, err := h.svc.Factors.ChallengeSMS(r.Context(), uid, fid)
		if mfa.ReasonOf(err) == mfa.RFactorType { // not a factor of codes: a passkey
			h.challengeWebAuthn(w, r, uid, fid)
			return
		}
		if err != nil {
			h.fail(w, r, err, "")
			return
		}
		if sent == nil { // an authenticator app factor: nothing to send, a code is needed
			h.fail(w, r, h.svc.Factors.VerifySMS(r.Context(), uid, fid, ""), "")
			return
		}
		ok(w, h.challenged(sent.UserID, fid, sent))
		return
	}
	if err := h.svc.Factors.VerifySMS(r.Context(), uid, fid, body.PassCode); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, verifyResult{FactorResult: "SUCCESS"})
}

func (h *Handler) deleteFactor(w http.ResponseWriter, r *http.Request) {
	h.onUser(w, r, deleted, func(ctx context.Context, u *mfa.User) error {
		return h.svc.Factors.DeleteFactor(ctx, u.ID, r.PathValue("fid"))
	})
}
