package web

import (
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// factorState loads u's factor state; on failure it answers and reports
// false.
func (h *Handler) factorState(w http.ResponseWriter, r *http.Request, u *mfa.User) (mfa.FactorState, bool) {
	st, err := h.svc.Factors.FactorState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return st, false
	}
	return st, true
}

// withFactor loads u's factor state when u has a factor; without one it
// sends the browser to the account page. It reports whether there is one
// (false after a failure too, answered).
func (h *Handler) withFactor(w http.ResponseWriter, r *http.Request, u *mfa.User) (mfa.FactorState, bool) {
	st, loaded := h.factorState(w, r, u)
	if loaded && st.Factor == nil {
		redirect(w, r, "/account")
		return st, false
	}
	return st, loaded
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return
	}
	p := &accountPage{common: common{User: u}, Enabled: st.SMSEnabled, Active: st.Factor != nil && st.Factor.Status == mfa.FactorActive}
	if st.Factor != nil {
		p.Phone = phone.Mask(st.Factor.PhoneNumber)
	}
	cs, loaded := h.callState(w, r, u) // Voice Call (signin_call.go)
	if !loaded {
		return
	}
	if cs.Enabled || cs.Factor != nil {
		p.Call = &callSummary{Enabled: cs.Enabled, Active: cs.Factor != nil && cs.Factor.Status == mfa.FactorActive}
		if p.Call.Active {
			p.Call.Phone = phone.Mask(cs.Factor.PhoneNumber)
		}
	}
	left, err := h.svc.Factors.RecoveryCodesLeft(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ws, err := h.svc.Factors.WebAuthn(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.RecoveryLeft = left
	totp, loaded := h.userTOTP(w, r, u)
	if !loaded {
		return
	}
	p.TOTPEnabled, p.TOTPActive = st.TOTPEnabled, totp != nil && totp.Status == mfa.FactorActive
	if ws.Enabled || len(ws.Credentials) > 0 {
		p.Passkeys = &ws
	}
	h.render(w, r, p)
}

// accountPhoneData fills one of the account's phone pages for u, which
// Cancel leaves; on failure it answers and returns nil.
func (h *Handler) accountPhoneData(w http.ResponseWriter, r *http.Request, u *mfa.User, heading, intro, action string, existing *mfa.Phone) *phonePage {
	p, err := h.newPhoneData(r.Context(), h.loc(r), heading, intro, action, existing)
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	p.User = u
	p.Back = &formLink{Method: "get", URL: "/account", Label: h.loc(r).T("Cancel")}
	return p
}

func (h *Handler) setupData(w http.ResponseWriter, r *http.Request, u *mfa.User, st mfa.FactorState) *phonePage {
	return h.accountPhoneData(w, r, u, h.loc(r).T("Set up Text Message Code"), h.loc(r).T("Enter the mobile number where you want to receive codes."), "/account/sms/setup", st.Phone)
}

func (h *Handler) accountSetupPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return
	}
	if st.Factor != nil && st.Factor.Status == mfa.FactorActive {
		redirect(w, r, "/account")
		return
	}
	if p := h.setupData(w, r, u, st); p != nil {
		h.render(w, r, p)
	}
}

func (h *Handler) accountSetup(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	f, sent, err := h.svc.Factors.EnrollSMS(r.Context(), u.ID, enrollRequest(r))
	h.noteSent(r, sent)
	if f != nil {
		h.sess.Put(r.Context(), keyFactor, f.ID)
	}
	if err != nil {
		h.accountPhoneRefused(w, r, u, err, h.setupData)
		return
	}
	redirect(w, r, "/account/sms/code")
}

// accountRefused shows the refusal in err on the page show builds from
// u's factor state; an error that is not a refusal is a failure.
func (h *Handler) accountRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, err error, show func(*mfa.Error, mfa.FactorState)) {
	e, ok := isRefusal(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	if st, loaded := h.factorState(w, r, u); loaded {
		show(e, st)
	}
}

// accountPhoneRefused shows the account's phone page (data builds it)
// again with the refusal.
func (h *Handler) accountPhoneRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, err error,
	data func(http.ResponseWriter, *http.Request, *mfa.User, mfa.FactorState) *phonePage) {
	h.accountRefused(w, r, u, err, func(e *mfa.Error, st mfa.FactorState) {
		if p := data(w, r, u, st); p != nil {
			h.phoneRefused(w, r, u, p, e)
		}
	})
}

