package web

import (
	"bytes"
	"html/template"
	"net/netip"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/sms/devsink"
)

// TestEveryTemplateRendersItsPage executes each template with its page
// struct, filled so that every branch of the template runs: a field name
// the struct does not have fails here, not in front of a user.
func TestEveryTemplateRendersItsPage(t *testing.T) {
	tpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	en := testLocale(t, "en")
	drawn := map[string]bool{}
	for i, p := range samplePages(en) {
		c := p.base()
		c.Page, c.Title, c.Org, c.CSS, c.Flash, c.Info = p.template(), p.title(), "Example Org", tpl.css, "Saved.", "Note."
		b, err := tpl.execute(en, p.template(), p)
		if err != nil {
			t.Errorf("sample %d: %v", i, err)
			continue
		}
		for _, want := range []string{`data-page="` + p.template() + `"`, "<title>" + template.HTMLEscapeString(p.title()) + " · Example Org</title>"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("sample %d (%s): no %s in\n%s", i, p.template(), want, b)
			}
		}
		drawn[p.template()] = true
	}
	enPages, err := tpl.pages["en"]()
	if err != nil {
		t.Fatal(err)
	}
	for name := range enPages {
		if !drawn[name] {
			t.Errorf("template %s has no sample page in this test", name)
		}
	}
}

