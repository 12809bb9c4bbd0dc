package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"smsmfa/internal/mfa"
)

// The webauthn factor (provider FIDO) in the Factors and Authn APIs, in
// the shapes of okta-more.md §3.4 (marked [unconfirmed] there where Okta's
// documents are silent).

// webauthnAnswer is what a client sends for the webauthn factor: the
// registration (attestation, clientData) or the sign-in (clientData,
// authenticatorData, signatureData), each base64.
type webauthnAnswer struct {
	Attestation       string `json:"attestation"`
	ClientData        string `json:"clientData"`
	AuthenticatorData string `json:"authenticatorData"`
	SignatureData     string `json:"signatureData"`
}

func (a webauthnAnswer) attestation() bool { return a.Attestation != "" }
func (a webauthnAnswer) assertion() bool {
	return a.Attestation == "" && (a.ClientData != "" || a.AuthenticatorData != "" || a.SignatureData != "")
}

// unb64 decodes base64 in any of its four spellings.
func unb64(field, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "%s: must be base64", field)
}

func (a webauthnAnswer) attestationInput() (mfa.AttestationInput, error) {
	var in mfa.AttestationInput
	var e error
	if in.AttestationObject, e = unb64("attestation", a.Attestation); e != nil {
		return in, e
	}
	if in.ClientDataJSON, e = unb64("clientData", a.ClientData); e != nil {
		return in, e
	}
	return in, nil
}

func (a webauthnAnswer) assertionInput() (mfa.AssertionInput, error) {
	var in mfa.AssertionInput
	var e error
	if in.ClientDataJSON, e = unb64("clientData", a.ClientData); e != nil {
		return in, e
	}
	if in.AuthenticatorData, e = unb64("authenticatorData", a.AuthenticatorData); e != nil {
		return in, e
	}
	if in.Signature, e = unb64("signatureData", a.SignatureData); e != nil {
		return in, e
	}
	return in, nil
}

// webauthnProfile is a webauthn factor's profile: its (newest) passkey.
type webauthnProfile struct {
	CredentialID      string `json:"credentialId,omitempty"`
	AuthenticatorName string `json:"authenticatorName,omitempty"`
}

func passkeyProfile(cs []mfa.WebAuthnCredential) webauthnProfile {
	if len(cs) == 0 {
		return webauthnProfile{}
	}
	c := cs[len(cs)-1]
	return webauthnProfile{CredentialID: base64.RawURLEncoding.EncodeToString(c.CredentialID), AuthenticatorName: c.Name}
}

// webauthnFactor is f as the Factors API shows it, with its activation
// (creation options) while one is under way.
func (h *Handler) webauthnFactor(f *mfa.Factor, creds []mfa.WebAuthnCredential, activation *mfa.CreationOptions) userFactor {
	self := "/api/v1/users/" + f.UserID + "/factors/" + f.ID
	links := userFactorLinks{User: h.link("GET", "/api/v1/users/"+f.UserID)}
	if f.Status == mfa.FactorActive {
		links.Verify = h.link("POST", self+"/verify")
		links.Self = h.link2(self, "GET", "DELETE")
	} else {
		links.Activate = h.link("POST", self+"/lifecycle/activate")
		links.Self = h.link("GET", self)
	}
	out := userFactor{ID: f.ID, FactorType: mfa.FactorTypeWebAuthn, Provider: mfa.FactorProviderFIDO, VendorName: mfa.FactorProviderFIDO,
		Status: string(f.Status), Created: oktaTime(f.Created), LastUpdated: oktaTime(f.LastUpdated), Profile: passkeyProfile(creds), Links: links}
	if activation != nil {
		out.Embedded = map[string]any{"activation": h.activationObject(activation, false)}
	}
	return out
}

