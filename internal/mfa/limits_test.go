package mfa_test

import (
	"context"
	"fmt"
	"strings"
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
	if len(evs) != 1 || evs[0].Details["rule"] != "userphone15m" || evs[0].Outcome != mfa.OutcomeDeny {
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
	// The refused code left nothing behind: no text, no factor, no code
	// waiting, no send event.
	if e.sentTo("+14155550109") != 0 {
		t.Fatal("a text went out past the budget")
	}
	if st, err := e.svc.Factors.FactorState(e.ctx, u.ID); err != nil || st.Factor != nil || st.Pending != nil {
		t.Fatalf("after the budget refusal: factor %+v, pending %+v, %v", st.Factor, st.Pending, err)
	}
	if n := len(e.events(t, mfa.EvSMSEnrollCode)); n != 5 {
		t.Fatalf("%d code events, want the 5 within the budget", n)
	}
	// The budget is per UTC day.
	e.clock.Advance(24 * time.Hour)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550109"}); err != nil {
		t.Fatal(err)
	}
}

// verifyOn enrolls u on number and verifies it, from its own address.
func (e *env) verifyOn(t *testing.T, u *mfa.User, number string, i int) *mfa.Factor {
	t.Helper()
	ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("192.0.2.%d", 100+i)})
	f, _, err := e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: number})
	if err != nil {
		t.Fatalf("%s: enroll: %v", u.Login, err)
	}
	if _, err := e.svc.Factors.ActivateSMS(ctx, u.ID, f.ID, e.lastCode(t, number)); err != nil {
		t.Fatalf("%s: activate: %v", u.Login, err)
	}
	return f
}

func TestSharedNumberBlockedForNewEnrollmentsUntilTrusted(t *testing.T) {
	e := newEnv(t)
	shared := "+14155550142"
	var users []*mfa.User
	var factors []*mfa.Factor
	for i := range 5 {
		u := e.user(t, fmt.Sprintf("team%d@example.com", i))
		users = append(users, u)
		factors = append(factors, e.verifyOn(t, u, shared, i))
		e.clock.Advance(4 * time.Minute)
	}
	sixth := e.user(t, "team5@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, sixth.ID, mfa.EnrollRequest{Phone: shared})
	wantReason(t, err, mfa.RNumberBlocked)
	if evs := e.events(t, mfa.EvNumberBlocked); len(evs) != 1 || evs[0].Details["users"] != "6" {
		t.Fatalf("block events: %+v", evs)
	}
	if evs := e.events(t, mfa.EvNumberBlocked); strings.Contains(evs[0].Target.ID, "4155550142") {
		t.Fatalf("the system log holds the whole number: %+v", evs[0].Target)
	}
	ns, _ := e.svc.Org.Numbers(e.ctx)
	if len(ns) != 1 || ns[0].Status != mfa.NumberBlocked {
		t.Fatalf("numbers: %+v", ns)
	}
	// The users verified on it keep signing in.
	for i, u := range users {
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, factors[i].ID); err != nil {
			t.Fatalf("%s cannot sign in on a blocked number: %v", u.Login, err)
		}
		if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, factors[i].ID, e.lastCode(t, shared)); err != nil {
			t.Fatal(err)
		}
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
	for i := range 2 {
		e.verifyOn(t, e.user(t, fmt.Sprintf("s%d@example.com", i)), shared, i)
		e.clock.Advance(time.Minute)
	}
	third := e.user(t, "s2@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, third.ID, mfa.EnrollRequest{Phone: shared})
	wantReason(t, err, mfa.RNumberBlocked)
	if err := e.svc.Org.SetNumberStatus(e.ctx, shared, mfa.NumberCleared); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, third.ID, mfa.EnrollRequest{Phone: shared}); err != nil {
		t.Fatalf("after unblock: %v", err)
	}
}

