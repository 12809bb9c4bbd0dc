package mfa_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// tally is an mfa.Observer that counts what it is told, as "kind:value".
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *tally) add(k string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[k]++
}

func (o *tally) SignIn(outcome string)       { o.add("signin:" + outcome) }
func (o *tally) Verification(outcome string) { o.add("verify:" + outcome) }
func (o *tally) Lockout(cause string)        { o.add("lockout:" + cause) }
func (o *tally) Refusal(rule string)         { o.add("refusal:" + rule) }

func (o *tally) get(k string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[k]
}

func (o *tally) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(o.n)) {
		out = append(out, fmt.Sprintf("%s=%d", k, o.n[k]))
	}
	return strings.Join(out, " ")
}

// The metrics see what a user does: each password and code outcome, the
// lockout, the limit that refused; as many as the system log holds.
func TestObserverSeesTheSecurityDecisions(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "observed@example.com")
	e.activeFactor(t, u, alicePhone) // an enrollment is not a sign-in's verification
	if got := e.obs.String(); got != "" {
		t.Fatalf("after the factor's activation the observer saw %q", got)
	}

	_, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, "Wrong-Horse-9", "")
	wantReason(t, err, mfa.RAuthFailed)
	_, err = e.svc.Signin.PrimaryAuth(e.ctx, "nobody@example.com", "Wrong-Horse-9", "")
	wantReason(t, err, mfa.RAuthFailed)
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, "Correct-Horse-9", "")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int{"signin:wrong_password": 1, "signin:unknown_user": 1, "signin:success": 1} {
		if got := e.obs.get(k); got != want {
			t.Errorf("%s = %d, want %d (%s)", k, got, want, e.obs)
		}
	}

	tok, fid := v.Txn.StateToken, v.Factors[0].ID
	if _, _, err := e.svc.Signin.TxnChallenge(e.ctx, tok, fid); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Signin.TxnChallenge(e.ctx, tok, fid) // at once: within the resend cooldown
	wantReason(t, err, mfa.RResendTooSoon)
	if got := e.obs.get("refusal:resend_cooldown"); got != 1 {
		t.Errorf("refusal:resend_cooldown = %d, want 1 (%s)", got, e.obs)
	}

	// Wrong codes until the user is locked out.
	wrongs := 0
	for locked := false; !locked; {
		code := e.lastCode(t, alicePhone)
		for range 5 {
			_, err := e.svc.Signin.TxnVerify(e.ctx, tok, fid, wrong(code))
			wrongs++ // the one that locks the user out is a wrong code too
			if reason(err) == mfa.RUserLocked {
				locked = true
				break
			}
			wantReason(t, err, mfa.RCodeWrong)
		}
		if !locked {
			e.clock.Advance(31 * time.Second)
			if _, _, err := e.svc.Signin.TxnChallenge(e.ctx, tok, fid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.svc.Signin.TxnVerify(e.ctx, tok, fid, "123456"); reason(err) != mfa.RUserLocked {
		t.Fatalf("a locked user's code: %v", err)
	}
	if got := e.obs.get("verify:wrong_code"); got != wrongs || wrongs == 0 {
		t.Errorf("verify:wrong_code = %d, want the %d wrong codes typed (%s)", got, wrongs, e.obs)
	}
	if e.obs.get("lockout:code") != 1 || e.obs.get("verify:locked") != 1 || e.obs.get("verify:success") != 0 {
		t.Errorf("after the lockout: %s", e.obs)
	}
	// As many as the system log holds.
	logged := 0
	for _, ev := range e.events(t, mfa.EvMFAVerify) {
		if ev.Reason == string(mfa.RCodeWrong) {
			logged++
		}
	}
	if logged != wrongs {
		t.Errorf("the system log holds %d wrong codes, the observer saw %d", logged, e.obs.get("verify:wrong_code"))
	}
}

// A verification refused by the per-address guess limit is one
// verification, rate_limited, and one limit refusal — not also "refused".
func TestGuessLimitRefusalCountsOnce(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_failed_hour": "1"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "guessed@example.com")
	f := e.activeFactor(t, u, alicePhone)
	e.clock.Advance(time.Minute) // past the resend wait of the enrollment's code
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(t, alicePhone)
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, wrong(code)), mfa.RCodeWrong)
	before := e.obs.String()
	wantReason(t, e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, code), mfa.RGuessLimit)
	if e.obs.get("verify:rate_limited") != 1 || e.obs.get("verify:refused") != 0 || e.obs.get("refusal:guess_limit") != 1 {
		t.Fatalf("before %q, after the refused verification %q", before, e.obs.String())
	}
}