func (h *Handler) resetData(w http.ResponseWriter, r *http.Request, u *mfa.User, st mfa.FactorState) *phonePage {
	var cur *mfa.Phone
	if st.Factor != nil {
		cur = &mfa.Phone{Number: st.Factor.PhoneNumber}
	}
	return h.accountPhoneData(w, r, u, h.loc(r).T("Reset Text Message Code"), "", "/account/sms/reset", cur)
}

func (h *Handler) accountResetPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return
	}
	if st.Factor == nil || st.Factor.Status != mfa.FactorActive {
		redirect(w, r, "/account/sms/setup")
		return
	}
	h.sess.Put(r.Context(), keyInfo, h.loc(r).T("Choose the number for your codes. Your current number keeps working until the new one is verified."))
	if p := h.resetData(w, r, u, st); p != nil {
		h.render(w, r, p)
	}
}

func (h *Handler) accountReset(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, found := h.withFactor(w, r, u)
	if !found {
		return
	}
	req := enrollRequest(r)
	sent, err := h.svc.Factors.ChangePhone(r.Context(), u.ID, req)
	h.noteSent(r, sent)
	if err != nil {
		h.accountPhoneRefused(w, r, u, err, h.resetData)
		return
	}
	h.sess.Put(r.Context(), keyFactor, st.Factor.ID)
	redirect(w, r, "/account/sms/code")
}

func (h *Handler) accountCodeData(l *Locale, u *mfa.User, st mfa.FactorState) *codePage {
	to := ""
	if st.Pending != nil {
		to = phone.Mask(st.Pending.PhoneNumber)
	} else if st.Factor != nil {
		to = phone.Mask(st.Factor.PhoneNumber)
	}
	p := h.newCodeData(l, l.T("Enter the code sent to %s", to), "/account/sms/code", "/account/sms/resend", st.Pending, st.ResendAt, st.CodeLength)
	p.User = u
	p.Cancel = &formLink{Method: "get", URL: "/account", Label: l.T("Cancel")}
	return p
}

// accountFactor returns the factor being set up from the account page, or
// redirects to the account page and returns nil.
func (h *Handler) accountFactor(w http.ResponseWriter, r *http.Request, u *mfa.User) (*mfa.FactorState, string) {
	fid := h.sess.GetString(r.Context(), keyFactor)
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return nil, ""
	}
	if fid == "" || st.Factor == nil || st.Factor.ID != fid {
		redirect(w, r, "/account")
		return nil, ""
	}
	return &st, fid
}

func (h *Handler) accountCodePage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, _ := h.accountFactor(w, r, u)
	if st == nil {
		return
	}
	h.render(w, r, h.accountCodeData(h.loc(r), u, *st))
}

func (h *Handler) accountCode(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, fid := h.accountFactor(w, r, u)
	if st == nil {
		return
	}
	if _, err := h.svc.Factors.ActivateSMS(r.Context(), u.ID, fid, r.PostFormValue("code")); err != nil {
		h.accountCodeRefused(w, r, u, err)
		return
	}
	h.sess.Remove(r.Context(), keyFactor)
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Text Message Code is set up."))
	redirect(w, r, "/account")
}

func (h *Handler) accountCodeRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, err error) {
	h.accountRefused(w, r, u, err, func(e *mfa.Error, st mfa.FactorState) {
		p := h.accountCodeData(h.loc(r), u, st)
		p.common = h.refused(r, u, e)
		h.render(w, r, p)
	})
}

func (h *Handler) accountResend(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	_, fid := h.accountFactor(w, r, u)
	if fid == "" {
		return
	}
	sent, err := h.svc.Factors.ResendEnroll(r.Context(), u.ID, fid)
	h.noteSent(r, sent)
	if err != nil {
		h.accountCodeRefused(w, r, u, err)
		return
	}
	redirect(w, r, "/account/sms/code")
}

func (h *Handler) accountRemovePage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, found := h.withFactor(w, r, u)
	if !found {
		return
	}
	h.render(w, r, &removePage{common: common{User: u}, Phone: phone.Mask(st.Factor.PhoneNumber), Required: st.SMSEnabled})
}

func (h *Handler) accountRemove(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return
	}
	if st.Factor != nil {
		if err := h.svc.Factors.DeleteFactor(r.Context(), u.ID, st.Factor.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Text Message Code was removed."))
	redirect(w, r, "/account")
}
