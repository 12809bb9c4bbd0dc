package web

import "net/http"

// routes registers every page of the UI: reading it is reading the site map.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /static/{hash}/{file}", h.static)
	m.HandleFunc("GET /{$}", h.home)

	m.HandleFunc("GET /setup", h.setupPage)
	m.HandleFunc("POST /setup", h.setup)
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.logout)
	m.HandleFunc("GET /login/sessionCookieRedirect", h.sessionCookieRedirect)
	m.HandleFunc("POST /signin/cancel", h.cancel)
	m.HandleFunc("GET /signin/enroll", h.enrollList)
	m.HandleFunc("GET /signin/enroll/sms", h.enrollPhonePage)
	m.HandleFunc("POST /signin/enroll/sms", h.enrollPhone)
	m.HandleFunc("GET /signin/enroll/sms/code", h.enrollCodePage)
	m.HandleFunc("POST /signin/enroll/sms/code", h.enrollCode)
	m.HandleFunc("POST /signin/enroll/sms/resend", h.enrollResend)
	m.HandleFunc("POST /signin/enroll/sms/back", h.enrollBack)
	m.HandleFunc("GET /signin/verify", h.verifyPage)
	m.HandleFunc("POST /signin/verify/send", h.verifySend)
	m.HandleFunc("POST /signin/verify", h.verifyCode)
	m.HandleFunc("POST /signin/verify/resend", h.verifyResend)
	m.HandleFunc("GET /signin/enroll/totp", h.enrollTOTPIntro)
	m.HandleFunc("POST /signin/enroll/totp", h.enrollTOTP)
	m.HandleFunc("GET /signin/enroll/totp/code", h.enrollTOTPCodePage)
	m.HandleFunc("POST /signin/enroll/totp/code", h.enrollTOTPCode)
	m.HandleFunc("POST /signin/enroll/totp/back", h.enrollTOTPBack)
	m.HandleFunc("POST /signin/verify/totp", h.verifyTOTP)
	m.HandleFunc("GET /signin/verify/choose", h.chooseFactorPage)
	m.HandleFunc("POST /signin/verify/choose", h.chooseFactor)
	m.HandleFunc("GET /signin/verify/recovery", h.recoveryVerifyPage)
	m.HandleFunc("POST /signin/verify/recovery", h.recoveryVerify)
	m.HandleFunc("GET /account/recovery", h.requireUser(h.requireRecent(h.accountRecoveryPage)))
	m.HandleFunc("POST /account/recovery", h.requireUser(h.requireRecent(h.accountRecovery)))
	m.HandleFunc("POST /account/totp/setup", h.requireUser(h.requireRecent(h.accountTOTPSetup)))
	m.HandleFunc("POST /account/totp/code", h.requireUser(h.accountTOTPCode))
	m.HandleFunc("POST /account/totp/remove", h.requireUser(h.requireRecent(h.accountTOTPRemove)))

	m.HandleFunc("GET /account", h.requireUser(h.account))
	m.HandleFunc("GET /account/confirm", h.requireUser(h.confirmPage))
	m.HandleFunc("POST /account/confirm", h.requireUser(h.confirm))
	m.HandleFunc("GET /account/sms/setup", h.requireUser(h.requireRecent(h.accountSetupPage)))
	m.HandleFunc("POST /account/sms/setup", h.requireUser(h.requireRecent(h.accountSetup)))
	m.HandleFunc("GET /account/sms/reset", h.requireUser(h.requireRecent(h.accountResetPage)))
	m.HandleFunc("POST /account/sms/reset", h.requireUser(h.requireRecent(h.accountReset)))
	m.HandleFunc("GET /account/sms/code", h.requireUser(h.accountCodePage))
	m.HandleFunc("POST /account/sms/code", h.requireUser(h.accountCode))
	m.HandleFunc("POST /account/sms/resend", h.requireUser(h.accountResend))
	m.HandleFunc("GET /account/sms/remove", h.requireUser(h.requireRecent(h.accountRemovePage)))
	m.HandleFunc("POST /account/sms/remove", h.requireUser(h.requireRecent(h.accountRemove)))

	// Voice Call (signin_call.go).
	m.HandleFunc("GET /signin/enroll/call", h.enrollCallPage)
	m.HandleFunc("POST /signin/enroll/call", h.enrollCall)
	m.HandleFunc("POST /signin/enroll/call/back", h.enrollCallBack)
	m.HandleFunc("POST /signin/enroll/sms/call", h.callInstead(h.enrollCodeData))
	m.HandleFunc("POST /signin/verify/call", h.callInstead(h.verifyCodeData))
	m.HandleFunc("GET /account/call/setup", h.requireUser(h.requireRecent(h.accountCallSetupPage)))
	m.HandleFunc("POST /account/call/setup", h.requireUser(h.requireRecent(h.accountCallSetup)))
	m.HandleFunc("GET /account/call/code", h.requireUser(h.accountCallCodePage))
	m.HandleFunc("POST /account/call/code", h.requireUser(h.accountCallCode))
	m.HandleFunc("POST /account/call/resend", h.requireUser(h.accountCallResend))
	m.HandleFunc("POST /account/call/remove", h.requireUser(h.requireRecent(h.accountCallRemove)))
	// webauthn (passkeys)
	m.HandleFunc("GET /signin/enroll/webauthn", h.enrollPasskeyPage)
	m.HandleFunc("POST /signin/enroll/webauthn", h.enrollPasskey)
	m.HandleFunc("GET /signin/verify/webauthn", h.verifyPasskeyPage)
	m.HandleFunc("POST /signin/verify/webauthn", h.verifyPasskey)
	m.HandleFunc("POST /signin/enroll/webauthn/back", h.enrollPasskeyBack)
	m.HandleFunc("GET /account/webauthn/setup", h.requireUser(h.requireRecent(h.accountPasskeyPage)))
	m.HandleFunc("POST /account/webauthn/setup", h.requireUser(h.requireRecent(h.accountPasskey)))
	m.HandleFunc("POST /account/webauthn/remove", h.requireUser(h.requireRecent(h.accountPasskeyRemove)))

	if h.op != nil {
		m.HandleFunc("GET /signin/oidc", h.oidcSignin)
		m.HandleFunc("GET /oauth2/v1/logout", h.oidcLogout)
		m.HandleFunc("GET /oauth2/default/v1/logout", h.oidcLogout)
	}

	h.adminRoutes(m)
	if h.pool != nil {
		h.telephonyRoutes(m)
	}

	if h.dev != nil {
		m.HandleFunc("GET /dev/sms", h.devPage)
		m.HandleFunc("GET /dev/sms/messages", h.devMessages)
	}
	m.HandleFunc("POST /lang", h.setLanguage)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		l := h.loc(r)
		h.message(w, r, http.StatusNotFound, messagePage{Heading: l.T("Page not found"), Text: l.T("There is no page at this address."), Link: "/", LinkLabel: l.T("Go to the start page")})
	})
}
