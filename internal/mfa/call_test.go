package mfa_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/devsink"
)

// londonLandline is a UK fixed line: it takes calls, not texts.
const londonLandline = "+442079460958"

func (e *env) enableCalls(t testing.TB, more map[string]string) {
	t.Helper()
	set := map[string]string{"call_enabled": "true"}
	for k, v := range more {
		set[k] = v
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, set); err != nil {
		t.Fatal(err)
	}
}

// lastCall returns the newest call to number the sink received.
func (e *env) lastCall(t testing.TB, number string) devsink.Message {
	t.Helper()
	msgs := e.sink.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == number {
			if msgs[i].Channel != "voice" {
				t.Fatalf("the newest message to %s is a text, not a call: %+v", number, msgs[i])
			}
			return msgs[i]
		}
	}
	t.Fatalf("no call to %s", number)
	return devsink.Message{}
}

// spoken is how a call reads code out: digit by digit.
func spoken(code string) string { return strings.Join(strings.Split(code, ""), ", ") + "." }

func TestCallFactorOnALandline(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "voice@example.com", Password: "Correct-Horse-9", Activate: true, Locale: "de_DE"})
	if err != nil {
		t.Fatal(err)
	}
	// Off by default.
	_, _, err = e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline})
	wantReason(t, err, mfa.RFactorDisabled)
	e.enableCalls(t, nil)

	// A landline cannot take texts, but can take calls.
	_, _, err = e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: londonLandline})
	wantReason(t, err, mfa.RPhoneType)
	f, sent, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: "+44 20 7946 0958", Extension: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != mfa.FactorTypeCall || f.Status != mfa.FactorPending || f.Extension != "1234" || !strings.HasPrefix(f.ID, "clf") {
		t.Fatalf("factor %+v", f)
	}
	if sent.Delivery.State != mfa.MessageSent {
		t.Fatalf("delivery %+v", sent.Delivery)
	}
	call := e.lastCall(t, londonLandline)
	if call.Extension != "1234" {
		t.Fatalf("the call dials extension %q, want 1234", call.Extension)
	}
	// In the user's language, the code read out twice, digit by digit.
	if !strings.Contains(call.Body, "Ihr Bestätigungscode lautet") || strings.Count(call.Body, spoken(call.Code)) != 2 {
		t.Fatalf("call reads %q (code %s)", call.Body, call.Code)
	}
	if evs := e.events(t, mfa.EvCallEnrollCode); len(evs) != 1 || evs[0].Details["factor_type"] != "call" || evs[0].Details["channel"] != "voice" {
		t.Fatalf("call events %+v", evs)
	}

	// A wrong code counts as any wrong code.
	_, err = e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, wrong(call.Code))
	wantReason(t, err, mfa.RCodeWrong)
	if evs := e.events(t, mfa.EvMFAVerify); len(evs) == 0 || evs[0].Details["factor_type"] != "call" {
		t.Fatalf("failure events %+v", evs)
	}
	if f, err = e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, call.Code); err != nil {
		t.Fatal(err)
	}
	if f.Status != mfa.FactorActive {
		t.Fatalf("status %s", f.Status)
	}
	// The landline is not the user's texting phone.
	if st, err := e.svc.Factors.FactorState(e.ctx, u.ID); err != nil || st.Phone != nil {
		t.Fatalf("verified phone %+v, %v", st.Phone, err)
	}
	if evs := e.events(t, mfa.EvFactorActivate); len(evs) != 1 || evs[0].Details["factor_type"] != "call" {
		t.Fatalf("activate events %+v", evs)
	}

	// Sign-in: a call with a new code.
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	code := e.lastCall(t, londonLandline).Code
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code); err != nil {
		t.Fatal(err)
	}
	if evs := e.events(t, mfa.EvCallVerifyCode); len(evs) != 1 {
		t.Fatalf("verify call events %+v", evs)
	}
	// Once active, enrolling again is refused.
	_, _, err = e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline})
	wantReason(t, err, mfa.RFactorExists)

	if err := e.svc.Factors.DeleteFactor(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	if evs := e.events(t, mfa.EvFactorDeactivate); len(evs) != 1 || evs[0].Message != "Voice call factor removed" {
		t.Fatalf("remove events %+v", evs)
	}
}

