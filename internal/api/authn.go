package api

import (
	"context"
	"net/http"

	"smsmfa/internal/mfa"
)

// authnRequest is every field an authn call may carry.
type authnRequest struct {
	StateToken string `json:"stateToken"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	RelayState string `json:"relayState"`
	PassCode   string `json:"passCode"`
	FactorType string `json:"factorType"`
	Provider   string `json:"provider"`
	// The webauthn factor's answers (base64, padded or not, standard or
	// URL alphabet).
	webauthnAnswer
	Profile struct {
		PhoneNumber    string `json:"phoneNumber"`
		PhoneExtension string `json:"phoneExtension"`
		UpdatePhone    *bool  `json:"updatePhone"`
		ValidatePhone  *bool  `json:"validatePhone"`
	} `json:"profile"`
}

// reply writes the transaction, or the refusal.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request, v *mfa.TxnView, err error, what string) {
	if err != nil {
		h.fail(w, r, err, what)
		return
	}
	ok(w, h.render(v))
}

// authnPrimary is primary authentication ({username, password}), or, with
// only a stateToken, the current state of a transaction.
func (h *Handler) authnPrimary(w http.ResponseWriter, r *http.Request) {
	var req authnRequest
	if !h.decode(w, r, &req) {
		return
	}
	if req.Username == "" && req.Password == "" && req.StateToken != "" {
		v, err := h.svc.Signin.Txn(r.Context(), req.StateToken)
		h.reply(w, r, v, err, "")
		return
	}
	if req.Username == "" || req.Password == "" {
		newError(http.StatusBadRequest, "E0000001", "Api validation failed: authRequest", "username and password are required").write(w, r)
		return
	}
	v, err := h.svc.Signin.PrimaryAuth(r.Context(), req.Username, req.Password, req.RelayState)
	h.reply(w, r, v, err, "authRequest")
}

// step answers an authn call that moves the transaction: move gets the
// request; the answer is the transaction after it, or the refusal.
func (h *Handler) step(w http.ResponseWriter, r *http.Request, move stepFunc) {
	var req authnRequest
	if !h.decode(w, r, &req) {
		return
	}
	v, err := move(r, req)
	h.reply(w, r, v, err, "")
}

// stepFunc moves a transaction as an authn call asks.
type stepFunc func(r *http.Request, req authnRequest) (*mfa.TxnView, error)

// byToken, sending and withCode make a stepFunc of a transaction step of
// the domain that takes the state token; and {fid}; and {fid} and the
// passCode. What a step that texts a code says of the text is not part of
// the answer.
func byToken(f func(ctx context.Context, stateToken string) (*mfa.TxnView, error)) stepFunc {
	return func(r *http.Request, req authnRequest) (*mfa.TxnView, error) { return f(r.Context(), req.StateToken) }
}

func sending(f func(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)) stepFunc {
	return func(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
		v, _, err := f(r.Context(), req.StateToken, r.PathValue("fid"))
		return v, err
	}
}

func withCode(f func(ctx context.Context, stateToken, factorID, code string) (*mfa.TxnView, error)) stepFunc {
	return func(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
		return f(r.Context(), req.StateToken, r.PathValue("fid"), req.PassCode)
	}
}

func (h *Handler) authnStatus(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, byToken(h.svc.Signin.Txn))
}

// authnEnroll enrolls the SMS factor in MFA_ENROLL. Only factorType "sms"
// with provider "OKTA" exists here.
func (h *Handler) authnEnroll(w http.ResponseWriter, r *http.Request) {
	var req authnRequest
	if !h.decode(w, r, &req) {
		return
	}
	if req.FactorType == mfa.FactorTypeCall {
		h.authnEnrollCall(w, r, req)
		return
	}
	if req.FactorType == mfa.FactorTypeWebAuthn {
		h.authnEnrollWebAuthn(w, r, req)
		return
	}
	if e := checkFactorType(req.FactorType, req.Provider); e != nil {
		e.write(w, r)
		return
	}
	if req.FactorType == mfa.FactorTypeTOTP {
		v, err := h.svc.Signin.TxnEnrollTOTP(r.Context(), req.StateToken, req.Provider)
		h.reply(w, r, v, err, "factorEnrollRequest")
		return
	}
	er := mfa.EnrollRequest{Phone: req.Profile.PhoneNumber, UpdatePhone: r.URL.Query().Get("updatePhone") == "true"}
	if req.Profile.UpdatePhone != nil && *req.Profile.UpdatePhone {
		er.UpdatePhone = true
	}
	if req.Profile.ValidatePhone != nil && !*req.Profile.ValidatePhone {
		er.SkipValidation = true
	}
	v, _, err := h.svc.Signin.TxnEnroll(r.Context(), req.StateToken, er)
	h.reply(w, r, v, err, "factorEnrollRequest")
}

// checkFactorType accepts the SMS factor (provider OKTA, or none given).
func checkFactorType(factorType, provider string) *apiError {
	if factorType == mfa.FactorTypeTOTP {
		if provider != mfa.FactorProvider && provider != mfa.TOTPProviderGoogle {
			return validation("factorEnrollRequest", "provider: The provider "+quote(provider)+" is not supported for token:software:totp; use \"OKTA\" or \"GOOGLE\".")
		}
		return nil
	}
	if factorType != mfa.FactorTypeSMS {
		return validation("factorEnrollRequest", "factorType: The factor type "+quote(factorType)+" is not supported; this server offers \"sms\", \"call\" and \"token:software:totp\".")
	}
	if provider != "" && provider != mfa.FactorProvider {
		return validation("factorEnrollRequest", "provider: The provider "+quote(provider)+" is not supported for sms; use \"OKTA\".")
	}
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }

func (h *Handler) authnActivate(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, func(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
		if req.attestation() {
			return h.txnWebAuthnActivate(r, req)
		}
		return withCode(h.svc.Signin.TxnActivate)(r, req)
	})
}

func (h *Handler) authnResendEnroll(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, sending(h.svc.Signin.TxnResendEnroll))
}

// authnVerify sends a code (no passCode) or checks one. rememberDevice and
// autoPush are accepted and have no effect: every sign-in asks for a code.
func (h *Handler) authnVerify(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, func(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
		if req.assertion() {
			return h.txnWebAuthnVerify(r, req)
		}
		if req.PassCode == "" {
			v, err := sending(h.svc.Signin.TxnChallenge)(r, req)
			if mfa.ReasonOf(err) == mfa.RFactorType { // not a factor of codes: a passkey
				return h.svc.Signin.TxnWebAuthnChallenge(r.Context(), req.StateToken, r.PathValue("fid"))
			}
			return v, err
		}
		return withCode(h.svc.Signin.TxnVerify)(r, req)
	})
}

func (h *Handler) authnResendVerify(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, sending(h.svc.Signin.TxnResendChallenge))
}

func (h *Handler) authnPrevious(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, byToken(h.svc.Signin.TxnPrevious))
}

// authnCancel ends the transaction and answers with the relay state, as
// auth-js's fixtures show.
func (h *Handler) authnCancel(w http.ResponseWriter, r *http.Request) {
	var req authnRequest
	if !h.decode(w, r, &req) {
		return
	}
	v, err := h.svc.Signin.TxnCancel(r.Context(), req.StateToken)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	ok(w, cancelled{RelayState: v.Txn.RelayState})
}

// cancelled is the answer to a cancel: relayState is there even when empty.
type cancelled struct {
	RelayState string `json:"relayState"`
}

// authnSkip: no step here is optional, so no skip link is ever offered.
func (h *Handler) authnSkip(w http.ResponseWriter, r *http.Request) {
	h.step(w, r, func(r *http.Request, req authnRequest) (*mfa.TxnView, error) {
		if _, err := h.svc.Signin.Txn(r.Context(), req.StateToken); err != nil {
			return nil, err
		}
		return nil, mfa.Errorf(mfa.EForbidden, mfa.RWrongState, "skip")
	})
}
