package web

import (
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

func (h *Handler) enrollList(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status != mfa.TxnMFAEnroll {
		h.next(w, r, v)
		return
	}
	h.render(w, r, &enrollPage{})
}

func (h *Handler) signinPhoneData(r *http.Request, v *mfa.TxnView) (*phonePage, error) {
	p, err := h.newPhoneData(r.Context(), "Set up Text Message Code", "Enter the mobile number where you want to receive codes.", "/signin/enroll/sms", v.Phone)
	if err != nil {
		return nil, err
	}
	p.Back = &formLink{Method: "get", URL: "/signin/enroll", Label: "Back to the list"}
	return p, nil
}

func (h *Handler) enrollPhonePage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status != mfa.TxnMFAEnroll {
		h.next(w, r, v)
		return
	}
	p, err := h.signinPhoneData(r, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, p)
}

func (h *Handler) enrollPhone(w http.ResponseWriter, r *http.Request) {
	tok := h.stateToken(r.Context())
	v, sent, err := h.svc.Signin.TxnEnroll(r.Context(), tok, enrollRequest(r))
	h.noteSent(r.Context(), sent)
	h.after(w, r, v, err, func(e *mfa.Error) {
		v := h.txn(w, r)
		if v == nil {
			return
		}
		p, err := h.signinPhoneData(r, v)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.phoneRefused(w, r, nil, p, e)
	})
}

func (h *Handler) enrollCodeData(v *mfa.TxnView) *codePage {
	to := ""
	if v.Factor != nil {
		to = phone.Mask(v.Factor.PhoneNumber)
	}
	p := h.newCodeData("Enter the code sent to "+to, "/signin/enroll/sms/code", "/signin/enroll/sms/resend", v.Pending, v.ResendAt, v.CodeLength)
	p.Back = &formLink{Method: "post", URL: "/signin/enroll/sms/back", Label: "Use a different number"}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: "Back to sign in"}
	return p
}

func (h *Handler) enrollCodePage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status != mfa.TxnMFAEnrollActivate {
		h.next(w, r, v)
		return
	}
	h.render(w, r, h.enrollCodeData(v))
}

// codeRefused shows the code page of the transaction again with e.
func (h *Handler) codeRefused(w http.ResponseWriter, r *http.Request, e *mfa.Error, data func(*mfa.TxnView) *codePage) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	p := data(v)
	p.common = refused(nil, e)
	h.render(w, r, p)
}

func (h *Handler) enrollCode(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnActivate(r.Context(), h.stateToken(r.Context()), "", r.PostFormValue("code"))
	h.after(w, r, v, err, func(e *mfa.Error) { h.codeRefused(w, r, e, h.enrollCodeData) })
}

func (h *Handler) enrollResend(w http.ResponseWriter, r *http.Request) {
	v, sent, err := h.svc.Signin.TxnResendEnroll(r.Context(), h.stateToken(r.Context()), "")
	h.noteSent(r.Context(), sent)
	h.after(w, r, v, err, func(e *mfa.Error) { h.codeRefused(w, r, e, h.enrollCodeData) })
}

func (h *Handler) enrollBack(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context()))
	if err == nil {
		redirect(w, r, "/signin/enroll/sms")
		return
	}
	h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
}
