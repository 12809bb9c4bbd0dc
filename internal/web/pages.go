package web

import (
	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/sms/devsink"
)

// The end user's pages. Each names its template and title; see page.

// loginPage is the sign-in form.
type loginPage struct {
	common
	Username string // what was typed, kept after a refusal
}

func (loginPage) template() string { return "login" }
func (loginPage) title() string    { return "Sign in" }

// enrollPage is "Extra verification is required for your account".
type enrollPage struct {
	common
	Options []factorOption // the kinds the org offers, each with its Setup
}

func (enrollPage) template() string { return "enroll" }
func (enrollPage) title() string    { return "Extra verification is required for your account" }

// formLink is a small form with one button (back, cancel, …).
type formLink struct{ Method, URL, Label string }

// phoneForm is the country picker and number field.
type phoneForm struct {
	Action    string
	Region    string
	Phone     string
	Invalid   bool
	Focus     bool
	Countries []phone.Country
}

// phonePage asks for the mobile number, at sign-in or from the account.
type phonePage struct {
	common
	Heading  string
	Intro    string
	Existing string // the verified number on file, masked
	Form     phoneForm
	Back     *formLink
}

func (phonePage) template() string { return "phone" }
func (p phonePage) title() string  { return p.Heading }
func (phonePage) titleWorded()     {}

// codePage asks for the code that was texted.
type codePage struct {
	common
	Heading      string
	Hint         string
	Action       string
	ResendAction string
	ResendIn     int // seconds before a re-send is allowed
	ResendAt     string
	Back         *formLink
	Cancel       *formLink
	// CallAction, when set, is where "Call me instead" posts.
	CallAction string
}

func (codePage) template() string { return "code" }
func (codePage) title() string    { return "Enter code" }

// verifyPage offers to send a code at sign-in.
type verifyPage struct {
	common
	To       string // the masked number
	Call     bool   // the factor is Voice Call
	FactorID string
	Another  bool // the user has other factors: "Verify another way"
}

func (verifyPage) template() string { return "verify" }
func (verifyPage) title() string    { return "Verify it's you" }

// confirmPage asks for the password again before an account change.
type confirmPage struct {
	common
	Next string // where to go once confirmed
}

func (confirmPage) template() string { return "confirm" }
func (confirmPage) title() string    { return "Confirm it's you" }

// accountPage is the account with its Extra Verification section.
type accountPage struct {
	common
	Enabled bool   // the org's SMS factor is on
	Active  bool   // the user's factor is set up
	Phone   string // the factor's number, masked
	// Call is the Voice Call row (signin_call.go); nil while the org's
	// call_enabled is off and the user has no call factor.
	Call *callSummary
	// RecoveryLeft is the user's unused recovery codes.
	RecoveryLeft int
	// TOTPEnabled: the org offers the authenticator app; TOTPActive: the
	// user has it set up.
	TOTPEnabled, TOTPActive bool
	// Passkeys is the webauthn section (nil when the org has it off and
	// the user has none).
	Passkeys *mfa.WebAuthnState
}

func (accountPage) template() string { return "account" }
func (accountPage) title() string    { return "Account" }

// removePage confirms removing the factor.
type removePage struct {
	common
	Phone    string // masked
	Required bool   // the org requires the factor
}

func (removePage) template() string { return "remove" }
func (removePage) title() string    { return "Remove Text Message Code" }

// devSMSPage lists the development sink's messages.
type devSMSPage struct {
	common
	Messages []devsink.Message // newest first
}

func (devSMSPage) template() string { return "dev_sms" }
func (devSMSPage) title() string    { return "Development SMS sink" }
