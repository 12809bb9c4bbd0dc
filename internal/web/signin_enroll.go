package web

import (
	"context"
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

func (h *Handler) enrollList(w http.ResponseWriter, r *http.Request) {
	if v := h.txnAt(w, r, mfa.TxnMFAEnroll); v != nil {
		h.render(w, r, &enrollPage{Options: enrollOptions(h.loc(r), v)})
	}
}

// signinPhoneData fills the sign-in's phone page for v; on failure it
// answers and returns nil.
func (h *Handler) signinPhoneData(w http.ResponseWriter, r *http.Request, v *mfa.TxnView) *phonePage {
	p, err := h.newPhoneData(r.Context(), h.loc(r), h.loc(r).T("Set up Text Message Code"), h.loc(r).T("Enter the mobile number where you want to receive codes."), "/signin/enroll/sms", v.Phone)
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	p.Back = &formLink{Method: "get", URL: "/signin/enroll", Label: h.loc(r).T("Back to the list")}
	return p
}

func (h *Handler) enrollPhonePage(w http.ResponseWriter, r *http.Request) {
	if v := h.txnAt(w, r, mfa.TxnMFAEnroll); v != nil {
		if p := h.signinPhoneData(w, r, v); p != nil {
			h.render(w, r, p)
		}
	}
}

func (h *Handler) enrollPhone(w http.ResponseWriter, r *http.Request) {
	tok := h.stateToken(r.Context())
	v, sent, err := h.svc.Signin.TxnEnroll(r.Context(), tok, enrollRequest(r))
	h.noteSent(r, sent)
	h.after(w, r, v, err, func(e *mfa.Error) {
		if v := h.txn(w, r); v != nil {
			if p := h.signinPhoneData(w, r, v); p != nil {
				h.phoneRefused(w, r, nil, p, e)
			}
		}
	})
}

func (h *Handler) enrollCodeData(l *Locale, v *mfa.TxnView) *codePage {
	to := ""
	if v.Factor != nil {
		to = phone.Mask(v.Factor.PhoneNumber)
	}
	p := h.newCodeData(l, codeHeading(l, v.Factor, to), "/signin/enroll/sms/code", "/signin/enroll/sms/resend", v.Pending, v.ResendAt, v.CodeLength)
	p.Back = &formLink{Method: "post", URL: "/signin/enroll/sms/back", Label: l.T("Use a different number")}
	if isCall(v.Factor) {
		p.Back.URL = "/signin/enroll/call/back"
	} else if v.Offers(mfa.FactorTypeCall) {
		p.CallAction = "/signin/enroll/sms/call"
	}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	return p
}

func (h *Handler) enrollCodePage(w http.ResponseWriter, r *http.Request) {
	if v := h.txnAt(w, r, mfa.TxnMFAEnrollActivate); v != nil {
		h.render(w, r, h.enrollCodeData(h.loc(r), v))
	}
}

// codeRefused shows the code page of the transaction again with e.
func (h *Handler) codeRefused(w http.ResponseWriter, r *http.Request, e *mfa.Error, data func(*Locale, *mfa.TxnView) *codePage) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	p := data(h.loc(r), v)
	p.common = h.refused(r, nil, e)
	h.render(w, r, p)
}

// checkCode checks the code typed on a code page with check; a refusal is
// shown on the page data builds.
func (h *Handler) checkCode(w http.ResponseWriter, r *http.Request,
	check func(ctx context.Context, stateToken, factorID, code string) (*mfa.TxnView, error), data func(*Locale, *mfa.TxnView) *codePage) {
	v, err := check(r.Context(), h.stateToken(r.Context()), "", r.PostFormValue("code"))
	h.after(w, r, v, err, func(e *mfa.Error) { h.codeRefused(w, r, e, data) })
}

// resendCode texts a new code with send and tells where it went; a refusal
// is shown on the page data builds.
func (h *Handler) resendCode(w http.ResponseWriter, r *http.Request,
	send func(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error), data func(*Locale, *mfa.TxnView) *codePage) {
	v, sent, err := send(r.Context(), h.stateToken(r.Context()), "")
	h.noteSent(r, sent)
	h.after(w, r, v, err, func(e *mfa.Error) { h.codeRefused(w, r, e, data) })
}

func (h *Handler) enrollCode(w http.ResponseWriter, r *http.Request) {
	h.checkCode(w, r, h.svc.Signin.TxnActivate, h.enrollCodeData)
}

func (h *Handler) enrollResend(w http.ResponseWriter, r *http.Request) {
	h.resendCode(w, r, h.svc.Signin.TxnResendEnroll, h.enrollCodeData)
}

func (h *Handler) enrollBack(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context()))
	if err == nil {
		redirect(w, r, "/signin/enroll/sms")
		return
	}
	h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
}
