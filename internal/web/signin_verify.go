package web

import (
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// signinFactor returns the factor to challenge: the one in play, or the
// user's active SMS factor.
func signinFactor(v *mfa.TxnView) *mfa.Factor {
	if v.Factor != nil {
		return v.Factor
	}
	for i := range v.Factors {
		if v.Factors[i].Type == mfa.FactorTypeSMS {
			return &v.Factors[i]
		}
	}
	for i := range v.Factors { // Voice Call when it is the only one
		if v.Factors[i].Type == mfa.FactorTypeCall {
			return &v.Factors[i]
		}
	}
	return nil
}

func (h *Handler) verifyCodeData(l *Locale, v *mfa.TxnView) *codePage {
	to := ""
	f := signinFactor(v)
	if f != nil {
		to = phone.Mask(f.PhoneNumber)
	}
	p := h.newCodeData(l, codeHeading(l, f, to), "/signin/verify", "/signin/verify/resend", v.Pending, v.ResendAt, v.CodeLength)
	if v.Offers(mfa.FactorTypeCall) && !isCall(f) {
		p.CallAction = "/signin/verify/call"
	}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	if anotherWay(v) {
		p.Back = &formLink{Method: "get", URL: "/signin/verify/choose", Label: l.T("Verify another way")}
	}
	return p
}

func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	switch v.Txn.Status {
	case mfa.TxnMFARequired:
		f := chosenFactor(r, v)
		if f == nil {
			h.fail(w, r, mfa.Errorf(mfa.EForbidden, mfa.RFactorNotActive, "No factor is set up."))
			return
		}
		switch f.Type {
		case mfa.FactorTypeTOTP:
			h.render(w, r, &totpCodePage{FactorID: f.ID, Another: anotherWay(v)})
			return
		case mfa.FactorTypeWebAuthn: // signin_webauthn.go
			redirect(w, r, "/signin/verify/webauthn")
			return
		}
		h.render(w, r, &verifyPage{To: phone.Mask(f.PhoneNumber), Call: isCall(f), FactorID: f.ID, Another: anotherWay(v)})
	case mfa.TxnMFAChallenge:
		if v.Factor != nil && v.Factor.Type == mfa.FactorTypeTOTP {
			h.render(w, r, &totpCodePage{FactorID: v.Factor.ID, Another: anotherWay(v)})
			return
		}
		if v.Factor != nil && v.Factor.Type == mfa.FactorTypeWebAuthn {
			redirect(w, r, "/signin/verify/webauthn")
			return
		}
		h.render(w, r, h.verifyCodeData(h.loc(r), v))
	default:
		h.next(w, r, v)
	}
}

func (h *Handler) verifySend(w http.ResponseWriter, r *http.Request) {
	v, sent, err := h.svc.Signin.TxnChallenge(r.Context(), h.stateToken(r.Context()), r.PostFormValue("factor"))
	h.noteSent(r, sent)
	h.after(w, r, v, err, func(e *mfa.Error) {
		cur := h.txn(w, r)
		if cur == nil {
			return
		}
		to, call := "", false
		if f := signinFactor(cur); f != nil {
			to, call = phone.Mask(f.PhoneNumber), isCall(f)
		}
		h.render(w, r, &verifyPage{common: h.refused(r, nil, e), To: to, Call: call, FactorID: r.PostFormValue("factor"), Another: anotherWay(cur)})
	})
}

func (h *Handler) verifyCode(w http.ResponseWriter, r *http.Request) {
	h.checkCode(w, r, h.svc.Signin.TxnVerify, h.verifyCodeData)
}

func (h *Handler) verifyResend(w http.ResponseWriter, r *http.Request) {
	h.resendCode(w, r, h.svc.Signin.TxnResendChallenge, h.verifyCodeData)
}
