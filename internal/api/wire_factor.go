package api

import "smsmfa/internal/mfa"

// userFactor is Okta's UserFactor for sms. The Factors API shows the
// number in E.164, unmasked, and never an _embedded (Okta's Go SDK v5
// cannot decode _embedded.phones there).
type userFactor struct {
	ID          string          `json:"id"`
	FactorType  string          `json:"factorType"`
	Provider    string          `json:"provider"`
	VendorName  string          `json:"vendorName"`
	Status      string          `json:"status"`
	Created     string          `json:"created"`
	LastUpdated string          `json:"lastUpdated"`
	Profile     any             `json:"profile"`
	Embedded    any             `json:"_embedded,omitempty"`
	Links       userFactorLinks `json:"_links"`
}

// userFactorLinks: an active factor has verify and self (GET, DELETE); a
// pending one activate, resend and self (GET).
type userFactorLinks struct {
	Activate link   `json:"activate,omitzero"`
	Resend   []link `json:"resend,omitempty"`
	Verify   link   `json:"verify,omitzero"`
	Self     link   `json:"self"`
	User     link   `json:"user"`
}

// verifyResult answers a factor verify: CHALLENGE with the code's expiry,
// number and links, or SUCCESS alone. The challenge has no resend link:
// Okta's Go SDK v5 expects a single object there, not the array.
type verifyResult struct {
	FactorResult string          `json:"factorResult"`
	ExpiresAt    string          `json:"expiresAt,omitempty"`
	Profile      any             `json:"profile,omitempty"` // *phoneProfile, or webauthnProfile
	Embedded     map[string]any  `json:"_embedded,omitempty"`
	Links        *challengeLinks `json:"_links,omitempty"`
}

type challengeLinks struct {
	Verify link `json:"verify"`
	Factor link `json:"factor"`
}

func (h *Handler) factor(f *mfa.Factor) userFactor {
	if f.Type == mfa.FactorTypeWebAuthn {
		return h.webauthnFactor(f, nil, nil)
	}
	self := "/api/v1/users/" + f.UserID + "/factors/" + f.ID
	links := userFactorLinks{User: h.link("GET", "/api/v1/users/"+f.UserID)}
	if f.Status == mfa.FactorActive {
		links.Verify = h.link("POST", self+"/verify")
		links.Self = h.link2(self, "GET", "DELETE")
	} else {
		links.Activate = h.link("POST", self+"/lifecycle/activate")
		links.Resend = []link{h.named(factorType(f), "POST", self+"/resend")}
		links.Self = h.link("GET", self)
	}
	return userFactor{ID: f.ID, FactorType: factorType(f), Provider: mfa.FactorProvider, VendorName: mfa.FactorProvider,
		Status: string(f.Status), Created: oktaTime(f.Created), LastUpdated: oktaTime(f.LastUpdated),
		Profile: phoneProfile{PhoneNumber: f.PhoneNumber, PhoneExtension: f.Extension}, Links: links}
}

// challenged is the CHALLENGE answer for a code sent to sent.To.
func (h *Handler) challenged(userID, factorID string, sent *mfa.Sent) verifyResult {
	self := "/api/v1/users/" + userID + "/factors/" + factorID
	return verifyResult{FactorResult: "CHALLENGE", ExpiresAt: oktaTime(sent.Expires), Profile: &phoneProfile{PhoneNumber: sent.To},
		Links: &challengeLinks{Verify: h.link("POST", self+"/verify"), Factor: h.link2(self, "GET", "DELETE")}}
}

// catalogEntry is the sms entry of a user's factor catalog.
func (h *Handler) catalogEntry(userID, status string) enrollOption {
	return enrollOption{FactorType: mfa.FactorTypeSMS, Provider: mfa.FactorProvider, VendorName: mfa.FactorProvider,
		Status: status, Enrollment: "REQUIRED", Links: enrollLinks{Enroll: h.link("POST", "/api/v1/users/"+userID+"/factors")}}
}