// passkeyFactor returns userID's webauthn factor as the Factors API
// shows it, or nil; on failure it answers and found is false.
func (h *Handler) passkeyFactor(w http.ResponseWriter, r *http.Request, userID string) (uf *userFactor, found bool) {
	st, err := h.svc.Factors.WebAuthn(r.Context(), userID)
	if err != nil {
		h.fail(w, r, err, "")
		return nil, false
	}
	if st.Factor == nil {
		return nil, true
	}
	f := h.webauthnFactor(st.Factor, st.Credentials, nil)
	return &f, true
}

// activationObject is the PublicKeyCredentialCreationOptions as Okta
// shows them (binary fields unpadded base64url); the Authn API adds the
// legacy u2fParams.
func (h *Handler) activationObject(o *mfa.CreationOptions, authn bool) map[string]any {
	b, _ := json.Marshal(o)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["excludeCredentials"] == nil {
		m["excludeCredentials"] = []any{}
	}
	if authn {
		m["u2fParams"] = map[string]any{"appid": h.base}
	}
	return m
}

// challengeObject is a sign-in's challenge as Okta shows it; the Authn API
// adds userVerification. allowCredentials lists every passkey of the user
// (Okta's clients build it from profile.credentialId instead).
func challengeObject(o *mfa.RequestOptions, authn bool) map[string]any {
	m := map[string]any{"challenge": o.Challenge.String(), "extensions": map[string]any{}}
	if authn {
		m["userVerification"] = string(o.UserVerification)
	}
	if len(o.AllowedCredentials) > 0 {
		var ids []map[string]any
		for _, c := range o.AllowedCredentials {
			ids = append(ids, map[string]any{"type": "public-key", "id": c.CredentialID.String()})
		}
		m["allowCredentials"] = ids
	}
	return m
}

func (h *Handler) webauthnEnrollOption(enrollPath string) enrollOption {
	return enrollOption{FactorType: mfa.FactorTypeWebAuthn, Provider: mfa.FactorProviderFIDO, VendorName: mfa.FactorProviderFIDO,
		Status: "NOT_SETUP", Enrollment: "OPTIONAL", Links: enrollLinks{Enroll: h.link("POST", enrollPath)}}
}

func checkFIDO(provider string) *apiError {
	if provider != "" && provider != mfa.FactorProviderFIDO {
		return validation("factorEnrollRequest", "provider: The provider "+quote(provider)+" is not supported for webauthn; use \"FIDO\".")
	}
	return nil
}

// enrollWebAuthn is the Factors API's enroll of webauthn: the factor,
// PENDING_ACTIVATION, with _embedded.activation.
func (h *Handler) enrollWebAuthn(w http.ResponseWriter, r *http.Request, u *mfa.User, provider string) {
	if e := checkFIDO(provider); e != nil {
		e.write(w, r)
		return
	}
	f, opts, err := h.svc.Factors.BeginWebAuthnEnroll(r.Context(), u.ID, mfa.ScopeFactorsAPI, true)
	if err != nil {
		h.fail(w, r, err, "factorEnrollRequest")
		return
	}
	ok(w, h.webauthnFactor(f, nil, opts))
}

func (h *Handler) activateWebAuthn(w http.ResponseWriter, r *http.Request, u *mfa.User, a webauthnAnswer) {
	in, e := a.attestationInput()
	if e != nil {
		h.fail(w, r, e, "")
		return
	}
	if st, err := h.svc.Factors.WebAuthn(r.Context(), u.ID); err != nil {
		h.fail(w, r, err, "")
		return
	} else if st.Factor == nil || st.Factor.ID != r.PathValue("fid") {
		h.fail(w, r, mfa.FactorNotFound(r.PathValue("fid")), "")
		return
	}
	f, c, err := h.svc.Factors.FinishWebAuthnEnroll(r.Context(), u.ID, mfa.ScopeFactorsAPI, in, "")
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, h.webauthnFactor(f, []mfa.WebAuthnCredential{*c}, nil))
}

