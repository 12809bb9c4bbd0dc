package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"smsmfa/internal/mfa"
	"smsmfa/internal/randid"
)

// The webauthn factor (passkeys) in the browser: setup at sign-in and on
// the account page, and verification at sign-in. The options come from
// the server in the form's data-options; static/webauthn.js (the UI's only
// script, on these pages only) calls navigator.credentials and posts the
// answer back in the form's credential field.

// passkeyPage is a passkey ceremony: create (setup) or get (sign-in).
type passkeyPage struct {
	common
	Heading, Intro string
	Form           passkeyForm
	Back           *formLink
	Cancel         *formLink
	Other          *formLink // another way to verify
}

type passkeyForm struct {
	Action   string
	Ceremony string // "create" or "get"
	Options  string // the options as JSON
	Button   string
}

func (passkeyPage) template() string { return "passkey" }
func (p passkeyPage) title() string  { return p.Heading }
func (passkeyPage) titleWorded()     {}

// scripted marks the pages that run the passkey script.
type scripted interface{ passkeyScript() }

func (passkeyPage) passkeyScript() {}

func optionsJSON(o any) string {
	b, err := json.Marshal(o)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// credentialPost is what the script posts: the PublicKeyCredential, its
// binary fields unpadded base64url.
type credentialPost struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		ClientDataJSON    string   `json:"clientDataJSON"`
		AttestationObject string   `json:"attestationObject"`
		Transports        []string `json:"transports"`
		AuthenticatorData string   `json:"authenticatorData"`
		Signature         string   `json:"signature"`
		UserHandle        string   `json:"userHandle"`
	} `json:"response"`
}

func noAnswer() *mfa.Error {
	return mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "No answer came from a passkey. Select the button and follow your browser's steps (this page needs JavaScript).")
}

func readCredential(r *http.Request) (*credentialPost, *mfa.Error) {
	raw := r.PostFormValue("credential")
	if raw == "" {
		return nil, noAnswer()
	}
	var c credentialPost
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.Response.ClientDataJSON == "" {
		return nil, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "The answer from your passkey could not be read. Try again.")
	}
	return &c, nil
}

func b64u(s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return []byte{} // not empty-vs-nil sensitive: the check fails on it
	}
	return b
}

func (c *credentialPost) attestation() mfa.AttestationInput {
	return mfa.AttestationInput{ClientDataJSON: b64u(c.Response.ClientDataJSON), AttestationObject: b64u(c.Response.AttestationObject), Transports: c.Response.Transports}
}

func (c *credentialPost) assertion() mfa.AssertionInput {
	in := mfa.AssertionInput{CredentialID: b64u(c.RawID), ClientDataJSON: b64u(c.Response.ClientDataJSON),
		AuthenticatorData: b64u(c.Response.AuthenticatorData), Signature: b64u(c.Response.Signature)}
	if c.Response.UserHandle != "" {
		in.UserHandle = b64u(c.Response.UserHandle)
	}
	return in
}

func setupPasskeyPage(l *Locale, opts *mfa.CreationOptions, action string) *passkeyPage {
	return &passkeyPage{Heading: l.T("Set up Security Key or Biometric Authenticator"),
		Intro: l.T("Create a passkey on this device or on a security key. You will use it to verify it's you when you sign in."),
		Form:  passkeyForm{Action: action, Ceremony: "create", Options: optionsJSON(opts), Button: l.T("Create a passkey")}}
}

// enrollPasskeyPage starts a passkey setup in the sign-in (MFA_ENROLL, or
// again in MFA_ENROLL_ACTIVATE of the passkey) and shows its page.
func (h *Handler) enrollPasskeyPage(w http.ResponseWriter, r *http.Request) {
	if !startedHere(r) {
		redirect(w, r, "/signin/enroll")
		return
	}
	h.showEnrollPasskey(w, r, nil)
}

// startedHere reports whether a GET that starts a passkey ceremony (it
// moves the sign-in on a step) comes from the user on this site: not from
// another site's page nor a browser's prefetch (Sec-Fetch-Site,
// Sec-Purpose). A browser that sends neither header is believed.
func startedHere(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	return !strings.Contains(r.Header.Get("Sec-Purpose"), "prefetch") && !strings.Contains(r.Header.Get("Purpose"), "prefetch")
}

func (h *Handler) showEnrollPasskey(w http.ResponseWriter, r *http.Request, refusal *mfa.Error) {
	v, err := h.svc.Signin.TxnWebAuthnEnroll(r.Context(), h.stateToken(r.Context()))
	if err != nil {
		h.after(w, r, v, err, func(e *mfa.Error) {
			if cur := h.txn(w, r); cur != nil {
				p := &enrollPage{Options: enrollOptions(h.loc(r), cur), common: h.refused(r, nil, e)}
				h.render(w, r, p)
			}
		})
		return
	}
	l := h.loc(r)
	p := setupPasskeyPage(l, v.Creation, "/signin/enroll/webauthn")
	if refusal != nil {
		p.common = h.refused(r, nil, refusal)
	}
	p.Back = &formLink{Method: "post", URL: "/signin/enroll/webauthn/back", Label: l.T("Back to the list")}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	h.render(w, r, p)
}

