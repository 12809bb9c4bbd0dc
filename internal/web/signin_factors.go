package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"slices"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// factorUI is how the sign-in pages show a factor kind: its name, a line
// about it, its icon template and where its setup starts. factorUIs is
// keyed by factor type; a kind added to mfa.FactorKinds adds its entry
// here (with its own pages) to appear on "Extra verification is
// required" and under "Verify another way".
type factorUI struct {
	Label, Hint, Icon, SetupURL string
}

var factorUIs = map[string]factorUI{
	mfa.FactorTypeSMS:      {Label: msgKey("Text Message Code"), Hint: msgKey("Enter a single-use code sent to your mobile phone."), Icon: "sms", SetupURL: "/signin/enroll/sms"},
	mfa.FactorTypeTOTP:     {Label: msgKey("Google Authenticator"), Hint: msgKey("Enter a temporary code generated from an authenticator app on your phone."), Icon: "totp", SetupURL: "/signin/enroll/totp"},
	mfa.FactorTypeWebAuthn: {Label: msgKey("Security Key or Biometric Authenticator"), Hint: msgKey("Use a passkey: your device's fingerprint, face or screen lock, or a security key."), Icon: "webauthn", SetupURL: "/signin/enroll/webauthn"},
	mfa.FactorTypeCall:     {Label: msgKey("Voice Call"), Hint: msgKey("Get a call that reads a single-use code out. A landline works too."), Icon: "call", SetupURL: "/signin/enroll/call"},
}

// worded is ui with its label and hint in l's language.
func (ui factorUI) worded(l *Locale) factorUI {
	ui.Label, ui.Hint = l.T(ui.Label), l.T(ui.Hint)
	return ui
}

// factorOption is one entry of a list of factors on a page.
type factorOption struct {
	factorUI
	ID   string // a user's factor (Verify another way); "" for a kind
	What string // e.g. the masked number
}

// enrollOptions are the kinds the org offers, in FactorKinds order.
func enrollOptions(l *Locale, v *mfa.TxnView) []factorOption {
	var out []factorOption
	for _, k := range v.Kinds {
		if ui, ok := factorUIs[k.Type]; ok {
			out = append(out, factorOption{factorUI: ui.worded(l)})
		}
	}
	return out
}

// userOptions are the user's usable factors, the one offered first first.
func userOptions(l *Locale, v *mfa.TxnView) []factorOption {
	var out []factorOption
	for _, f := range v.Factors {
		ui, ok := factorUIs[f.Type]
		if !ok {
			continue
		}
		o := factorOption{factorUI: ui.worded(l), ID: f.ID}
		if f.Type == mfa.FactorTypeSMS || f.Type == mfa.FactorTypeCall {
			o.What = phone.Mask(f.PhoneNumber)
		}
		out = append(out, o)
	}
	return out
}

// chosenFactor is the factor the sign-in offers: the one named by the
// query's factor (picked under "Verify another way") when the user has
// it, else the first (most recently set up).
func chosenFactor(r *http.Request, v *mfa.TxnView) *mfa.Factor {
	if len(v.Factors) == 0 {
		return nil
	}
	want := r.URL.Query().Get("factor")
	if i := slices.IndexFunc(v.Factors, func(f mfa.Factor) bool { return f.ID == want }); i >= 0 {
		return &v.Factors[i]
	}
	return &v.Factors[0]
}

// anotherWay reports whether the sign-in has more than one way: several
// factors, or recovery codes.
func anotherWay(v *mfa.TxnView) bool { return len(v.Factors) > 1 || v.RecoveryLeft > 0 }

// chooseFactorPage is "Verify another way": the user's factors, and
// "Use a recovery code" while the user has some.
type chooseFactorPage struct {
	common
	Options  []factorOption
	Recovery bool
}

func (chooseFactorPage) template() string { return "verify_choose" }
func (chooseFactorPage) title() string    { return "Verify another way" }

func (h *Handler) chooseFactorPage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status != mfa.TxnMFARequired && v.Txn.Status != mfa.TxnMFAChallenge {
		h.next(w, r, v)
		return
	}
	h.render(w, r, &chooseFactorPage{Options: userOptions(h.loc(r), v), Recovery: v.RecoveryLeft > 0})
}

// chooseFactor goes back from a code being checked (MFA_CHALLENGE) to the
// choice, then to the verify page of the factor picked.
func (h *Handler) chooseFactor(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status == mfa.TxnMFAChallenge {
		var err error
		if v, err = h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context())); err != nil {
			h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
			return
		}
	}
	if v.Txn.Status != mfa.TxnMFARequired {
		h.next(w, r, v)
		return
	}
	id := r.PostFormValue("factor")
	if !slices.ContainsFunc(v.Factors, func(f mfa.Factor) bool { return f.ID == id }) {
		redirect(w, r, "/signin/verify")
		return
	}
	seeOther(w, r, "/signin/verify?factor="+id)
}

// totpSetupPage is the authenticator app setup: the QR code (a PNG in
// the page, no script), the secret as text and the first code.
type totpSetupPage struct {
	common
	QR       template.URL // data:image/png;base64,…
	Secret   string       // grouped by four
	Label    string       // the account's label in the app
	Action   string       // where the code goes
	FactorID string       // the factor, on the account page
	Back     *formLink
	Cancel   *formLink
}

func (totpSetupPage) template() string { return "totp_setup" }
func (totpSetupPage) title() string    { return "Set up Google Authenticator" }