func (h *Handler) challengeWebAuthn(w http.ResponseWriter, r *http.Request, uid, fid string) {
	f, opts, err := h.svc.Factors.BeginWebAuthnLogin(r.Context(), uid, fid, mfa.ScopeFactorsAPI)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	st, err := h.svc.Factors.WebAuthn(r.Context(), f.UserID)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	self := "/api/v1/users/" + f.UserID + "/factors/" + f.ID
	ok(w, verifyResult{FactorResult: "CHALLENGE", Profile: passkeyProfile(st.Credentials),
		Embedded: map[string]any{"challenge": challengeObject(opts, false)},
		Links:    &challengeLinks{Verify: h.link("POST", self+"/verify"), Factor: h.link2(self, "GET", "DELETE")}})
}

func (h *Handler) verifyWebAuthn(w http.ResponseWriter, r *http.Request, uid, fid string, a webauthnAnswer) {
	in, e := a.assertionInput()
	if e != nil {
		if h.userOf(w, r) != nil {
			h.fail(w, r, e, "")
		}
		return
	}
	if _, err := h.svc.Factors.FinishWebAuthnLogin(r.Context(), uid, fid, mfa.ScopeFactorsAPI, in); err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, verifyResult{FactorResult: "SUCCESS"})
}

// Authn API.

func (h *Handler) authnEnrollWebAuthn(w http.ResponseWriter, r *http.Request, req authnRequest) {
	if e := checkFIDO(req.Provider); e != nil {
		e.write(w, r)
		return
	}
	v, err := h.svc.Signin.TxnWebAuthnEnroll(r.Context(), req.StateToken)
	h.reply(w, r, v, err, "factorEnrollRequest")
}

func (h *Handler) txnWebAuthnActivate(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
	in, e := req.attestationInput()
	if e != nil {
		return nil, e
	}
	return h.svc.Signin.TxnWebAuthnActivate(r.Context(), req.StateToken, r.PathValue("fid"), in, "")
}

func (h *Handler) txnWebAuthnVerify(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
	in, e := req.assertionInput()
	if e != nil {
		return nil, e
	}
	return h.svc.Signin.TxnWebAuthnVerify(r.Context(), req.StateToken, r.PathValue("fid"), in)
}

// webauthnInPlay adds to an MFA_ENROLL_ACTIVATE or MFA_CHALLENGE
// transaction of the webauthn factor its profile, its activation or
// challenge, and drops the resend link (nothing is sent).
func (h *Handler) webauthnInPlay(out *transaction, v *mfa.TxnView) {
	if v.Factor == nil || v.Factor.Type != mfa.FactorTypeWebAuthn || out.Embedded.Factor == nil {
		return
	}
	af := out.Embedded.Factor
	af.Profile = passkeyProfile(v.Passkeys)
	switch {
	case v.Creation != nil:
		af.Embedded = map[string]any{"activation": h.activationObject(v.Creation, true)}
	case v.Request != nil:
		af.Embedded = map[string]any{"challenge": challengeObject(v.Request, true)}
	}
	if out.Links != nil {
		out.Links.Resend = nil
	}
}

// authnVerifyWebAuthnByType is Okta's "verify by factor type":
// POST /api/v1/authn/factors/webauthn/verify. Without an answer it starts
// the challenge and answers with challengeType FACTOR_TYPE, a top-level
// _embedded.challenge and _embedded.factor as an array; with one it
// verifies against any of the user's passkeys.
func (h *Handler) authnVerifyWebAuthnByType(w http.ResponseWriter, r *http.Request) {
	var req authnRequest
	if !h.decode(w, r, &req) {
		return
	}
	if req.assertion() {
		v, err := h.txnWebAuthnVerify(r, req)
		h.reply(w, r, v, err, "")
		return
	}
	v, err := h.svc.Signin.TxnWebAuthnChallenge(r.Context(), req.StateToken, "")
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	b, _ := json.Marshal(h.render(v))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["challengeType"] = "FACTOR_TYPE"
	if emb, isMap := m["_embedded"].(map[string]any); isMap {
		if f, isF := emb["factor"].(map[string]any); isF {
			emb["factor"] = []any{f}
		}
		if v.Request != nil {
			emb["challenge"] = challengeObject(v.Request, true)
		}
	}
	ok(w, m)
}