// The attack of issue 9: accounts without a factor enroll a victim's
// number, again and again. The victim keeps signing in, the number is not
// blocked, and the admin is told.
func TestStrangersEnrollingAUsersNumberCannotLockThemOut(t *testing.T) {
	e := newEnv(t)
	victim := e.user(t, "victim@example.com")
	vf := e.verifyOn(t, victim, alicePhone, 0)
	e.clock.Advance(time.Minute)
	attackers := 0
	refused := 0
	for i := range 20 {
		a := e.user(t, fmt.Sprintf("attacker%d@example.com", i))
		ctx := mfa.WithClient(e.ctx, mfa.Client{IP: fmt.Sprintf("203.0.113.%d", i)})
		for range 3 {
			if _, _, err := e.svc.Factors.EnrollSMS(ctx, a.ID, mfa.EnrollRequest{Phone: alicePhone}); err != nil {
				refused++
			} else {
				attackers++
			}
			e.clock.Advance(31 * time.Second)
		}
	}
	if attackers == 0 || refused == 0 {
		t.Fatalf("the attack should get some codes out and hit the number's limits: %d sent, %d refused", attackers, refused)
	}
	if ns, _ := e.svc.Org.Numbers(e.ctx); len(ns) != 0 {
		t.Fatalf("strangers got the victim's number blocked: %+v", ns)
	}
	// The victim signs in, as often as their own limits allow.
	for i := range 3 {
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, victim.ID, vf.ID); err != nil {
			t.Fatalf("victim's sign-in %d refused after the attack: %v", i+1, err)
		}
		if err := e.svc.Factors.VerifySMS(e.ctx, victim.ID, vf.ID, e.lastCode(t, alicePhone)); err != nil {
			t.Fatal(err)
		}
	}
	// The admin sees it on the victim's record in the system log: one
	// event per code that went out (a refused attempt writes none, so a
	// loop of refused enrollments cannot flood the log).
	evs := e.events(t, mfa.EvNumberEnrolledByOther)
	if len(evs) != attackers {
		t.Fatalf("%d enrolled-by-other events, want one per code sent (%d)", len(evs), attackers)
	}
	if evs[0].Target.ID != victim.ID || evs[0].Actor.ID == victim.ID {
		t.Fatalf("event target %+v actor %+v, want the victim as target and the attacker as actor", evs[0].Target, evs[0].Actor)
	}
}

// A stranger cannot get around the victim's own sending budget either: one
// account asking for enrollment codes to the victim's number fills only the
// number's shared buckets and its own.
func TestOneAccountCannotSpendAUsersDailyCodes(t *testing.T) {
	e := newEnv(t)
	e.relaxLimits(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_phone_15m": "5", "limit_phone_day": "20"})
	victim := e.user(t, "victim2@example.com")
	vf := e.verifyOn(t, victim, alicePhone, 0)
	attacker := e.user(t, "spender@example.com")
	for range 40 {
		e.clock.Advance(31 * time.Second)
		e.svc.Factors.EnrollSMS(e.ctx, attacker.ID, mfa.EnrollRequest{Phone: alicePhone})
	}
	for i := range 5 {
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, victim.ID, vf.ID); err != nil {
			t.Fatalf("victim's code %d refused: %v", i+1, err)
		}
	}
}

func TestSharedNumberLimitHoldsUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	e.svc.Org.UpdateSettings(e.ctx, map[string]string{"shared_number_max_users": "2", "limit_phone_15m": "100", "limit_phone_day": "100", "limit_ip_hour": "1000"})
	const shared = "+14155550150"
	type enrolled struct {
		u    *mfa.User
		f    *mfa.Factor
		code string
	}
	var all []enrolled
	for i := range 12 {
		u := e.user(t, fmt.Sprintf("par%d@example.com", i))
		f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: shared})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, enrolled{u, f, e.lastCode(t, shared)})
	}
	// Twelve users hold a code for the number; they verify it at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for _, x := range all {
		wg.Go(func() {
			if _, err := e.svc.Factors.ActivateSMS(e.ctx, x.u.ID, x.f.ID, x.code); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 2 {
		t.Fatalf("%d users verified a number shared by at most 2", ok)
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
