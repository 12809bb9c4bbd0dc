package web

import (
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// The Voice Call factor in the browser: its setup at sign-in and from the
// account page, and "Call me instead" on the text message code pages. The
// code pages themselves are the SMS factor's (they act on the factor in
// play, whatever its type).

// callPhonePage asks for the number to call and its extension.
type callPhonePage struct {
	common
	Heading   string
	Action    string
	Region    string
	Phone     string
	Extension string
	Countries []phone.Country
	Back      *formLink
}

func (callPhonePage) template() string { return "call_phone" }
func (p callPhonePage) title() string  { return p.Heading }
func (callPhonePage) titleWorded()     {}

// callSummary is the Voice Call row of the account page.
type callSummary struct {
	Enabled bool   // the org's call_enabled
	Active  bool   // the user's call factor is set up
	Phone   string // its number, masked
}

// newCallPhoneData fills the call setup page for the org's default country.
func (h *Handler) newCallPhoneData(r *http.Request, action string, back *formLink) (*callPhonePage, error) {
	set, err := h.svc.Org.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	l := h.loc(r)
	return &callPhonePage{Heading: l.T("Set up Voice Call"), Action: action, Region: set.DefaultRegion, Countries: l.Countries(), Back: back}, nil
}

// callEnrollRequest reads the call setup form.
func callEnrollRequest(r *http.Request) mfa.CallEnrollRequest {
	return mfa.CallEnrollRequest{Phone: r.PostFormValue("phone"), Region: r.PostFormValue("country"), Extension: r.PostFormValue("extension")}
}

// callPhoneRefused shows the call setup page again with e and what was typed.
func (h *Handler) callPhoneRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, action string, back *formLink, e *mfa.Error) {
	p, err := h.newCallPhoneData(r, action, back)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.common = h.refused(r, u, e)
	p.Phone, p.Extension = r.PostFormValue("phone"), r.PostFormValue("extension")
	if c := r.PostFormValue("country"); c != "" {
		p.Region = c
	}
	h.render(w, r, p)
}

// isCall reports whether f is a call factor.
func isCall(f *mfa.Factor) bool { return f != nil && f.Type == mfa.FactorTypeCall }

// codeHeading is the code page's heading for a code sent for f to number.
func codeHeading(l *Locale, f *mfa.Factor, sentTo string) string {
	if isCall(f) {
		return l.T("Enter the code from the call to %s", sentTo)
	}
	return l.T("Enter the code sent to %s", sentTo)
}

// signinCallBack is the call setup page's way back to the list of factors.
func signinCallBack(l *Locale) *formLink {
	return &formLink{Method: "get", URL: "/signin/enroll", Label: l.T("Back to the list")}
}

func (h *Handler) enrollCallPage(w http.ResponseWriter, r *http.Request) {
	v := h.txnAt(w, r, mfa.TxnMFAEnroll)
	if v == nil {
		return
	}
	if !v.Offers(mfa.FactorTypeCall) {
		redirect(w, r, "/signin/enroll")
		return
	}
	p, err := h.newCallPhoneData(r, "/signin/enroll/call", signinCallBack(h.loc(r)))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, p)
}

func (h *Handler) enrollCall(w http.ResponseWriter, r *http.Request) {
	v, sent, err := h.svc.Signin.TxnEnrollCall(r.Context(), h.stateToken(r.Context()), callEnrollRequest(r))
	h.noteSent(r, sent)
	h.after(w, r, v, err, func(e *mfa.Error) { h.callPhoneRefused(w, r, nil, "/signin/enroll/call", signinCallBack(h.loc(r)), e) })
}

// enrollCallBack leaves the code page of a call enrollment for another number.
func (h *Handler) enrollCallBack(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context()))
	if err == nil {
		redirect(w, r, "/signin/enroll/call")
		return
	}
	h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
}

// callInstead is "Call me instead" on a sign-in code page: a call with a
// new code for the factor in play; a refusal shows on the page data builds.
func (h *Handler) callInstead(data func(*Locale, *mfa.TxnView) *codePage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, sent, err := h.svc.Signin.TxnCallInstead(r.Context(), h.stateToken(r.Context()))
		h.noteSent(r, sent)
		h.after(w, r, v, err, func(e *mfa.Error) { h.codeRefused(w, r, e, data) })
	}
}

// The account page's Voice Call.