func TestCallNumberRules(t *testing.T) {
	e := newEnv(t)
	e.enableCalls(t, nil)
	u := e.user(t, "rules@example.com")
	for _, c := range []struct {
		phone string
		want  mfa.Reason
	}{
		{"+1 900 555 0199", mfa.RPhoneType},     // premium rate
		{"+881 6 3123 4567", mfa.RPhoneCountry}, // satellite range: ranges_deny
		{"12", mfa.RPhoneInvalid},
	} {
		_, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: c.phone})
		if reason(err) != c.want && !(c.want == mfa.RPhoneInvalid && reason(err) == mfa.RPhoneUnverifiable) {
			t.Errorf("%s: got %v, want %s", c.phone, err, c.want)
		}
	}
	_, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline, Extension: "12#4"})
	wantReason(t, err, mfa.RInvalidInput)
	if n := len(e.sink.Messages()); n != 0 {
		t.Fatalf("%d calls placed to refused numbers", n)
	}
	if evs := e.events(t, mfa.EvPhoneRefused); len(evs) < 2 || evs[0].Details["factor_type"] != "call" {
		t.Fatalf("refusal events %+v", evs)
	}
}

func TestCallResendWaitAndLimits(t *testing.T) {
	e := newEnv(t)
	e.enableCalls(t, map[string]string{"limit_user_hour": "3", "limit_phone_15m": "100", "limit_phone_day": "100"})
	u := e.user(t, "wait@example.com")
	f, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline})
	if err != nil {
		t.Fatal(err)
	}
	// Okta's E0000133: a call was made less than 30 seconds ago.
	e.clock.Advance(10 * time.Second)
	_, err = e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RCallTooSoon)
	for range 2 {
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The same per-user limit as texts.
	e.clock.Advance(30 * time.Second)
	_, err = e.svc.Factors.ResendEnroll(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RUserLimit)
	if n := len(e.sink.Messages()); n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
}