// totpIntroPage starts the setup (a form: enrolling changes state).
type totpIntroPage struct{ common }

func (totpIntroPage) template() string { return "totp_intro" }
func (totpIntroPage) title() string    { return "Set up Google Authenticator" }

// totpCodePage asks for an authenticator app code at sign-in.
type totpCodePage struct {
	common
	FactorID string
	Another  bool // the user has other factors: "Verify another way"
}

func (totpCodePage) template() string { return "totp_verify" }
func (totpCodePage) title() string    { return "Verify it's you" }

func (h *Handler) enrollTOTPIntro(w http.ResponseWriter, r *http.Request) {
	if h.txnAt(w, r, mfa.TxnMFAEnroll) != nil {
		h.render(w, r, &totpIntroPage{})
	}
}

func (h *Handler) enrollTOTP(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnEnrollTOTP(r.Context(), h.stateToken(r.Context()), mfa.TOTPProviderGoogle)
	h.after(w, r, v, err, func(e *mfa.Error) {
		p := &totpIntroPage{}
		p.common = h.refused(r, nil, e)
		h.render(w, r, p)
	})
}

// totpSetupData builds the setup page of v's pending factor.
func (h *Handler) totpSetupData(l *Locale, v *mfa.TxnView) (*totpSetupPage, error) {
	if v.TOTP == nil {
		return nil, mfa.Errorf(mfa.EForbidden, mfa.RWrongState, "No authenticator app is being set up.")
	}
	p, err := newTOTPSetupPage(v.TOTP, v.User.Login)
	if err != nil {
		return nil, err
	}
	p.Action = "/signin/enroll/totp/code"
	p.Back = &formLink{Method: "post", URL: "/signin/enroll/totp/back", Label: l.T("Back to the list")}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	return p, nil
}

// newTOTPSetupPage is the setup page of st for the account login.
func newTOTPSetupPage(st *mfa.TOTPSetup, login string) (*totpSetupPage, error) {
	png, err := st.QRCode(220)
	if err != nil {
		return nil, mfa.Internal("qr code", err)
	}
	return &totpSetupPage{QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Secret: st.GroupedSecret(), Label: login}, nil
}

func (h *Handler) enrollTOTPCodePage(w http.ResponseWriter, r *http.Request) {
	v := h.txnAt(w, r, mfa.TxnMFAEnrollActivate)
	if v == nil {
		return
	}
	p, err := h.totpSetupData(h.loc(r), v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, p)
}

func (h *Handler) enrollTOTPCode(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnActivate(r.Context(), h.stateToken(r.Context()), "", r.PostFormValue("code"))
	h.after(w, r, v, err, func(e *mfa.Error) {
		cur := h.txn(w, r)
		if cur == nil {
			return
		}
		p, err := h.totpSetupData(h.loc(r), cur)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.common = h.refused(r, nil, e)
		h.render(w, r, p)
	})
}

func (h *Handler) enrollTOTPBack(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context()))
	if err == nil {
		redirect(w, r, "/signin/enroll")
		return
	}
	h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
}

// verifyTOTP checks an authenticator app code at sign-in.
func (h *Handler) verifyTOTP(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("factor")
	v, err := h.svc.Signin.TxnVerify(r.Context(), h.stateToken(r.Context()), id, r.PostFormValue("code"))
	h.after(w, r, v, err, func(e *mfa.Error) {
		cur := h.txn(w, r)
		if cur == nil {
			return
		}
		p := &totpCodePage{FactorID: id, Another: anotherWay(cur)}
		p.common = h.refused(r, nil, e)
		h.render(w, r, p)
	})
}

// recoveryVerifyPage asks for a recovery code at sign-in.
type recoveryVerifyPage struct{ common }

func (recoveryVerifyPage) template() string { return "recovery_verify" }
func (recoveryVerifyPage) title() string    { return "Use a recovery code" }

func (h *Handler) recoveryVerifyPage(w http.ResponseWriter, r *http.Request) {
	v := h.txn(w, r)
	if v == nil {
		return
	}
	if v.Txn.Status != mfa.TxnMFARequired && v.Txn.Status != mfa.TxnMFAChallenge {
		h.next(w, r, v)
		return
	}
	h.render(w, r, &recoveryVerifyPage{})
}

func (h *Handler) recoveryVerify(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnVerifyRecovery(r.Context(), h.stateToken(r.Context()), r.PostFormValue("code"))
	h.after(w, r, v, err, func(e *mfa.Error) {
		if h.txn(w, r) == nil {
			return
		}
		h.render(w, r, &recoveryVerifyPage{common: h.refused(r, nil, e)})
	})
}

// recoveryCodesPage shows a new set of recovery codes, once.
type recoveryCodesPage struct {
	common
	Codes []string
}

func (recoveryCodesPage) template() string { return "recovery_codes" }
func (recoveryCodesPage) title() string    { return "Your recovery codes" }

func (h *Handler) accountRecovery(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	codes, err := h.svc.Factors.RegenerateRecoveryCodes(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &recoveryCodesPage{common: common{User: u}}
	for _, c := range codes {
		p.Codes = append(p.Codes, mfa.FormatRecoveryCode(c))
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, p)
}

// accountRecoveryPage confirms before new codes replace the old ones.
func (h *Handler) accountRecoveryPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.render(w, r, &recoveryCodesPage{common: common{User: u}})
}
