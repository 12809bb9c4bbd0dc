package mfa_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"smsmfa/internal/mfa"
)

func setupReq(code string, local bool) mfa.SetupRequest {
	return mfa.SetupRequest{Local: local, Code: code, Login: "root@example.com", Password: "Admin-Pass-2026", FirstName: "Ada", LastName: "Root"}
}

func (e *env) from(ip string) context.Context {
	return mfa.WithClient(context.Background(), mfa.Client{IP: ip, UserAgent: "test", RequestID: "req-" + ip})
}

func (e *env) setupEvents(t *testing.T, types ...string) []mfa.Event {
	t.Helper()
	ev, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: types, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestSetupFromLoopbackNeedsNoCodeAndHappensOnce(t *testing.T) {
	e := newEnv(t)
	need, err := e.svc.Users.NeedsSetup(e.ctx)
	if err != nil || !need {
		t.Fatalf("a fresh database needs setup: %v %v", need, err)
	}
	if _, err := e.svc.Users.StartSetup(e.ctx); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.Users.SetupAdmin(e.from("127.0.0.1"), setupReq("", true))
	if err != nil {
		t.Fatal(err)
	}
	if !u.Admin || u.Status != mfa.UserActive || u.FirstName != "Ada" || u.LastName != "Root" {
		t.Fatalf("first admin: %+v", u)
	}
	if need, _ := e.svc.Users.NeedsSetup(e.ctx); need {
		t.Fatal("setup still needed once an admin exists")
	}
	_, err = e.svc.Users.SetupAdmin(e.from("127.0.0.1"), mfa.SetupRequest{Local: true, Login: "second@example.com", Password: "Admin-Pass-2026"})
	wantReason(t, err, mfa.RSetupDone)
	if code, err := e.svc.Users.StartSetup(e.ctx); err != nil || code != "" {
		t.Fatalf("a start with an admin issues no code: %q %v", code, err)
	}
	done := e.setupEvents(t, mfa.EvSetupComplete)
	if len(done) != 1 || done[0].Details["method"] != "loopback" || done[0].ClientIP != "127.0.0.1" {
		t.Fatalf("setup events: %+v", done)
	}
}

func TestSetupFromElsewhereNeedsTheCodeOnce(t *testing.T) {
	e := newEnv(t)
	code, err := e.svc.Users.StartSetup(e.ctx)
	if err != nil || len(code) != 14 || code[4] != '-' {
		t.Fatalf("setup code %q %v", code, err)
	}
	var hash string
	if err := e.db.SQL().QueryRow(`SELECT hash FROM setup_codes`).Scan(&hash); err != nil || len(hash) != 64 || strings.Contains(strings.ToUpper(hash), strings.ReplaceAll(code, "-", "")) {
		t.Fatalf("the code is not stored only hashed (%q, %v)", hash, err)
	}
	remote := e.from("198.51.100.7")
	_, err = e.svc.Users.SetupAdmin(remote, setupReq("", false))
	wantReason(t, err, mfa.RCodeMissing)
	_, err = e.svc.Users.SetupAdmin(remote, setupReq("ABCD-EFGH-JKMN", false))
	wantReason(t, err, mfa.RCodeWrong)
	// A weak password is refused before the code is looked at.
	weak := setupReq(code, false)
	weak.Password = "short"
	_, err = e.svc.Users.SetupAdmin(remote, weak)
	wantReason(t, err, mfa.RPasswordPolicy)
	// Typed as a person copies it: lower case, spaces.
	u, err := e.svc.Users.SetupAdmin(remote, setupReq(" "+strings.ToLower(strings.ReplaceAll(code, "-", " "))+" ", false))
	if err != nil {
		t.Fatal(err)
	}
	if !u.Admin {
		t.Fatal("not an admin")
	}
	// The code died with its use: a second setup with it is refused.
	again := setupReq(code, false)
	again.Login = "mallory@example.com"
	_, err = e.svc.Users.SetupAdmin(e.from("203.0.113.9"), again)
	wantReason(t, err, mfa.RSetupDone)
	var stored int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM setup_codes`).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("%d setup codes left after setup (%v)", stored, err)
	}
	refused := e.setupEvents(t, mfa.EvSetupRefused)
	if len(refused) != 2 || refused[0].ClientIP != "198.51.100.7" {
		t.Fatalf("refusals in the system log: %+v", refused)
	}
	done := e.setupEvents(t, mfa.EvSetupComplete)
	if len(done) != 1 || done[0].Details["method"] != "setup_code" {
		t.Fatalf("setup events: %+v", done)
	}
}

func TestSetupCodeTypedOnLoopbackIsChecked(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Users.StartSetup(e.ctx); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Users.SetupAdmin(e.from("127.0.0.1"), setupReq("WRONG-CODE-2222", true))
	wantReason(t, err, mfa.RCodeWrong)
}

func TestSetupCodeDiesWhenAnAdminIsMadeAnotherWay(t *testing.T) {
	e := newEnv(t)
	code, err := e.svc.Users.StartSetup(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: "cli@example.com", Password: "Admin-Pass-2026", Admin: true, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Users.SetupAdmin(e.from("198.51.100.7"), setupReq(code, false))
	wantReason(t, err, mfa.RSetupDone)
	// Even once that admin is gone (the services refuse to remove the only
	// admin, so this is an operator editing the database), the old code
	// does not come back.
	err = e.db.InTx(e.ctx, func(tx mfa.Tx) error {
		u, err := tx.LockUser(e.ctx, admin.ID)
		if err != nil {
			return err
		}
		u.Status = mfa.UserDeprovisioned
		return tx.UpdateUser(e.ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	if need, _ := e.svc.Users.NeedsSetup(e.ctx); !need {
		t.Fatal("with no active admin, setup is needed again")
	}
	_, err = e.svc.Users.SetupAdmin(e.from("198.51.100.7"), setupReq(code, false))
	wantReason(t, err, mfa.RCodeWrong)
}

func TestEachStartIssuesANewCodeAndEarlierOnesStayValid(t *testing.T) {
	e := newEnv(t)
	a, _ := e.svc.Users.StartSetup(e.ctx)
	b, err := e.svc.Users.StartSetup(e.ctx)
	if err != nil || a == b {
		t.Fatalf("codes %q %q %v", a, b, err)
	}
	if _, err := e.svc.Users.SetupAdmin(e.from("198.51.100.7"), setupReq(a, false)); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Users.SetupAdmin(e.from("198.51.100.7"), setupReq(b, false))
	wantReason(t, err, mfa.RSetupDone)
}

// The attack: a stranger guesses codes. Each address gets a few tries a
// window, all addresses together a few more wrong ones; every refusal is
// logged; the right code from a throttled address is refused too (no
// oracle), while the right code from another address, and the machine's
// own operator, are never locked out.
func TestSetupCodeGuessingIsThrottledAndLogged(t *testing.T) {
	e := newEnv(t)
	code, err := e.svc.Users.StartSetup(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	attacker := e.from("198.51.100.66")
	for i := range mfa.SetupTriesPerAddress {
		_, err := e.svc.Users.SetupAdmin(attacker, setupReq(fmt.Sprintf("GUESS-%04d-AAAA", i), false))
		wantReason(t, err, mfa.RCodeWrong)
	}
	_, err = e.svc.Users.SetupAdmin(attacker, setupReq(code, false))
	wantReason(t, err, mfa.RGuessLimit)
	// Further tries are refused too, without a code as well, and the
	// crossing of the limit is logged once.
	for range 3 {
		_, err = e.svc.Users.SetupAdmin(attacker, setupReq("", false))
		wantReason(t, err, mfa.RGuessLimit)
	}
	limits := e.setupEvents(t, mfa.EvRateLimit)
	if len(limits) != 1 || limits[0].Reason != "setup_code_limit" || limits[0].Details["rule"] != "address" || limits[0].ClientIP != "198.51.100.66" {
		t.Fatalf("limit events: %+v", limits)
	}
	// Another /64 of the same IPv6 network is the same address.
	v6 := e.from("2001:db8::1")
	for i := range mfa.SetupTriesPerAddress {
		_, err := e.svc.Users.SetupAdmin(mfa.WithClient(context.Background(), mfa.Client{IP: fmt.Sprintf("2001:db8::%x", i+1)}), setupReq("GUESS-0000-BBBB", false))
		wantReason(t, err, mfa.RCodeWrong)
	}
	_, err = e.svc.Users.SetupAdmin(v6, setupReq("GUESS-0000-BBBB", false))
	wantReason(t, err, mfa.RGuessLimit)
	// Many addresses together hit the overall limit for wrong codes…
	for i := 0; ; i++ {
		_, err := e.svc.Users.SetupAdmin(e.from(fmt.Sprintf("203.0.113.%d", i)), setupReq("GUESS-0000-CCCC", false))
		if reason(err) == mfa.RGuessLimit {
			break
		}
		wantReason(t, err, mfa.RCodeWrong)
		if i > mfa.SetupTriesOverall {
			t.Fatal("no overall limit on wrong codes")
		}
	}
	_, err = e.svc.Users.SetupAdmin(e.from("192.0.2.201"), setupReq("GUESS-0000-EEEE", false))
	wantReason(t, err, mfa.RGuessLimit)
	overall := 0
	for _, ev := range e.setupEvents(t, mfa.EvRateLimit) {
		if ev.Details["rule"] == "overall" {
			overall++
		}
	}
	if overall != 1 {
		t.Fatalf("the overall limit logged %d times, want once", overall)
	}
	// …but the strangers' tries cannot keep the operator's right code out.
	if _, err := e.svc.Users.SetupAdmin(e.from("192.0.2.200"), setupReq(code, false)); err != nil {
		t.Fatalf("the right code while strangers are throttled: %v", err)
	}
}

func TestLoopbackSetupWorksWhileGuessersAreThrottled(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Users.StartSetup(e.ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= mfa.SetupTriesOverall; i++ {
		_, _ = e.svc.Users.SetupAdmin(e.from(fmt.Sprintf("203.0.113.%d", i)), setupReq("GUESS-0000-DDDD", false))
	}
	if _, err := e.svc.Users.SetupAdmin(e.from("127.0.0.1"), setupReq("", true)); err != nil {
		t.Fatal(err)
	}
}

// Two setups at once, each with a valid code: exactly one admin.
func TestConcurrentSetupsMakeOneAdmin(t *testing.T) {
	e := newEnv(t)
	a, _ := e.svc.Users.StartSetup(e.ctx)
	b, _ := e.svc.Users.StartSetup(e.ctx)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			req := setupReq([]string{a, b}[i%2], false)
			req.Login = fmt.Sprintf("admin%d@example.com", i)
			_, errs[i] = e.svc.Users.SetupAdmin(e.from(fmt.Sprintf("198.51.100.%d", i)), req)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case mfa.ReasonOf(err) == mfa.RSetupDone, mfa.ReasonOf(err) == mfa.RCodeUsed, mfa.ReasonOf(err) == mfa.RCodeWrong:
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	admins := 0
	users, err := e.svc.Users.ListUsers(e.ctx, "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Admin {
			admins++
		}
	}
	if ok != 1 || admins != 1 {
		t.Fatalf("%d setups succeeded, %d admins", ok, admins)
	}
}

// The only active administrator can be neither deactivated nor deleted:
// with no admin left, nobody could manage the org and the first-run setup
// page would open again to whoever reaches it first. Once a second admin
// exists, either change is allowed.
func TestTheOnlyAdminCannotBeDeactivatedOrDeleted(t *testing.T) {
	e := newEnv(t)
	root, err := e.svc.Users.SetupAdmin(e.from("127.0.0.1"), setupReq("", true))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Users.SetUserStatus(e.ctx, root.ID, mfa.UserDeprovisioned)
	wantReason(t, err, mfa.RNotPermitted)
	wantReason(t, e.svc.Users.DeleteUser(e.ctx, root.ID), mfa.RNotPermitted)
	if need, _ := e.svc.Users.NeedsSetup(e.ctx); need {
		t.Fatal("refused changes reopened first-run setup")
	}
	if u, err := e.svc.Users.GetUser(e.ctx, root.ID); err != nil || u.Status != mfa.UserActive || !u.Admin {
		t.Fatalf("the admin after refused changes: %+v %v", u, err)
	}

	other := e.user(t, "second@example.com")
	if _, err := e.svc.Users.SetAdmin(e.ctx, other.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Users.SetUserStatus(e.ctx, root.ID, mfa.UserDeprovisioned); err != nil {
		t.Fatalf("deactivating one of two admins: %v", err)
	}
	// other is now the only active admin.
	wantReason(t, e.svc.Users.DeleteUser(e.ctx, other.ID), mfa.RNotPermitted)
	if err := e.svc.Users.DeleteUser(e.ctx, root.ID); err != nil {
		t.Fatalf("deleting a deactivated admin: %v", err)
	}
}
