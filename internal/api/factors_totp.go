package api

import (
	"net/http"

	"smsmfa/internal/mfa"
)

// The authenticator app factor (token:software:totp, providers OKTA and
// GOOGLE) on the Factors and Authn APIs, with Okta's shapes
// (okta-more.md §3.3).

// totpProfile is a TOTP factor's profile: credentialId is the login.
type totpProfile struct {
	CredentialID string `json:"credentialId"`
}

// totpEmbedded is _embedded of a TOTP factor awaiting activation.
type totpEmbedded struct {
	Activation totpActivation `json:"activation"`
}

type totpActivation struct {
	TimeStep     int     `json:"timeStep"`
	SharedSecret string  `json:"sharedSecret"`
	Encoding     string  `json:"encoding"`
	KeyLength    int     `json:"keyLength"`
	Links        qrLinks `json:"_links"`
}

type qrLinks struct {
	QRCode qrLink `json:"qrcode"`
}

type qrLink struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// qrPath is the path of a pending TOTP factor's QR code.
func (h *Handler) qrPath(f *mfa.Factor) string {
	return "/api/v1/users/" + f.UserID + "/factors/" + f.ID + "/qr/" + h.svc.Factors.TOTPQRKey(f)
}

// totpActivationOf is the _embedded of a pending TOTP factor with setup st.
func (h *Handler) totpActivationOf(f *mfa.Factor, st *mfa.TOTPSetup) *totpEmbedded {
	if st == nil || f.Status != mfa.FactorPending {
		return nil
	}
	return &totpEmbedded{Activation: totpActivation{TimeStep: int(mfa.TOTPPeriod.Seconds()), SharedSecret: st.Secret, Encoding: "base32",
		KeyLength: mfa.TOTPDigits, Links: qrLinks{QRCode: qrLink{Href: h.base + h.qrPath(f), Type: "image/png"}}}}
}

// anyFactor is f of user u as the Factors API shows it; st is the setup
// of a pending TOTP factor just enrolled (nil otherwise).
func (h *Handler) anyFactor(f *mfa.Factor, u *mfa.User, st *mfa.TOTPSetup) userFactor {
	if f.Type != mfa.FactorTypeTOTP {
		return h.factor(f)
	}
	self := "/api/v1/users/" + f.UserID + "/factors/" + f.ID
	links := userFactorLinks{User: h.link("GET", "/api/v1/users/"+f.UserID)}
	if f.Status == mfa.FactorActive {
		links.Verify = h.link("POST", self+"/verify")
		links.Self = h.link2(self, "GET", "DELETE")
	} else {
		links.Activate = h.link("POST", self+"/lifecycle/activate")
		links.Self = h.link2(self, "GET", "DELETE")
	}
	out := userFactor{ID: f.ID, FactorType: mfa.FactorTypeTOTP, Provider: f.Provider, VendorName: f.Provider,
		Status: string(f.Status), Created: oktaTime(f.Created), LastUpdated: oktaTime(f.LastUpdated),
		Profile: totpProfile{CredentialID: u.Login}, Links: links}
	if e := h.totpActivationOf(f, st); e != nil {
		out.Embedded = e
	}
	return out
}

// totpCatalog is the TOTP entries of a user's factor catalog.
func (h *Handler) totpCatalog(userID string, fs []mfa.Factor) []enrollOption {
	status := "NOT_SETUP"
	for _, f := range fs {
		if f.Type == mfa.FactorTypeTOTP {
			status = string(f.Status)
		}
	}
	var out []enrollOption
	for _, p := range []string{mfa.FactorProvider, mfa.TOTPProviderGoogle} {
		out = append(out, enrollOption{FactorType: mfa.FactorTypeTOTP, Provider: p, VendorName: p, Status: status, Enrollment: "OPTIONAL",
			Links: enrollLinks{Enroll: h.link("POST", "/api/v1/users/"+userID+"/factors")}})
	}
	return out
}

// enrollTOTP is POST /users/{uid}/factors for token:software:totp.
func (h *Handler) enrollTOTP(w http.ResponseWriter, r *http.Request, u *mfa.User, provider string) {
	f, st, err := h.svc.Factors.EnrollTOTP(r.Context(), u.ID, provider)
	if err != nil {
		h.fail(w, r, err, "factorEnrollRequest")
		return
	}
	ok(w, h.anyFactor(f, u, st))
}

// totpQR is GET /users/{uid}/factors/{fid}/qr/{key}: the PNG of a
// pending TOTP factor's QR code. The link is its credential: key is
// unguessable and given only with the enrollment (which holds the secret
// anyway), and it stops working once the factor is active.
func (h *Handler) totpQR(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.Factors.TOTPSetupOf(r.Context(), r.PathValue("uid"), r.PathValue("fid"), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	png, err := st.QRCode(256)
	if err != nil {
		h.fail(w, r, mfa.Internal("qr code", err), "")
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(png)
}

// authnTOTPFactor is a TOTP factor as the Authn API shows it.
func (h *Handler) authnTOTPFactor(f mfa.Factor, login string, links *verifyLinks, st *mfa.TOTPSetup) authnFactor {
	af := authnFactor{ID: f.ID, FactorType: mfa.FactorTypeTOTP, Provider: f.Provider, VendorName: f.Provider,
		Profile: totpProfile{CredentialID: login}, Links: links}
	if e := h.totpActivationOf(&f, st); e != nil {
		af.Embedded = e
	}
	return af
}

// authnTOTPOptions are the MFA_ENROLL entries of the TOTP kind.
func (h *Handler) authnTOTPOptions() []enrollOption {
	var out []enrollOption
	for _, p := range []string{mfa.FactorProvider, mfa.TOTPProviderGoogle} {
		out = append(out, enrollOption{FactorType: mfa.FactorTypeTOTP, Provider: p, VendorName: p, Status: "NOT_SETUP", Enrollment: "OPTIONAL",
			Links: enrollLinks{Enroll: h.link("POST", "/api/v1/authn/factors")}})
	}
	return out
}
