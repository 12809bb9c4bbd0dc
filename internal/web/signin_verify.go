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
	return nil
}

func (h *Handler) verifyCodeData(l *Locale, v *mfa.TxnView) *codePage {
	to := ""
	if f := signinFactor(v); f != nil {
		to = phone.Mask(f.PhoneNumber)
	}
	p := h.newCodeData(l, l.T("Enter the code sent to %s", to), "/signin/verify", "/signin/verify/resend", v.Pending, v.ResendAt, v.CodeLength)
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	return p
}

func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	switch v.Txn.Status {
	case mfa.TxnMFARequired:
		f := signinFactor(v)
		if f == nil {
			h.fail(w, r, mfa.Errorf(mfa.EForbidden, mfa.RFactorNotActive, "No factor is set up."))
			return
		}
		h.render(w, r, &verifyPage{To: phone.Mask(f.PhoneNumber)})
	case mfa.TxnMFAChallenge:
		h.render(w, r, h.verifyCodeData(h.loc(r), v))
	default:
		h.next(w, r, v)
	}
}

func (h *Handler) verifySend(w http.ResponseWriter, r *http.Request) {
	v, sent, err := h.svc.Signin.TxnChallenge(r.Context(), h.stateToken(r.Context()), "")
	h.noteSent(r, sent)
	h.after(w, r, v, err, func(e *mfa.Error) {
		cur := h.txn(w, r)
		if cur == nil {
			return
		}
		to := ""
		if f := signinFactor(cur); f != nil {
			to = phone.Mask(f.PhoneNumber)
		}
		h.render(w, r, &verifyPage{common: h.refused(r, nil, e), To: to})
	})
}

func (h *Handler) verifyCode(w http.ResponseWriter, r *http.Request) {
	h.checkCode(w, r, h.svc.Signin.TxnVerify, h.verifyCodeData)
}

func (h *Handler) verifyResend(w http.ResponseWriter, r *http.Request) {
	h.resendCode(w, r, h.svc.Signin.TxnResendChallenge, h.verifyCodeData)
}