func TestVoiceBudgetStopsCallsNotTexts(t *testing.T) {
	e := newEnv(t)
	e.enableCalls(t, map[string]string{"budget_voice_daily": "2", "budget_alert_percent": "50"})
	e.relaxLimits(t)
	var users []*mfa.User
	for _, login := range []string{"b1@example.com", "b2@example.com", "b3@example.com"} {
		users = append(users, e.user(t, login))
	}
	for i, u := range users[:2] {
		if _, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, _, err := e.svc.Factors.EnrollCall(e.ctx, users[2].ID, mfa.CallEnrollRequest{Phone: "+442079460959"})
	wantReason(t, err, mfa.RVoiceBudget)
	evs := e.events(t, mfa.EvBudgetExceeded)
	if len(evs) != 1 || evs[0].Details["rule"] != "budget_voice" || evs[0].Outcome != mfa.OutcomeDeny {
		t.Fatalf("budget events %+v", evs)
	}
	if w := e.events(t, mfa.EvBudgetWarning); len(w) != 1 || w[0].Details["channel"] != "voice" {
		t.Fatalf("budget warnings %+v", w)
	}
	if o, err := e.svc.Org.Overview(e.ctx); err != nil || o.CallsToday != 2 || o.VoiceBudget != 2 || !o.CallEnabled {
		t.Fatalf("overview %+v %v: want 2 calls of 2 (the refused one not counted)", o, err)
	}
	// The refused call left no factor behind, and texts have their own budget.
	if st, _ := e.svc.Factors.CallState(e.ctx, users[2].ID); st.Factor != nil {
		t.Fatalf("factor kept after a refused call: %+v", st.Factor)
	}
	e.activeFactor(t, users[2], alicePhone)
}

func TestCallMeInstead(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "instead@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(time.Minute)
	// Not while calls are off.
	_, err := e.svc.Factors.CallInstead(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RFactorDisabled)
	e.enableCalls(t, nil)
	sent, err := e.svc.Factors.CallInstead(e.ctx, u.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Channel != mfa.ChannelVoice || sent.To != alicePhone {
		t.Fatalf("sent %+v", sent)
	}
	call := e.lastCall(t, alicePhone)
	if !strings.Contains(call.Body, "Your verification code is") || strings.Count(call.Body, spoken(call.Code)) != 2 {
		t.Fatalf("call reads %q", call.Body)
	}
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, call.Code); err != nil {
		t.Fatal(err)
	}
}

// A stranger who holds a user's password and hammers "Call me" from one
// address is stopped by the same limits as texts, and the user's own
// sign-in from elsewhere still gets its call.
func TestStrangerHammeringCallMeIsBounded(t *testing.T) {
	e := newEnv(t)
	e.enableCalls(t, map[string]string{"limit_ip_hour": "8"})
	u := e.user(t, "hammered@example.com")
	f := e.activeFactor(t, u, alicePhone)
	stranger := mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.66", UserAgent: "bot"})
	calls, refused := 0, map[mfa.Reason]int{}
	for range 40 {
		e.clock.Advance(31 * time.Second)
		v, err := e.svc.Signin.PrimaryAuth(stranger, u.Login, "Correct-Horse-9", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Signin.TxnChallenge(stranger, v.Txn.StateToken, f.ID); err != nil {
			refused[reason(err)]++
			continue
		}
		e.clock.Advance(31 * time.Second)
		if _, _, err := e.svc.Signin.TxnCallInstead(stranger, v.Txn.StateToken); err != nil {
			refused[reason(err)]++
			continue
		}
		calls++
	}
	// Texts and calls to the number from that address share its buckets:
	// 5 codes per 15 minutes to the number, 8 per hour from the address.
	if calls == 0 || calls > 8 || refused[mfa.RPhoneLimit]+refused[mfa.RIPLimit] == 0 {
		t.Fatalf("%d calls, refusals %v", calls, refused)
	}
	if n := len(e.events(t, mfa.EvRateLimit)); n == 0 {
		t.Fatal("the refusals are not in the system log")
	}
	// The user, from home, still gets a call.
	home := mfa.WithClient(e.ctx, mfa.Client{IP: "198.51.100.7", UserAgent: "browser"})
	e.clock.Advance(31 * time.Second)
	v, err := e.svc.Signin.PrimaryAuth(home, u.Login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Signin.TxnChallenge(home, v.Txn.StateToken, f.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(31 * time.Second)
	if _, sent, err := e.svc.Signin.TxnCallInstead(home, v.Txn.StateToken); err != nil || sent.Channel != mfa.ChannelVoice {
		t.Fatalf("the user's own call: %v", err)
	}
}

// Numbers verified for Voice Call count for the shared-number rule: a
// landline many accounts verify is blocked for new enrollments, calls and
// texts alike.
func TestSharedNumberRuleCountsCallFactors(t *testing.T) {
	e := newEnv(t)
	e.enableCalls(t, map[string]string{"shared_number_max_users": "2"})
	e.relaxLimits(t)
	for i := range 2 {
		u := e.user(t, fmt.Sprintf("share%d@example.com", i))
		f, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: londonLandline})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCall(t, londonLandline).Code); err != nil {
			t.Fatal(err)
		}
	}
	third := e.user(t, "share3@example.com")
	_, _, err := e.svc.Factors.EnrollCall(e.ctx, third.ID, mfa.CallEnrollRequest{Phone: londonLandline})
	wantReason(t, err, mfa.RNumberBlocked)
	if evs := e.events(t, mfa.EvNumberBlocked); len(evs) != 1 {
		t.Fatalf("blocked events %+v", evs)
	}
}
