package web

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// The account page's Google Authenticator: set up (a second factor, when
// the org allows several) and remove.

// userTOTP returns u's authenticator app factor, or nil.
func (h *Handler) userTOTP(w http.ResponseWriter, r *http.Request, u *mfa.User) (*mfa.Factor, bool) {
	fs, err := h.svc.Factors.UserFactors(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	for i := range fs {
		if fs[i].Type == mfa.FactorTypeTOTP {
			return &fs[i], true
		}
	}
	return nil, true
}

// accountTOTPSetup enrolls a new authenticator app factor and shows its
// QR code and key.
func (h *Handler) accountTOTPSetup(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	f, st, err := h.svc.Factors.EnrollTOTP(r.Context(), u.ID, mfa.TOTPProviderGoogle)
	if err != nil {
		if e, ok := isRefusal(err); ok {
			h.sess.Put(r.Context(), keyInfo, h.loc(r).Err(e))
			seeOther(w, r, "/account")
			return
		}
		h.fail(w, r, err)
		return
	}
	h.renderAccountTOTP(w, r, u, f, st, nil)
}

func (h *Handler) renderAccountTOTP(w http.ResponseWriter, r *http.Request, u *mfa.User, f *mfa.Factor, st *mfa.TOTPSetup, e *mfa.Error) {
	p, err := newTOTPSetupPage(st, u.Login)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.User, p.Action, p.FactorID = u, "/account/totp/code", f.ID
	p.Cancel = &formLink{Method: "get", URL: "/account", Label: h.loc(r).T("Cancel")}
	if e != nil {
		p.common = h.refused(r, u, e)
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, p)
}

// accountTOTPCode activates the pending factor with its first code.
func (h *Handler) accountTOTPCode(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	id := r.PostFormValue("factor")
	_, err := h.svc.Factors.ActivateSMS(r.Context(), u.ID, id, r.PostFormValue("code"))
	if err == nil {
		h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Google Authenticator is set up."))
		seeOther(w, r, "/account")
		return
	}
	e, ok := isRefusal(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	f, loaded := h.userTOTP(w, r, u)
	if !loaded {
		return
	}
	if f == nil || f.ID != id || f.Status != mfa.FactorPending {
		h.fail(w, r, e)
		return
	}
	st, err := h.svc.Factors.TOTPSetupOf(r.Context(), u.ID, f.ID, h.svc.Factors.TOTPQRKey(f))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAccountTOTP(w, r, u, f, st, e)
}

// accountTOTPRemove removes the user's authenticator app factor.
func (h *Handler) accountTOTPRemove(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	f, loaded := h.userTOTP(w, r, u)
	if !loaded {
		return
	}
	if f != nil {
		if err := h.svc.Factors.DeleteFactor(r.Context(), u.ID, f.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Google Authenticator is removed."))
	}
	seeOther(w, r, "/account")
}
