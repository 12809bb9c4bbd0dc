package mfa_test

import (
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

func TestDefaultsMatchDesign(t *testing.T) {
	s := mfa.DefaultSettings()
	if s.CodeLength != 6 || s.CodeLifetime != 300*time.Second || s.CodeMaxAttempts != 5 || s.MFALockFailures != 10 ||
		s.MFALockDuration != 15*time.Minute || s.ResendCooldown != 30*time.Second || s.PhonePer15m != 5 || s.PhonePerDay != 20 ||
		s.UserPerHour != 10 || s.IPPerHour != 30 || s.SharedMaxUsers != 5 || s.BudgetDaily != 10000 || s.BudgetAlertPct != 80 ||
		s.PasswordFailures != 10 || s.SMSEnabled || strings.Join(s.PhoneTypes, ",") != "fixed_line_or_mobile,mobile" {
		t.Fatalf("defaults: %+v", s)
	}
}

func TestUpdateSettingsValidatesAllOrNothing(t *testing.T) {
	e := newEnv(t)
	err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"code_lifetime": "10m", "code_length": "3", "nope": "1"})
	wantReason(t, err, mfa.RSettingInvalid)
	for _, want := range []string{"code_length must be a whole number from 6 to 10", `unknown setting "nope"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	s, _ := e.svc.Org.Settings(e.ctx)
	if s.CodeLifetime != 300*time.Second {
		t.Fatal("a valid change was saved although another was refused")
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"code_lifetime": "10m", "countries_allow": "+44, 1 44"}); err != nil {
		t.Fatal(err)
	}
	vals, _ := e.svc.Org.SettingValues(e.ctx)
	if vals["code_lifetime"] != "600s" || vals["countries_allow"] != "1,44" {
		t.Fatalf("canonical values: %v", vals)
	}
	evs := e.events(t, mfa.EvSettingsUpdate)
	if len(evs) != 2 || evs[1].Details["old"] != "300s" || evs[1].Details["new"] != "600s" || evs[1].Actor.Type != "System" {
		t.Fatalf("settings changes not logged one by one: %+v", evs)
	}
	// A new code lifetime shows in the next SMS.
	u := e.user(t, "set@example.com")
	e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: alicePhone})
	if !strings.Contains(e.sink.Messages()[0].Body, "expires in 10 minutes") {
		t.Fatalf("SMS: %q", e.sink.Messages()[0].Body)
	}
}

// Settings are cached per process, but a change made by another instance
// (or the command line) is seen by the next unit of work.
func TestSettingsChangedElsewhereAreSeenAtOnce(t *testing.T) {
	e := newEnv(t)
	other := newEnvOn(t, e.db) // another instance on the same database
	if set, err := e.svc.Org.Settings(e.ctx); err != nil || set.CodeLength != 6 {
		t.Fatalf("code length %d, %v", set.CodeLength, err)
	}
	if err := other.svc.Org.UpdateSettings(other.ctx, map[string]string{"code_length": "8"}); err != nil {
		t.Fatal(err)
	}
	if set, err := e.svc.Org.Settings(e.ctx); err != nil || set.CodeLength != 8 {
		t.Fatalf("after another instance's change: code length %d, %v", set.CodeLength, err)
	}
	// A cached value handed out cannot change the cache.
	set, _ := e.svc.Org.Settings(e.ctx)
	set.PhoneTypes[0] = "premium_rate"
	if again, _ := e.svc.Org.Settings(e.ctx); again.PhoneTypes[0] == "premium_rate" {
		t.Fatal("a caller changed the cached settings")
	}
}

// Message templates are cached with the settings; a template changed by
// another instance is used for the next code.
func TestTemplateChangedElsewhereIsUsedAtOnce(t *testing.T) {
	e := newEnv(t)
	other := newEnvOn(t, e.db)
	u := e.user(t, "tpl@example.com")
	f := e.activeFactor(t, u, alicePhone)
	if err := other.svc.Telephony.SetTemplate(other.ctx, "en", "Acme sign-in code {code} (valid {expires})."); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	msgs := e.sink.Messages()
	if body := msgs[len(msgs)-1].Body; !strings.HasPrefix(body, "Acme sign-in code ") {
		t.Fatalf("the text after another instance changed the template: %q", body)
	}
}