// samplePages returns pages of every type, several for templates with
// alternatives (set up or not, empty lists or not).
func samplePages(l *Locale) []page {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	user := &mfa.User{ID: "00u1", Login: "ann@example.com", FirstName: "Ann", LastName: "Lee", Status: mfa.UserActive, Admin: true,
		Created: now, LastLogin: now, LockedUntil: now.Add(time.Hour)}
	plain := &mfa.User{ID: "00u2", Login: "bob@example.com", Status: mfa.UserActive}
	back := &formLink{Method: "post", URL: "/back", Label: "Back"}
	form := phoneForm{Action: "/phone", Region: "US", Phone: "415", Invalid: true, Focus: true, Countries: phone.Countries()}
	factor := &mfa.Factor{ID: "sms1", Status: mfa.FactorActive, PhoneNumber: "+14155550123"}
	provider := mfa.ProviderConfig{Name: "tw", Type: "twilio", BaseURL: "http://127.0.0.1:1", Priority: 5, Enabled: true,
		Senders: []mfa.Sender{{Value: "+15557654321", CallingCodes: []int{1}}}}
	return []page{
		&messagePage{common: common{Error: "No."}, Heading: "Page not found", Text: "There is no page.", Link: "/", LinkLabel: "Start"},
		&loginPage{common: common{Error: "Enter your username and password."}},
		&loginPage{Username: "ann@example.com"},
		&enrollPage{},
		&enrollPage{Options: []factorOption{{factorUI: factorUIs[mfa.FactorTypeSMS].worded(l)}, {factorUI: factorUIs[mfa.FactorTypeWebAuthn].worded(l)}}},
		&passkeyPage{common: common{Error: "No answer."}, Heading: "Set up Security Key or Biometric Authenticator", Intro: "Create a passkey.",
			Form: passkeyForm{Action: "/signin/enroll/webauthn", Ceremony: "create", Options: `{"challenge":"AAAA"}`, Button: "Create a passkey"}, Back: back, Cancel: back},
		&passkeyPage{common: common{User: plain}, Heading: "Verify it's you", Form: passkeyForm{Action: "/signin/verify/webauthn", Ceremony: "get", Options: "{}", Button: "Verify"},
			Back: &formLink{Method: "get", URL: "/account", Label: "Cancel"}, Other: back},
		&accountPage{common: common{User: plain}, Passkeys: &mfa.WebAuthnState{Enabled: true, Credentials: []mfa.WebAuthnCredential{{ID: "fwc1", Name: "Laptop", Created: now, LastUsed: now}, {ID: "fwc2", Name: "Key", Created: now}}}},
		&accountPage{common: common{User: plain}, Passkeys: &mfa.WebAuthnState{}},
		&verifyPage{To: "+1 ••• ••• 0123", FactorID: "sms1", Another: true},
		&phonePage{common: common{Error: "Not a number."}, Heading: "Set up", Existing: "+1 ••• ••• 0123", Form: form, Back: back},
		&phonePage{common: common{User: user}, Heading: "Reset", Intro: "Enter a number.", Form: phoneForm{Action: "/phone", Countries: phone.Countries()}},
		&codePage{common: common{Error: "Wrong code."}, Heading: "Enter the code", Hint: "6 digits", Action: "/code", ResendAction: "/resend",
			ResendIn: 20, ResendAt: "05:06:27 UTC", Back: back, Cancel: back},
		&codePage{common: common{User: plain}, Heading: "Enter the code", Action: "/code", ResendAction: "/resend"},
		&verifyPage{common: common{Error: "Too many codes."}, To: "+1 ••• ••• 0123"},
		&verifyPage{To: "+1 ••• ••• 0123", FactorID: "sms1", Another: true},
		&enrollPage{Options: []factorOption{{factorUI: factorUIs[mfa.FactorTypeSMS].worded(l)}, {factorUI: factorUIs[mfa.FactorTypeTOTP].worded(l)}}},
		&totpIntroPage{common: common{Error: "Not enabled."}},
		&recoveryVerifyPage{common: common{Error: "Wrong code."}},
		&recoveryCodesPage{common: common{User: plain}, Codes: []string{"abcdef-ghjkmn"}},
		&recoveryCodesPage{common: common{User: plain}},
		&accountPage{common: common{User: plain}, Enabled: true, RecoveryLeft: 3, TOTPEnabled: true},
		&accountPage{common: common{User: plain}, TOTPActive: true},
		&totpSetupPage{common: common{User: plain}, QR: "data:image/png;base64,AAAA", Secret: "ABCD", Action: "/account/totp/code", FactorID: "ost1", Cancel: &formLink{Method: "get", URL: "/account", Label: "Cancel"}},
		&chooseFactorPage{Recovery: true},
		&totpSetupPage{common: common{Error: "Wrong code."}, QR: "data:image/png;base64,AAAA", Secret: "ABCD EFGH", Label: "ann@example.com"},
		&totpCodePage{common: common{Error: "Wrong code."}, FactorID: "ost1", Another: true},
		&totpCodePage{FactorID: "ost1"},
		&chooseFactorPage{Options: []factorOption{{factorUI: factorUIs[mfa.FactorTypeSMS].worded(l), ID: "sms1", What: "+1 ••• ••• 0123"}, {factorUI: factorUIs[mfa.FactorTypeTOTP].worded(l), ID: "ost1"}}},
		&confirmPage{common: common{User: plain, Error: "That password is not right."}, Next: "/account/sms/setup"},
		&confirmPage{common: common{User: plain}, Next: "/account"},
		&accountPage{common: common{User: user}, Enabled: true, Active: true, Phone: "+1 ••• ••• 0123"},
		&accountPage{common: common{User: plain}, Enabled: true},
		&accountPage{common: common{User: plain}},
		&removePage{common: common{User: plain}, Phone: "+1 ••• ••• 0123", Required: true},
		&removePage{common: common{User: plain}, Phone: "+1 ••• ••• 0123"},
		&devSMSPage{Messages: []devsink.Message{{ID: "m1", To: "+14155550123", From: "+15557654321", Body: "Your code is 123456", Created: now}, {To: "+14155550123"}}},
		&devSMSPage{common: common{User: user}},
		&adminOverviewPage{common: common{User: user}, Enabled: true, SentToday: 3, Budget: 10000, Blocked: 1, Locked: 2, Voice: &voiceLine{Calls: 1, Budget: 1000}},
		&adminOverviewPage{common: common{User: user}, Factors: []adminFactorRow{{Name: "sms", Label: "Text Message Code", On: true}, {Name: "totp", Label: "Google Authenticator"}}, Several: true},
		&adminOverviewPage{common: common{User: user}, Factors: []adminFactorRow{{Name: "totp", Label: "Google Authenticator"}}},
		&adminOverviewPage{common: common{User: user}, Remaining: 1, Checklist: []checkItem{
			{Label: "Turn SMS authentication on", Hint: "Off.", Done: true, Link: "#sms-h", LinkLabel: "Below"},
			{Label: "Invite users", Hint: "Add people.", Link: "/admin/users", LinkLabel: "Users"}}},
		&setupPage{common: common{Error: "This setup code is not valid."}, Login: "root@example.com", First: "Ada", Last: "Root"},
		&setupPage{Local: true},
		&adminSettingsPage{common: common{User: user, Error: "Nothing was saved."}, Rows: []settingRow{{Name: "code_length", Help: "Digits in a code", Default: "6", Value: "4"}, {Name: "org_name", Help: "Name"}}},
		&adminUsersPage{common: common{User: user}, Users: []userRow{{User: *user, Locked: true}, {User: *plain}}, Query: "a", Next: "bob@example.com"},
		&adminUsersPage{common: common{User: user}},
		&adminUserPage{common: common{User: user}, Target: user, Locked: true, Factor: factor, FactorPhone: "+1 ••• ••• 0123", Phone: "+1 ••• ••• 0123"},
		&adminUserPage{common: common{User: user}, Target: plain},
		&adminUserPage{common: common{User: user}, Target: plain, TOTP: &mfa.Factor{ID: "ost1", Status: mfa.FactorActive}, RecoveryLeft: 4},
		&adminUserPage{common: common{User: user}, Target: plain, Passkeys: []mfa.WebAuthnCredential{{Name: "Laptop", LastUsed: now}, {Name: "Key"}}},
		&adminUserPage{common: common{User: user}, Target: &mfa.User{Login: "held@example.com", LockedUntil: mfa.UntilUnlocked}, Locked: true,
			EnrolledByOthers: []mfa.Event{{Published: now, Actor: mfa.Party{AlternateID: "mallory@example.com"}, Details: map[string]string{"phone": "+1 ••• ••• 0123"}}}},
		&adminNumbersPage{common: common{User: user}, Numbers: []numberRow{{Number: mfa.Number{Number: "+14155550123", Status: mfa.NumberBlocked, Reason: "shared", Updated: now}, Users: []mfa.User{*user, *plain}},
			{Number: mfa.Number{Number: "+14155550124", Status: mfa.NumberTrusted}}, {Number: mfa.Number{Number: "+14155550125", Status: mfa.NumberCleared}}}},
		&adminNumbersPage{common: common{User: user}},
		&adminLogPage{common: common{User: user}, Events: []mfa.Event{{Published: now, Type: mfa.EvSignIn, Message: "Signed in", Actor: mfa.Party{AlternateID: "ann"},
			Target: mfa.Party{AlternateID: "bob"}, ClientIP: "127.0.0.1", Outcome: mfa.OutcomeFailure, Reason: "wrong password"}},
			Query: "ann", Type: mfa.EvSignIn, Outcome: mfa.OutcomeFailure, Since: "2026-03-04T05:06", Until: "2026-03-05T05:06",
			Types: mfa.EventTypes, Outcomes: []string{mfa.OutcomeSuccess, mfa.OutcomeFailure}, Older: "/admin/log?after=1"},
		&adminLogPage{common: common{User: user, Error: "The since time must read like 2026-01-31T09:30."}},
		&adminTokensPage{common: common{User: user}, Tokens: []mfa.APIToken{{ID: "t1", Name: "ci", UserID: "00u1", OwnerLogin: "ann@example.com", Created: now},
			{ID: "t2", Name: "old", UserID: "00u9", Created: now, LastUsed: now, Revoked: now}, {ID: "t3", Name: "cli", Created: now, Revoked: now}}, New: "00secret"},
		&adminAppsPage{common: common{User: user}, Apps: []mfa.App{{ID: "0oa1", Name: "Wiki", RedirectURIs: []string{"https://wiki.example.com/cb"}, Created: now},
			{ID: "0oa2", Name: "SPA", Public: true, RedirectURIs: []string{"http://localhost:3000/cb"}, Created: now}},
			New: &mfa.App{ID: "0oa1", Name: "Wiki"}, NewSecret: "s3cret", Issuer: "https://mfa.example.com"},
		&adminAppsPage{common: common{User: user}},
		&adminTokensPage{common: common{User: user}},
		&adminRadiusPage{common: common{User: user, Error: "address: not an address"}, Name: "vpn", Address: "x",
			Clients: []mfa.RadiusClient{{ID: "rad1", Name: "vpn", Prefix: netip.MustParsePrefix("192.0.2.10/32"), Created: now}}},
		&adminRadiusPage{common: common{User: user}},
		&adminProvidersPage{common: common{User: user, Error: "Nothing was saved."}, Types: []string{"aws-eum", "aws-sns", "twilio", "vonage", "webhook"},
			Form: providerForm{Name: "tw", Type: "twilio", URL: "http://x", Senders: "+15557654321", Priority: 100},
			Providers: []providerRow{
				{ProviderConfig: provider, Masked: map[string]string{"account_sid": "AC…12"}, BreakerOpen: true, Callback: "http://127.0.0.1/hooks/twilio/tw"},
				{ProviderConfig: mfa.ProviderConfig{Name: "env", Type: "twilio", Enabled: true, FromEnv: true}},
				{ProviderConfig: mfa.ProviderConfig{Name: "off", Type: "twilio"}},
			}},
		&adminProvidersPage{common: common{User: user}, Types: []string{"aws-eum", "aws-sns", "twilio", "vonage", "webhook"}},
		&adminTemplatesPage{common: common{User: user}, Templates: []mfa.Template{{Locale: "fr", Body: "Code {code}", Updated: now, UpdatedBy: "ann"}},
			Locale: "fr", Body: "Code {code} é", Preview: &preview{Text: "Code 123456 é", Chars: 13, Encoding: "UCS-2", Segments: 2}},
		&adminTemplatesPage{common: common{User: user}, Body: mfa.DefaultTemplate, Preview: &preview{Text: "Code", Chars: 4, Encoding: "GSM-7", Segments: 1}},
		&adminTemplatesPage{common: common{User: user}},
		&adminDeliveryPage{common: common{User: user}, States: []mfa.MessageState{mfa.MessageQueued, mfa.MessageSent}, State: "sent", Provider: "tw", Number: "+14155550123",
			Older: "/admin/delivery?before=m1", Rows: []deliveryRow{{
				DeliveryRecord: mfa.DeliveryRecord{Message: mfa.Message{ID: "m1", State: mfa.MessageSent, Created: now, Sent: now, Provider: "tw", Sender: "+15557654321",
					Error: "slow", ReceiptAt: now, ReceiptError: "30003", Channel: mfa.ChannelVoice},
					Attempts: []mfa.Attempt{{Attempt: 1, Provider: "tw", Outcome: "transient", Latency: time.Second, Error: "timeout"}}},
				To: "+1 ••• ••• 0123", Latency: "1s"}}},
		&adminDeliveryPage{common: common{User: user, Error: "Enter the recipient as a phone number."}},
		&adminOptOutsPage{common: common{User: user}, OptOuts: []mfa.OptOut{{Number: "+1 ••• ••• 0123", Sender: "+15557654321", Provider: "tw", Created: now}},
			Events: []mfa.OptOutEvent{{Number: "+1 ••• ••• 0123", Sender: "+15557654321", Keyword: "stop", At: now, ProviderMessageID: "SM1"}}},
		&adminOptOutsPage{common: common{User: user}},
		trafficSample(l, user, now, 24*time.Hour),
		trafficSample(l, user, now, 7*24*time.Hour),
		&adminTrafficPage{common: common{User: user}},
		// Voice Call (signin_call.go).
		&callPhonePage{common: common{Error: "Not a number."}, Heading: "Set up Voice Call", Action: "/signin/enroll/call", Region: "GB",
			Phone: "020", Extension: "12", Countries: l.Countries(), Back: back},
		&callPhonePage{common: common{User: plain}, Heading: "Set up Voice Call", Action: "/account/call/setup", Countries: phone.Countries()},
		&enrollPage{Options: []factorOption{{factorUI: factorUIs[mfa.FactorTypeSMS].worded(l)}, {factorUI: factorUIs[mfa.FactorTypeCall].worded(l)}}},
		&codePage{Heading: "Enter the code sent to +1 ••• ••• 0123", Action: "/code", ResendAction: "/resend", CallAction: "/signin/verify/call"},
		&verifyPage{To: "+44 ••• ••• 0958", Call: true},
		&accountPage{common: common{User: user}, Enabled: true, Call: &callSummary{Enabled: true, Active: true, Phone: "+44 ••• ••• 0958"}},
		&accountPage{common: common{User: plain}, Call: &callSummary{Enabled: true}},
		&devSMSPage{Messages: []devsink.Message{{ID: "m2", To: "+442079460958", Body: "Your code is 1, 2, 3.", Channel: "voice", Extension: "12", Created: now}}},
		&enrollPage{Options: []factorOption{{factorUI: factorUIs[mfa.FactorTypeCall].worded(l)}}},
		&accountPage{common: common{User: plain}, RecoveryLeft: 1, TOTPActive: true},
		&adminOverviewPage{common: common{User: user}, Factors: []adminFactorRow{{Name: "call", Label: l.T("Voice Call"), On: true}, {Name: "webauthn", Label: l.T("Security Key or Biometric Authenticator")}}},
	}
}

