package mfa_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

func TestPhoneLimits(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "p1@example.com")
	f := e.activeFactor(t, u, alicePhone) // 1 code
	for i := range 4 {
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
			t.Fatalf("code %d: %v", i+2, err)
		}
	}
	e.clock.Advance(30 * time.Second)
	_, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RPhoneLimit)
	if e.sentTo(alicePhone) != 5 {
		t.Fatalf("%d SMS sent, want 5", e.sentTo(alicePhone))
	}
	evs := e.events(t, mfa.EvRateLimit)
	if len(evs) != 1 || evs[0].Details["rule"] != "phone15m" || evs[0].Outcome != mfa.OutcomeDeny {
		t.Fatalf("rate limit events: %+v", evs)
	}
	// A refused send is not counted: after the window, the number gets
	// codes again.
	e.clock.Advance(15 * time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
}

func TestUserHourLimit(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_phone_15m": "100", "limit_phone_day": "100", "limit_user_hour": "3"})
	u := e.user(t, "p2@example.com")
	f := e.activeFactor(t, u, alicePhone)
	for range 2 {
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(30 * time.Second)
	_, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID)
	wantReason(t, err, mfa.RUserLimit)
}

func TestIPLimitAcrossUsers(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_hour": "3"})
	for i := range 3 {
		u := e.user(t, fmt.Sprintf("ip%d@example.com", i))
		if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: fmt.Sprintf("+1415555010%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	u := e.user(t, "ip3@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550109"})
	wantReason(t, err, mfa.RIPLimit)
	// Another client address is not affected.
	other := mfa.WithClient(e.ctx, mfa.Client{IP: "198.51.100.7"})
	if _, _, err := e.svc.Factors.EnrollSMS(other, u.ID, mfa.EnrollRequest{Phone: "+14155550109"}); err != nil {
		t.Fatal(err)
	}
}

func TestBudget(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"budget_daily": "5", "budget_alert_percent": "80"})
	for i := range 5 {
		u := e.user(t, fmt.Sprintf("b%d@example.com", i))
		ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("192.0.2.%d", i)})
		if _, _, err := e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: fmt.Sprintf("+1415555010%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if w := e.events(t, mfa.EvBudgetWarning); len(w) != 1 || w[0].Details["sent"] != "4" {
		t.Fatalf("budget warning events: %+v", w)
	}
	u := e.user(t, "b5@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550109"})
	wantReason(t, err, mfa.RBudget)
	if len(e.events(t, mfa.EvBudgetExceeded)) != 1 {
		t.Fatal("budget refusal not logged")
	}
	// The budget is per UTC day.
	e.clock.Advance(24 * time.Hour)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550109"}); err != nil {
		t.Fatal(err)
	}
}

func TestSharedNumberBlockedUntilTrusted(t *testing.T) {
	e := newEnv(t)
	shared := "+14155550142"
	var users []*mfa.User
	for i := range 5 {
		u := e.user(t, fmt.Sprintf("team%d@example.com", i))
		users = append(users, u)
		ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("192.0.2.%d", i)})
		if _, _, err := e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: shared}); err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
		e.clock.Advance(time.Minute)
	}
	sixth := e.user(t, "team5@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, sixth.ID, mfa.EnrollRequest{Phone: shared})
	wantReason(t, err, mfa.RNumberBlocked)
	// Blocked for everybody, also users who used it before.
	e.clock.Advance(time.Minute)
	_, err = e.svc.Factors.ResendEnroll(e.ctx, users[0].ID, mustFactor(t, e, users[0].ID).ID)
	wantReason(t, err, mfa.RNumberBlocked)
	if evs := e.events(t, mfa.EvNumberBlocked); len(evs) != 1 || evs[0].Details["users"] != "6" {
		t.Fatalf("block events: %+v", evs)
	}
	ns, _ := e.svc.Org.Numbers(e.ctx)
	if len(ns) != 1 || ns[0].Status != mfa.NumberBlocked {
		t.Fatalf("numbers: %+v", ns)
	}
	if err := e.svc.Org.SetNumberStatus(e.ctx, shared, mfa.NumberTrusted); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, sixth.ID, mfa.EnrollRequest{Phone: shared}); err != nil {
		t.Fatalf("trusted number refused: %v", err)
	}
}

func TestUnblockCountsSharingAfresh(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"shared_number_max_users": "2"})
	shared := "+14155550143"
	for i := range 3 {
		u := e.user(t, fmt.Sprintf("s%d@example.com", i))
		_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: shared})
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			wantReason(t, err, mfa.RNumberBlocked)
		}
		e.clock.Advance(time.Minute)
	}
	e.svc.Org.SetNumberStatus(e.ctx, shared, mfa.NumberCleared)
	e.clock.Advance(time.Minute)
	u, _ := e.svc.Users.GetUser(e.ctx, "s2@example.com")
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: shared}); err != nil {
		t.Fatalf("after unblock: %v", err)
	}
}

func mustFactor(t *testing.T, e *env, userID string) *mfa.Factor {
	t.Helper()
	st, err := e.svc.Factors.FactorState(e.ctx, userID)
	if err != nil || st.Factor == nil {
		t.Fatalf("no factor: %v", err)
	}
	return st.Factor
}

func TestSharedNumberLimitHoldsUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"shared_number_max_users": "2", "limit_phone_15m": "100", "limit_ip_hour": "1000"})
	var users []*mfa.User
	for i := range 12 {
		users = append(users, e.user(t, fmt.Sprintf("par%d@example.com", i)))
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() { e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550150"}) })
	}
	wg.Wait()
	got := map[string]bool{}
	for _, m := range e.sink.Messages() {
		if m.To == "+14155550150" {
			got[m.ID] = true
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d users got codes to a number shared by at most 2", len(got))
	}
}

func TestAddressLimitKeysIPv6ByPrefixAndSkipsServerSideCalls(t *testing.T) {
	if got := mfa.AddressBucket("2001:db8:1:2:aaaa::1"); got != "2001:db8:1:2::/64" {
		t.Fatalf("IPv6 bucket %q", got)
	}
	if got := mfa.AddressBucket("192.0.2.7"); got != "192.0.2.7" {
		t.Fatalf("IPv4 bucket %q", got)
	}
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_hour": "2"})
	send := func(ctx context.Context, i int) error {
		u := e.user(t, fmt.Sprintf("v6-%d-%d@example.com", i, time.Now().UnixNano()))
		_, _, err := e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: fmt.Sprintf("+1415555016%d", i)})
		return err
	}
	for i := range 3 {
		ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("2001:db8:1:2::%x", i+1)})
		err := send(ctx, i)
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			wantReason(t, err, mfa.RIPLimit) // other addresses of the same /64
		}
	}
	server := mfa.WithClient(e.ctx, mfa.Client{IP: "2001:db8:1:2::1", ServerSide: true})
	if err := send(server, 3); err != nil {
		t.Fatalf("a server-side call was held to the per-address limit: %v", err)
	}
}