// accountCallBack is the account's call pages' way back to the account.
func accountCallBack(l *Locale) *formLink {
	return &formLink{Method: "get", URL: "/account", Label: l.T("Cancel")}
}

// callState loads u's call factor; on failure it answers and reports false.
func (h *Handler) callState(w http.ResponseWriter, r *http.Request, u *mfa.User) (mfa.CallState, bool) {
	st, err := h.svc.Factors.CallState(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return st, false
	}
	return st, true
}

func (h *Handler) accountCallSetupPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, ok := h.callState(w, r, u)
	if !ok {
		return
	}
	if !st.Enabled || (st.Factor != nil && st.Factor.Status == mfa.FactorActive) {
		redirect(w, r, "/account")
		return
	}
	p, err := h.newCallPhoneData(r, "/account/call/setup", accountCallBack(h.loc(r)))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.User = u
	h.render(w, r, p)
}

func (h *Handler) accountCallSetup(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	_, sent, err := h.svc.Factors.EnrollCall(r.Context(), u.ID, callEnrollRequest(r))
	h.noteSent(r, sent)
	if err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.callPhoneRefused(w, r, u, "/account/call/setup", accountCallBack(h.loc(r)), e)
		return
	}
	redirect(w, r, "/account/call/code")
}

// accountCallCodeData fills the code page of a call factor being set up.
func (h *Handler) accountCallCodeData(l *Locale, u *mfa.User, st mfa.CallState) *codePage {
	to := ""
	if st.Factor != nil {
		to = phone.Mask(st.Factor.PhoneNumber)
	}
	p := h.newCodeData(l, codeHeading(l, st.Factor, to), "/account/call/code", "/account/call/resend", st.Pending, st.ResendAt, st.CodeLength)
	p.User = u
	p.Cancel = accountCallBack(l)
	return p
}

// pendingCall loads u's call factor being set up; without one it sends the
// browser to the account page.
func (h *Handler) pendingCall(w http.ResponseWriter, r *http.Request, u *mfa.User) (mfa.CallState, bool) {
	st, ok := h.callState(w, r, u)
	if ok && (st.Factor == nil || st.Factor.Status != mfa.FactorPending) {
		redirect(w, r, "/account")
		return st, false
	}
	return st, ok
}

func (h *Handler) accountCallCodePage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	if st, ok := h.pendingCall(w, r, u); ok {
		h.render(w, r, h.accountCallCodeData(h.loc(r), u, st))
	}
}

// accountCallRefused shows the call code page again with err's refusal.
func (h *Handler) accountCallRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, err error) {
	e, ok := isRefusal(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	if st, ok := h.pendingCall(w, r, u); ok {
		p := h.accountCallCodeData(h.loc(r), u, st)
		p.common = h.refused(r, u, e)
		h.render(w, r, p)
	}
}

func (h *Handler) accountCallCode(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, ok := h.pendingCall(w, r, u)
	if !ok {
		return
	}
	if _, err := h.svc.Factors.ActivateSMS(r.Context(), u.ID, st.Factor.ID, r.PostFormValue("code")); err != nil {
		h.accountCallRefused(w, r, u, err)
		return
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Voice Call is set up."))
	redirect(w, r, "/account")
}

func (h *Handler) accountCallResend(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, ok := h.pendingCall(w, r, u)
	if !ok {
		return
	}
	sent, err := h.svc.Factors.ResendEnroll(r.Context(), u.ID, st.Factor.ID)
	h.noteSent(r, sent)
	if err != nil {
		h.accountCallRefused(w, r, u, err)
		return
	}
	redirect(w, r, "/account/call/code")
}

func (h *Handler) accountCallRemove(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	st, ok := h.callState(w, r, u)
	if !ok {
		return
	}
	if st.Factor != nil {
		if err := h.svc.Factors.DeleteFactor(r.Context(), u.ID, st.Factor.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Voice Call was removed."))
	}
	redirect(w, r, "/account")
}

// voiceLine is the admin overview's count of today's calls.
type voiceLine struct{ Calls, Budget int }

// voiceLineOf is the overview's voice line, or nil while calls are off and
// none was made today.
func voiceLineOf(o mfa.Overview) *voiceLine {
	if !o.CallEnabled && o.CallsToday == 0 {
		return nil
	}
	return &voiceLine{Calls: o.CallsToday, Budget: o.VoiceBudget}
}
