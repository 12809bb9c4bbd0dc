package web

import "smsmfa/internal/mfa"

// The admin console's pages. Each names its template and title; see page.

// adminOverviewPage is the console's start: the SMS switch and today's counts.
type adminOverviewPage struct {
	common
	Enabled   bool
	SentToday int
	Budget    int
	Blocked   int
	Locked    int
	// Voice is Voice Call's line (shown while calls are on or were made
	// today): "3 of 1000 allowed".
	Voice *voiceLine
	// Checklist is what is left to set up after the first run; shown
	// until every item is done.
	Checklist []checkItem
	Remaining int
	// Factors are the factor kinds with their switch; Several whether
	// users may set up more than one.
	Factors []adminFactorRow
	Several bool
}

func (adminOverviewPage) template() string { return "admin_overview" }
func (adminOverviewPage) title() string    { return "Admin console" }

// settingRow is one org setting on the settings form.
type settingRow struct{ Name, Help, Default, Value string }

// adminSettingsPage is the form of every org setting.
type adminSettingsPage struct {
	common
	Rows []settingRow
}

func (adminSettingsPage) template() string { return "admin_settings" }
func (adminSettingsPage) title() string    { return "Settings" }

// userRow is one user in the list.
type userRow struct {
	mfa.User
	Locked bool
}

// adminUsersPage finds, lists and adds users.
type adminUsersPage struct {
	common
	Users []userRow
	Query string
	Next  string // the login to list after, for the next page
	Form  newUserForm
}

// newUserForm is what was typed in the form that adds a user, kept after a
// refusal (the password is not).
type newUserForm struct {
	Login, First, Last string
	Admin              bool
}

func (adminUsersPage) template() string { return "admin_users" }
func (adminUsersPage) title() string    { return "Users" }

// adminUserPage is one user, with their factor and actions.
type adminUserPage struct {
	common
	Target      *mfa.User // the user shown (User is the admin)
	Locked      bool
	Factor      *mfa.Factor
	FactorPhone string // the factor's number, masked
	Phone       string // the verified number on file, masked
	// TOTP is the user's authenticator app factor (nil: none);
	// RecoveryLeft the unused recovery codes.
	TOTP         *mfa.Factor
	RecoveryLeft int
	// EnrolledByOthers are the newest times other accounts asked for an
	// enrollment code to this user's verified number.
	EnrolledByOthers []mfa.Event
	// Passkeys are the user's webauthn credentials.
	Passkeys []mfa.WebAuthnCredential
}

func (adminUserPage) template() string { return "admin_user" }
func (p adminUserPage) title() string  { return p.Target.Login }
func (adminUserPage) titleWorded()     {}

// adminNumbersPage lists blocked and trusted numbers.
type adminNumbersPage struct {
	common
	Numbers []numberRow
}

// numberRow is a number with, when it is blocked, the users verified on it
// (who keep signing in on it).
type numberRow struct {
	mfa.Number
	Users []mfa.User
}

func (adminNumbersPage) template() string { return "admin_numbers" }
func (adminNumbersPage) title() string    { return "Phone numbers" }

// adminLogPage is the system log with its filters.
type adminLogPage struct {
	common
	Events   []mfa.Event
	Query    string
	Type     string
	Outcome  string
	Since    string
	Until    string
	Types    []string
	Outcomes []string
	Older    string // the link to older events, if any
}

func (adminLogPage) template() string { return "admin_log" }
func (adminLogPage) title() string    { return "System log" }

// adminTokensPage lists the API tokens; New is a token just created,
// shown once.
type adminTokensPage struct {
	common
	Tokens []mfa.APIToken
	New    string
}

func (adminTokensPage) template() string { return "admin_tokens" }

// adminRadiusPage lists the RADIUS clients (never their secrets) and adds
// one; Form keeps what was typed, less the secret, after a refusal.
type adminRadiusPage struct {
	common
	Clients []mfa.RadiusClient
	Name    string
	Address string
}

func (adminRadiusPage) template() string { return "admin_radius" }
func (adminRadiusPage) title() string    { return "RADIUS clients" }
func (adminTokensPage) title() string    { return "API tokens" }

// setupPage creates the first administrator (first run).
type setupPage struct {
	common
	Local              bool // the client is on the server's own machine: the code is optional
	Login, First, Last string
}

func (setupPage) template() string { return "setup" }
func (setupPage) title() string    { return "Set up smsmfa" }

// checkItem is one step of the console's getting-started checklist.
type checkItem struct {
	Label, Hint     string
	Done            bool
	Link, LinkLabel string
}