func (h *Handler) enrollPasskey(w http.ResponseWriter, r *http.Request) {
	c, e := readCredential(r)
	if e != nil {
		h.showEnrollPasskey(w, r, e)
		return
	}
	v, err := h.svc.Signin.TxnWebAuthnActivate(r.Context(), h.stateToken(r.Context()), "", c.attestation(), r.PostFormValue("name"))
	h.after(w, r, v, err, func(e *mfa.Error) { h.showEnrollPasskey(w, r, e) })
}

// enrollPasskeyBack leaves the passkey setup for the list of factors.
func (h *Handler) enrollPasskeyBack(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Signin.TxnPrevious(r.Context(), h.stateToken(r.Context()))
	if err == nil {
		redirect(w, r, "/signin/enroll")
		return
	}
	h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
}

// verifyPasskeyPage starts a passkey sign-in and shows its page.
func (h *Handler) verifyPasskeyPage(w http.ResponseWriter, r *http.Request) {
	if !startedHere(r) {
		redirect(w, r, "/signin/verify/choose")
		return
	}
	h.showVerifyPasskey(w, r, nil)
}

func (h *Handler) showVerifyPasskey(w http.ResponseWriter, r *http.Request, refusal *mfa.Error) {
	v, err := h.svc.Signin.TxnWebAuthnChallenge(r.Context(), h.stateToken(r.Context()), "")
	if err != nil {
		h.after(w, r, v, err, func(e *mfa.Error) { h.fail(w, r, e) })
		return
	}
	l := h.loc(r)
	p := &passkeyPage{Heading: l.T("Verify it's you"), Intro: l.T("Use your passkey: Security Key or Biometric Authenticator."),
		Form: passkeyForm{Action: "/signin/verify/webauthn", Ceremony: "get", Options: optionsJSON(v.Request), Button: l.T("Verify with a passkey")}}
	if refusal != nil {
		p.common = h.refused(r, nil, refusal)
	}
	if anotherWay(v) {
		p.Other = &formLink{Method: "get", URL: "/signin/verify/choose", Label: l.T("Verify another way")}
	}
	p.Cancel = &formLink{Method: "post", URL: "/signin/cancel", Label: l.T("Back to sign in")}
	h.render(w, r, p)
}

func (h *Handler) verifyPasskey(w http.ResponseWriter, r *http.Request) {
	c, e := readCredential(r)
	if e != nil {
		h.showVerifyPasskey(w, r, e)
		return
	}
	v, err := h.svc.Signin.TxnWebAuthnVerify(r.Context(), h.stateToken(r.Context()), "", c.assertion())
	h.after(w, r, v, err, func(e *mfa.Error) { h.showVerifyPasskey(w, r, e) })
}

// Account page.

// keyPasskeyScope is the session key of the account page's passkey scope.
const keyPasskeyScope = "wa_scope"

// passkeyScope is the scope of the account page's passkey ceremonies: a
// value kept in this browser session, so another session cannot answer
// them.
func (h *Handler) passkeyScope(r *http.Request) string {
	s := h.sess.GetString(r.Context(), keyPasskeyScope)
	if s == "" {
		s = randid.New(rand.Reader).Token("ws")
		h.sess.Put(r.Context(), keyPasskeyScope, s)
	}
	return "web:" + s
}

func (h *Handler) accountPasskeyPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	if !startedHere(r) {
		redirect(w, r, "/account")
		return
	}
	h.showAccountPasskey(w, r, u, nil)
}

func (h *Handler) showAccountPasskey(w http.ResponseWriter, r *http.Request, u *mfa.User, refusal *mfa.Error) {
	_, opts, err := h.svc.Factors.BeginWebAuthnEnroll(r.Context(), u.ID, h.passkeyScope(r), false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := h.loc(r)
	p := setupPasskeyPage(l, opts, "/account/webauthn/setup")
	p.User = u
	if refusal != nil {
		p.common = h.refused(r, u, refusal)
	}
	p.Back = &formLink{Method: "get", URL: "/account", Label: l.T("Cancel")}
	h.render(w, r, p)
}

func (h *Handler) accountPasskey(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	c, e := readCredential(r)
	if e != nil {
		h.showAccountPasskey(w, r, u, e)
		return
	}
	_, cred, err := h.svc.Factors.FinishWebAuthnEnroll(r.Context(), u.ID, h.passkeyScope(r), c.attestation(), r.PostFormValue("name"))
	if err != nil {
		if e, ok := isRefusal(err); ok {
			h.showAccountPasskey(w, r, u, e)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Passkey \"%s\" added.", cred.Name))
	redirect(w, r, "/account")
}

func (h *Handler) accountPasskeyRemove(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	if err := h.svc.Factors.RemoveWebAuthnCredential(r.Context(), u.ID, r.PostFormValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Passkey removed. It can no longer be used to sign in."))
	redirect(w, r, "/account")
}
