package mfa_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"smsmfa/internal/mfa"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct {
		name, in, line, lines string
	}{
		{"Plain", "Ada Lovelace", "Ada Lovelace", "Ada Lovelace"},
		{"NUL", "Ad\x00a", "Ada", "Ada"},
		{"NotUTF8", "Ad\xff\xfea", "Ad\uFFFDa", "Ad\uFFFDa"},
		{"Controls", "a\x01b\x1bc\x7fd\u0085e", "abcde", "abcde"},
		{"TabsAndBreaks", "a\tb\r\nc\rd\ne\u2028f", "a b c d e f", "a b\nc\nd\ne\nf"},
		{"BidiOverride", "admin\u202Egnp.exe\u2066x\u2069", "admingnp.exex", "admingnp.exex"},
		{"JoinersKept", "👩\u200d💻 کتاب\u200cها", "👩\u200d💻 کتاب\u200cها", "👩\u200d💻 کتاب\u200cها"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mfa.CleanText(tc.in, false); got != tc.line {
				t.Errorf("CleanText(%q, false) = %q, want %q", tc.in, got, tc.line)
			}
			if got := mfa.CleanText(tc.in, true); got != tc.lines {
				t.Errorf("CleanText(%q, true) = %q, want %q", tc.in, got, tc.lines)
			}
		})
	}
}

func TestFieldCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       mfa.Field
		in      string
		want    string
		refused string // the refusal's message, when refused
	}{
		{"LoginOK", mfa.FieldLogin, "ada@example.com", "ada@example.com", ""},
		{"LoginAtCap", mfa.FieldLogin, strings.Repeat("é", 256), strings.Repeat("é", 256), ""},
		{"LoginOverCap", mfa.FieldLogin, strings.Repeat("a", 257), "", "login: The login must be at most 256 characters."},
		{"LoginNUL", mfa.FieldLogin, "ad\x00min", "", "login: The login may hold only printable characters, without spaces."},
		{"LoginNotUTF8", mfa.FieldLogin, "ad\xffmin", "", "login: The login may hold only printable characters, without spaces."},
		{"LoginReplacementChar", mfa.FieldLogin, "ad\uFFFDmin", "", "login: The login may hold only printable characters, without spaces."},
		{"LoginSpace", mfa.FieldLogin, "ad min", "", "login: The login may hold only printable characters, without spaces."},
		{"LoginBidi", mfa.FieldLogin, "admin\u202E", "", "login: The login may hold only printable characters, without spaces."},
		{"LoginZeroWidth", mfa.FieldLogin, "ad\u200bmin", "", "login: The login may hold only printable characters, without spaces."},
		{"NameCleaned", mfa.FieldFirstName, "A\x00da\tL", "Ada L", ""},
		{"NameOverCap", mfa.FieldFirstName, strings.Repeat("a", 101), "", "firstName: The first name must be at most 100 characters."},
		{"NameCapCountsCharacters", mfa.FieldFirstName, strings.Repeat("名", 100), strings.Repeat("名", 100), ""},
		{"TemplateKeepsLines", mfa.FieldTemplate, "Code {code}\r\nBye\x00", "Code {code}\nBye", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f.Check(tc.in)
			if tc.refused != "" {
				e := mfa.ErrorOf(err)
				if err == nil || e.Reason != mfa.RInvalidInput || e.Message != tc.refused {
					t.Fatalf("Check(%q) = %q, %v; want the refusal %q", tc.in, got, err, tc.refused)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Check(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFieldClip(t *testing.T) {
	f := mfa.FieldUserAgent
	long := strings.Repeat("é", 10000)
	got := f.Clip(long)
	if n := utf8.RuneCountInString(got); n != f.Max || !strings.HasSuffix(got, "…") {
		t.Fatalf("Clip of 10000 characters = %d characters ending %q, want %d ending …", n, got[len(got)-6:], f.Max)
	}
	if got := f.Clip("curl\x00/8\xff"); got != "curl/8\uFFFD" {
		t.Fatalf("Clip = %q", got)
	}
	for _, fd := range mfa.Fields() {
		if fd.Max < 10 || fd.Name == "" || fd.Label == "" {
			t.Errorf("field %+v: a cap of at least 10 and a name are needed", fd)
		}
	}
}

// Issue 9, item 2: a 5 MB username, or one with a NUL byte, typed at
// sign-in reaches the system log only cleaned and cut to the cap; the
// sign-in is refused like any other wrong login (on both engines).
func TestSignInWithHugeOrNULLoginKeepsLogClean(t *testing.T) {
	e := newEnv(t)
	e.user(t, "admin")
	for _, login := range []string{strings.Repeat("A", 5<<20), "ad\x00min", "admin\xff", "ad\u202Emin"} {
		_, err := e.svc.Signin.PrimaryAuth(e.ctx, login, "Correct-Horse-9", "")
		wantReason(t, err, mfa.RAuthFailed)
	}
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{mfa.EvSignIn}, OldestFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d sign-in events, want 4", len(evs))
	}
	want := []string{strings.Repeat("a", 255) + "…", "admin", "admin\uFFFD", "admin"}
	for i, ev := range evs {
		if ev.Actor.AlternateID != want[i] || ev.Outcome != mfa.OutcomeFailure {
			t.Errorf("event %d: actor %.40q… (%d bytes), outcome %s; want %.40q", i, ev.Actor.AlternateID, len(ev.Actor.AlternateID), ev.Outcome, want[i])
		}
	}
}

func TestCreateUserRefusesTextUnfitToStore(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		nu   mfa.NewUser
		want string
	}{
		{"NULLogin", mfa.NewUser{Login: "ad\x00min"}, "login: The login may hold only printable characters, without spaces."},
		{"NotUTF8Login", mfa.NewUser{Login: "ad\xc3min"}, "login: The login may hold only printable characters, without spaces."},
		{"LongLogin", mfa.NewUser{Login: strings.Repeat("a", 257)}, "login: The login must be at most 256 characters."},
		{"EmptyLogin", mfa.NewUser{Login: "  "}, "login: The login must be 1 to 256 characters without spaces."},
		{"LongName", mfa.NewUser{Login: "x@example.com", LastName: strings.Repeat("b", 101)}, "lastName: The last name must be at most 100 characters."},
		{"BadLocale", mfa.NewUser{Login: "x@example.com", Locale: "en\x00US"}, "locale: The locale may hold only printable characters, without spaces."},
		{"BadEmail", mfa.NewUser{Login: "x@example.com", Email: "x@example.com\r\nBcc: y"}, "email: The email may hold only printable characters, without spaces."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Users.CreateUser(e.ctx, tc.nu)
			if m := mfa.ErrorOf(err); err == nil || m.Reason != mfa.RInvalidInput || m.Message != tc.want {
				t.Fatalf("CreateUser = %v, want %q", err, tc.want)
			}
		})
	}
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: strings.Repeat("a", 250) + "@x.io", FirstName: " A\x00da\u202E ", LastName: "Love\tlace"})
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "Ada" || u.LastName != "Love lace" {
		t.Fatalf("names stored as %q %q, want them cleaned", u.FirstName, u.LastName)
	}
}

func TestSearchOverCapRefused(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("q", mfa.FieldSearch.Max+1)
	_, err := e.svc.Users.ListUsers(e.ctx, long, "", 10)
	wantReason(t, err, mfa.RInvalidInput)
	_, err = e.svc.Org.Events(e.ctx, mfa.EventFilter{Query: long})
	wantReason(t, err, mfa.RInvalidInput)
	if _, err := e.svc.Users.ListUsers(e.ctx, "\x00", "", 10); err != nil {
		t.Fatalf("a search with a NUL: %v", err)
	}
}

func TestSettingValuesCleanedAndCapped(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"org_name": "Ac\x00me\u202E"}); err != nil {
		t.Fatal(err)
	}
	set, err := e.svc.Org.Settings(e.ctx)
	if err != nil || set.OrgName != "Acme" {
		t.Fatalf("org_name = %q, %v; want Acme", set.OrgName, err)
	}
	err = e.svc.Org.UpdateSettings(e.ctx, map[string]string{"trusted_origins": strings.Repeat("https://a.example.com,", 100)})
	if m := mfa.ErrorOf(err); err == nil || m.Message != "trusted_origins must be at most 2048 characters" {
		t.Fatalf("a 2200-character setting: %v", err)
	}
}

