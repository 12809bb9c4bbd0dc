package api

import (
	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// authnUser is _embedded.user of a transaction.
type authnUser struct {
	ID              string         `json:"id"`
	PasswordChanged *string        `json:"passwordChanged"`
	Profile         map[string]any `json:"profile"`
}

// transaction is Okta's authn transaction object.
type transaction struct {
	StateToken   string         `json:"stateToken,omitempty"`
	ExpiresAt    string         `json:"expiresAt"`
	Status       string         `json:"status"`
	SessionToken string         `json:"sessionToken,omitempty"`
	RelayState   string         `json:"relayState,omitempty"`
	Embedded     map[string]any `json:"_embedded"`
	Links        map[string]any `json:"_links,omitempty"`
}

func embeddedUser(u mfa.User) authnUser {
	return authnUser{ID: u.ID, PasswordChanged: optTime(u.PasswordChanged), Profile: map[string]any{
		"login": u.Login, "firstName": u.FirstName, "lastName": u.LastName, "locale": u.Locale, "timeZone": u.TimeZone}}
}

// authnFactor is a factor as the Authn API shows it (number masked).
func (h *Handler) authnFactor(f mfa.Factor, links map[string]any) map[string]any {
	out := map[string]any{"id": f.ID, "factorType": mfa.FactorTypeSMS, "provider": mfa.FactorProvider, "vendorName": mfa.FactorProvider,
		"profile": map[string]any{"phoneNumber": phone.MaskOkta(f.PhoneNumber)}}
	if links != nil {
		out["_links"] = links
	}
	return out
}

// render builds the transaction object of v, with its links.
func (h *Handler) render(v *mfa.TxnView) transaction {
	t := v.Txn
	out := transaction{Status: string(t.Status), RelayState: t.RelayState, Embedded: map[string]any{"user": embeddedUser(v.User)}}
	cancel := h.link("POST", "/api/v1/authn/cancel")
	switch t.Status {
	case mfa.TxnSuccess:
		out.SessionToken = t.SessionToken
		out.ExpiresAt = oktaTime(t.SessionTokenExpires)
		return out
	case mfa.TxnMFAEnroll:
		entry := map[string]any{"factorType": mfa.FactorTypeSMS, "provider": mfa.FactorProvider, "vendorName": mfa.FactorProvider,
			"status": "NOT_SETUP", "enrollment": "REQUIRED",
			"_links": map[string]any{"enroll": h.link("POST", "/api/v1/authn/factors")}}
		if v.Phone != nil {
			entry["_embedded"] = map[string]any{"phones": []any{map[string]any{
				"id": v.Phone.ID, "profile": map[string]any{"phoneNumber": phone.MaskOkta(v.Phone.Number)}, "status": "ACTIVE"}}}
		}
		out.Embedded["factors"] = []any{entry}
		out.Links = map[string]any{"cancel": cancel}
	case mfa.TxnMFAEnrollActivate:
		f := factorOrEmpty(v.Factor)
		base := "/api/v1/authn/factors/" + f.ID
		out.Embedded["factor"] = h.authnFactor(*f, nil)
		out.Links = map[string]any{
			"next":   h.named("activate", "POST", base+"/lifecycle/activate"),
			"cancel": cancel,
			"prev":   h.link("POST", "/api/v1/authn/previous"),
			"resend": []link{h.named("sms", "POST", base+"/lifecycle/resend")},
		}
	case mfa.TxnMFARequired:
		var fs []any
		for _, f := range v.Factors {
			fs = append(fs, h.authnFactor(f, map[string]any{"verify": h.link("POST", "/api/v1/authn/factors/"+f.ID+"/verify")}))
		}
		out.Embedded["factors"] = fs
		out.Links = map[string]any{"cancel": cancel}
	case mfa.TxnMFAChallenge:
		f := factorOrEmpty(v.Factor)
		base := "/api/v1/authn/factors/" + f.ID
		out.Embedded["factor"] = h.authnFactor(*f, nil)
		out.Links = map[string]any{
			"next":   h.named("verify", "POST", base+"/verify"),
			"cancel": cancel,
			"prev":   h.link("POST", "/api/v1/authn/previous"),
			"resend": []link{h.named("sms", "POST", base+"/verify/resend")},
		}
	}
	out.StateToken = t.StateToken
	out.ExpiresAt = oktaTime(t.Expires)
	return out
}

// factorOrEmpty guards against a factor removed (by an admin) while a
// transaction referred to it; the next step then fails with a clear error.
func factorOrEmpty(f *mfa.Factor) *mfa.Factor {
	if f == nil {
		return &mfa.Factor{}
	}
	return f
}
