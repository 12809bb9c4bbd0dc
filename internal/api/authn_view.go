package api

import (
	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// transaction is Okta's authn transaction object. stateToken is absent on
// SUCCESS, sessionToken only there, _links absent there too.
type transaction struct {
	StateToken   string      `json:"stateToken,omitempty"`
	ExpiresAt    string      `json:"expiresAt"`
	Status       string      `json:"status"`
	SessionToken string      `json:"sessionToken,omitempty"`
	RelayState   string      `json:"relayState,omitempty"`
	Embedded     txnEmbedded `json:"_embedded"`
	Links        *txnLinks   `json:"_links,omitempty"`
}

// txnEmbedded is a transaction's _embedded: the user, and per state the
// factor in play (MFA_ENROLL_ACTIVATE, MFA_CHALLENGE) or the factors to
// choose from (MFA_ENROLL, MFA_REQUIRED).
type txnEmbedded struct {
	User    authnUser    `json:"user"`
	Factor  *authnFactor `json:"factor,omitempty"`
	Factors factorList   `json:"factors,omitempty"`
}

// factorList is _embedded.factors: enrollOptions in MFA_ENROLL,
// activeFactors in MFA_REQUIRED. A nil list inside it encodes as null (an
// MFA_REQUIRED transaction whose factor an admin removed).
type factorList interface{ factorList() }

type (
	enrollOptions []enrollOption
	activeFactors []authnFactor
)

func (enrollOptions) factorList() {}
func (activeFactors) factorList() {}

// txnLinks are a transaction's _links: cancel in every state with a state
// token, next, prev and resend in MFA_ENROLL_ACTIVATE and MFA_CHALLENGE.
type txnLinks struct {
	Next   link   `json:"next,omitzero"`
	Prev   link   `json:"prev,omitzero"`
	Resend []link `json:"resend,omitempty"`
	Cancel link   `json:"cancel"`
}

// authnUser is _embedded.user of a transaction.
type authnUser struct {
	ID              string           `json:"id"`
	PasswordChanged *string          `json:"passwordChanged"`
	Profile         authnUserProfile `json:"profile"`
}

type authnUserProfile struct {
	Login     string `json:"login"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Locale    string `json:"locale"`
	TimeZone  string `json:"timeZone"`
}

// authnFactor is a factor as the Authn API shows it (number masked); in
// MFA_REQUIRED it carries its verify link.
type authnFactor struct {
	ID         string       `json:"id"`
	FactorType string       `json:"factorType"`
	Provider   string       `json:"provider"`
	VendorName string       `json:"vendorName"`
	Profile    any          `json:"profile"`
	Embedded   any          `json:"_embedded,omitempty"`
	Links      *verifyLinks `json:"_links,omitempty"`
}

type verifyLinks struct {
	Verify link `json:"verify"`
}

// enrollOption is a factor the user may enroll: an entry of _embedded.factors
// in MFA_ENROLL, and of the Factors API catalog. In MFA_ENROLL it lists the
// verified phone on file, if any.
type enrollOption struct {
	FactorType string          `json:"factorType"`
	Provider   string          `json:"provider"`
	VendorName string          `json:"vendorName"`
	Status     string          `json:"status"`
	Enrollment string          `json:"enrollment"`
	Embedded   *phonesEmbedded `json:"_embedded,omitempty"`
	Links      enrollLinks     `json:"_links"`
}

type enrollLinks struct {
	Enroll link `json:"enroll"`
}

type phonesEmbedded struct {
	Phones []phoneEntry `json:"phones"`
}

// phoneEntry is a verified phone on file (number masked).
type phoneEntry struct {
	ID      string       `json:"id"`
	Profile phoneProfile `json:"profile"`
	Status  string       `json:"status"`
}

func embeddedUser(u mfa.User) authnUser {
	return authnUser{ID: u.ID, PasswordChanged: optTime(u.PasswordChanged), Profile: authnUserProfile{
		Login: u.Login, FirstName: u.FirstName, LastName: u.LastName, Locale: u.Locale, TimeZone: u.TimeZone}}
}

// authnFactor is f as the Authn API shows it (number masked).
func (h *Handler) authnFactor(f mfa.Factor, links *verifyLinks) authnFactor {
	if f.Type == mfa.FactorTypeWebAuthn {
		return authnFactor{ID: f.ID, FactorType: mfa.FactorTypeWebAuthn, Provider: mfa.FactorProviderFIDO, VendorName: mfa.FactorProviderFIDO, Links: links}
	}
	return authnFactor{ID: f.ID, FactorType: factorType(&f), Provider: mfa.FactorProvider, VendorName: mfa.FactorProvider,
		Profile: phoneProfile{PhoneNumber: phone.MaskOkta(f.PhoneNumber)}, Links: links}
}

// render builds the transaction object of v, with its links.
func (h *Handler) render(v *mfa.TxnView) transaction {
	t := v.Txn
	out := transaction{Status: string(t.Status), RelayState: t.RelayState, Embedded: txnEmbedded{User: embeddedUser(v.User)}}
	cancel := h.link("POST", "/api/v1/authn/cancel")
	switch t.Status {
	case mfa.TxnSuccess:
		out.SessionToken = t.SessionToken
		out.ExpiresAt = oktaTime(t.SessionTokenExpires)
		return out
	case mfa.TxnMFAEnroll:
		var opts enrollOptions
		for _, k := range v.Kinds {
			switch k.Type {
			case mfa.FactorTypeSMS:
				entry := enrollOption{FactorType: mfa.FactorTypeSMS, Provider: mfa.FactorProvider, VendorName: mfa.FactorProvider,
					Status: "NOT_SETUP", Enrollment: "REQUIRED", Links: enrollLinks{Enroll: h.link("POST", "/api/v1/authn/factors")}}
				if v.Phone != nil {
					entry.Embedded = &phonesEmbedded{Phones: []phoneEntry{{
						ID: v.Phone.ID, Profile: phoneProfile{PhoneNumber: phone.MaskOkta(v.Phone.Number)}, Status: "ACTIVE"}}}
				}
				opts = append(opts, entry)
			case mfa.FactorTypeTOTP:
				opts = append(opts, h.authnTOTPOptions()...)
			case mfa.FactorTypeCall: // optional (factors_call.go)
				opts = append(opts, h.callEnrollOption("/api/v1/authn/factors"))
			case mfa.FactorTypeWebAuthn: // factors_webauthn.go
				opts = append(opts, h.webauthnEnrollOption("/api/v1/authn/factors"))
			}
		}
		out.Embedded.Factors = opts
		out.Links = &txnLinks{Cancel: cancel}
	case mfa.TxnMFAEnrollActivate:
		h.factorInPlay(&out, v, "activate", "/lifecycle/activate", "/lifecycle/resend")
		h.webauthnInPlay(&out, v)
	case mfa.TxnMFARequired:
		var fs activeFactors
		for _, f := range v.Factors {
			vl := &verifyLinks{Verify: h.link("POST", "/api/v1/authn/factors/"+f.ID+"/verify")}
			if f.Type == mfa.FactorTypeTOTP {
				fs = append(fs, h.authnTOTPFactor(f, v.User.Login, vl, nil))
				continue
			}
			af := h.authnFactor(f, vl)
			if f.Type == mfa.FactorTypeWebAuthn {
				af.Profile = passkeyProfile(v.Passkeys)
			}
			fs = append(fs, af)
		}
		out.Embedded.Factors = fs
		out.Links = &txnLinks{Cancel: cancel}
	case mfa.TxnMFAChallenge:
		h.factorInPlay(&out, v, "verify", "/verify", "/verify/resend")
		h.webauthnInPlay(&out, v)
	}
	out.StateToken = t.StateToken
	out.ExpiresAt = oktaTime(t.Expires)
	return out
}

// factorInPlay puts the factor of an MFA_ENROLL_ACTIVATE or MFA_CHALLENGE
// transaction into out, with the links of the step: next (named next, at
// the factor's path + nextPath), prev, resend (at the factor's path +
// resendPath) and cancel. A factor removed (by an admin) while the
// transaction referred to it shows empty; the next step then fails with a
// clear error.
func (h *Handler) factorInPlay(out *transaction, v *mfa.TxnView, next, nextPath, resendPath string) {
	f := v.Factor
	if f == nil {
		f = &mfa.Factor{}
	}
	base := "/api/v1/authn/factors/" + f.ID
	af := h.authnFactor(*f, nil)
	if f.Type == mfa.FactorTypeTOTP {
		af = h.authnTOTPFactor(*f, v.User.Login, nil, v.TOTP)
	}
	out.Embedded.Factor = &af
	out.Links = &txnLinks{
		Next:   h.named(next, "POST", base+nextPath),
		Cancel: h.link("POST", "/api/v1/authn/cancel"),
		Prev:   h.link("POST", "/api/v1/authn/previous"),
		Resend: []link{h.named(factorType(f), "POST", base+resendPath)},
	}
	if f.Type == mfa.FactorTypeTOTP { // nothing is sent: no resend
		out.Links.Resend = nil
	}
}