func TestTemplateAndProviderText(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Telephony.SetTemplate(e.ctx, "fr", "Code\x00 : {code}\u202E\r\nMerci"); err != nil {
		t.Fatal(err)
	}
	ts, err := e.svc.Telephony.Templates(e.ctx)
	if err != nil || len(ts) != 1 || ts[0].Body != "Code : {code}\nMerci" {
		t.Fatalf("templates = %+v, %v", ts, err)
	}
	wantReason(t, e.svc.Telephony.SetTemplate(e.ctx, "f\x00r", "{code}"), mfa.RInvalidInput)
	sid := "AC" + strings.Repeat("1", 32)
	for _, tc := range []struct {
		p    mfa.ProviderConfig
		want string
	}{
		{mfa.ProviderConfig{Name: "tw\x00", Type: "twilio", Credentials: map[string]string{"account_sid": sid, "auth_token": "x"}},
			"provider: name: 1 to 40 printable characters without spaces or slashes"},
		{mfa.ProviderConfig{Name: "tw", Type: "webhook", BaseURL: "https://h.example/" + strings.Repeat("p", 2048), Credentials: map[string]string{"secret": "s"}},
			"provider: url: at most 2048 printable characters without spaces"},
		{mfa.ProviderConfig{Name: "tw", Type: "twilio", Credentials: map[string]string{"account_sid": sid, "auth_token": "x\x00y"}},
			`provider: credential "auth_token": at most 4096 printable characters`},
	} {
		_, err := e.svc.Telephony.AddProvider(e.ctx, tc.p)
		if m := mfa.ErrorOf(err); err == nil || m.Reason != mfa.RInvalidInput || m.Message != tc.want {
			t.Errorf("AddProvider(%.30q) = %v, want %s", tc.p.Name, err, tc.want)
		}
	}
	if _, err := e.svc.Telephony.AddProvider(e.ctx, mfa.ProviderConfig{Name: "hook", Type: "webhook", BaseURL: "https://h.example/sms",
		Credentials: map[string]string{"secret": "a secret with spaces"}}); err != nil {
		t.Fatalf("a secret with spaces: %v", err)
	}
}

// Issue 9, item 2: the system log keeps events for log_retention (90 days
// by default), and the purge deletes the older ones.
func TestLogRetention(t *testing.T) {
	e := newEnv(t)
	vals, err := e.svc.Org.SettingValues(e.ctx)
	if err != nil || vals["log_retention"] != "7776000s" {
		t.Fatalf("log_retention = %q, %v; want 90 days", vals["log_retention"], err)
	}
	for _, bad := range []string{"1h", "87600h1s", "forever", "-24h"} {
		wantReason(t, e.svc.Org.UpdateSettings(e.ctx, map[string]string{"log_retention": bad}), mfa.RSettingInvalid)
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"log_retention": "720h"}); err != nil {
		t.Fatal(err)
	}
	e.user(t, "old@example.com") // events now
	e.clock.Advance(20 * 24 * time.Hour)
	e.user(t, "newer@example.com")
	e.clock.Advance(11 * 24 * time.Hour) // the first events are 31 days old
	if _, err := e.svc.Org.Purge(e.ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Target.AlternateID != "newer@example.com" {
		t.Fatalf("after the purge: %d events (%v), want only the 11-day-old one", len(evs), evs)
	}
}

func TestRecordBlockedOnceAMinutePerAddress(t *testing.T) {
	e := newEnv(t)
	other := mfa.WithClient(context.Background(), mfa.Client{IP: "198.51.100.7"})
	for range 5 {
		for _, ctx := range []context.Context{e.ctx, other} {
			if err := e.svc.Org.RecordBlocked(ctx, mfa.BlockedTooLarge, "POST /login"); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Advance(time.Minute)
	if err := e.svc.Org.RecordBlocked(e.ctx, mfa.BlockedTooLarge, "POST /login"); err != nil {
		t.Fatal(err)
	}
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{mfa.EvRequestBlocked}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3 (one per address and minute)", len(evs))
	}
}