// trafficSample is a dashboard with texts in every state, a throttled
// range and a trusted one.
func trafficSample(l *Locale, user *mfa.User, now time.Time, period time.Duration) page {
	step := time.Hour
	if period > 24*time.Hour {
		step = 24 * time.Hour
	}
	d := mfa.Dashboard{Period: period, From: now.Add(-period), Until: now, Step: step, Budget: 50, SentToday: 45, Blocked: 2,
		Total: mfa.DashCounts{Texts: 30, Sent: 28, Delivered: 20, Failed: 2, Verified: 18, SendP50: 300 * time.Millisecond, SendP95: 2 * time.Second, ReceiptP50: 4 * time.Second, ReceiptP95: 9 * time.Second}}
	for i := range int(period / step) {
		d.Series = append(d.Series, mfa.DashPoint{Start: d.From.Add(time.Duration(i) * step), DashCounts: mfa.DashCounts{Texts: i % 7, Delivered: i % 3, Failed: i % 2, Verified: i % 4}})
	}
	d.Countries = []mfa.DashRow{{Name: "US", DashCounts: d.Total}, {Name: "FR"}}
	d.Providers = []mfa.DashRow{{Name: "tw", DashCounts: d.Total}}
	p := &adminTrafficPage{common: common{User: user}, Period: "24h"}
	p.fill(l, d, []mfa.FraudKey{
		{Key: "prefix:+3361234", Status: mfa.FraudThrottled, Since: now, Until: now.Add(time.Hour), Strikes: 2, Evidence: "29 codes in 15 min (expected 0.03); 0 of 22 entered"},
		{Key: "country:GB", Status: mfa.FraudTrusted, Since: now, UpdatedBy: "ann@example.com"},
	}, mfa.DefaultSettings(), now)
	return p
}

// With SMS off but another factor on, the overview does not tell the admin
// that users sign in with their password only.
func TestOverviewSaysWhichFactorsVerify(t *testing.T) {
	tpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	en := testLocale(t, "en")
	user := &mfa.User{Login: "admin@example.com", Admin: true}
	for _, c := range []struct {
		rows []adminFactorRow
		want string
	}{
		{[]adminFactorRow{{Name: "sms"}, {Name: "totp", On: true}}, "Users verify with the other factors turned on below."},
		{[]adminFactorRow{{Name: "sms"}, {Name: "totp"}}, "Users sign in with their password only."},
	} {
		b, err := tpl.execute(en, "admin_overview", &adminOverviewPage{common: common{User: user}, Factors: c.rows})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(c.want)) {
			t.Errorf("factors %+v: no %q", c.rows, c.want)
		}
	}
}
