package mfa_test

import (
	"container/heap"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"

	"smsmfa/internal/mfa"
)

var updateReplay = flag.Bool("update-replay", false, "rewrite testdata/replay.golden")

// TestReplayPumping replays a week of synthetic traffic through the real
// enrollment, sign-in and verification paths (fake clock, seeded PCG) with
// two pumping attacks injected, and checks what the detector let through.
//
// The legitimate week (modelling assumptions, after tollfraud.md §4):
// 250 enrollments a day on a daily rhythm (low 01–06 UTC, peaks 09–11 and
// 19–21), mixed over 14 countries (US 40 %, GB 10, DE 8, IN 8, BR 6, FR 5,
// NG 3, PH 3, 17 % over six others), 80 % of codes entered (after a
// lognormal delivery, median 4 s, and a lognormal human, median 25 s),
// 20 % never; 400 verified users, 60 of them in the range the first attack
// pumps, who sign in 0.6 times a day and enter 93 % of their codes; a few
// legitimate enrollments from a country the org never texted. The first
// week of the run (before the report's week) builds the org's history.
//
// Attack A1, day 10 10:00: fresh numbers in one range (the range of the
// 60 users), codes never entered, ramping from 1 to 15 a minute over an
// hour and holding 15 a minute for another hour, from a botnet (a new
// address every 5 requests). Attack A2, day 12 14:00: random mobiles in
// three countries the org never texted, 30 an hour each for 6 hours.
//
// Same seed, same report: it is compared with testdata/replay.golden
// (go test -run Replay -update-replay rewrites it).
func TestReplayPumping(t *testing.T) {
	if testing.Short() {
		t.Skip("replay: a simulated fortnight")
	}
	if raceDetector {
		// Ten thousand units of work under the race detector outlast the
		// package's time limit on PostgreSQL; .ci/run replays without it
		// on both engines.
		t.Skip("replay: run without -race")
	}
	r := newReplay(t, 11)
	report := r.run()
	t.Log("\n" + report)
	golden := filepath.Join("testdata", "replay.golden")
	if *updateReplay {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-replay to write it)", err)
	}
	if string(want) != report {
		t.Errorf("the report differs from %s (same seed, same report):\n%s", golden, report)
	}
	for _, a := range r.attacks {
		if a.detected.IsZero() {
			t.Errorf("%s: never throttled", a.name)
		}
		if a.leaked >= 50 {
			t.Errorf("%s: %d attack codes sent, want under 50", a.name, a.leaked)
		}
	}
	if r.signinRefused != 0 || r.enrollRefused != 0 {
		t.Errorf("real users refused: %d sign-in codes, %d enrollments; want 0", r.signinRefused, r.enrollRefused)
	}
	if len(r.otherThrottles) != 0 {
		t.Errorf("throttles of keys no attack touched: %v", r.otherThrottles)
	}
}

type replayEvent struct {
	at  time.Time
	seq int
	fn  func()
}

type eventQueue []replayEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	return q[i].at.Before(q[j].at) || (q[i].at.Equal(q[j].at) && q[i].seq < q[j].seq)
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(replayEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

type replayAttack struct {
	name     string
	keys     []string // the keys it pumps (a range, or countries)
	start    time.Time
	tried    int
	leaked   int // codes sent
	detected time.Time
}

type replay struct {
	t     *testing.T
	e     *env
	rng   *rand.Rand
	q     eventQueue
	seq   int
	users int
	ips   int
	t0    time.Time // the report's week starts here

	attacks        []*replayAttack
	signins        int
	signinRefused  int
	enrolls        int
	enrollRefused  int
	refusedDetails []string
	otherThrottles []string
}

func newReplay(t *testing.T, seed uint64) *replay {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"budget_daily": "100000"}); err != nil {
		t.Fatal(err)
	}
	return &replay{t: t, e: e, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), t0: start.Add(7 * 24 * time.Hour)}
}

func (r *replay) at(at time.Time, fn func()) {
	r.seq++
	heap.Push(&r.q, replayEvent{at: at, seq: r.seq, fn: fn})
}

// hourly is the share of a day's traffic in each UTC hour.
var hourly = [24]float64{1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 5, 7, 7.5, 7, 6, 5.5, 5, 5, 5, 5.5, 6.5, 7.5, 7.5, 6, 4, 2}

var countryMix = []struct {
	region string
	share  float64
}{{"US", 40}, {"GB", 10}, {"DE", 8}, {"IN", 8}, {"BR", 6}, {"FR", 5}, {"NG", 3}, {"PH", 3},
	{"ES", 4}, {"IT", 4}, {"CA", 3}, {"AU", 2}, {"MX", 2}, {"JP", 2}}

// mobile returns a random valid mobile number of region; with prefix set,
// one in that range (E.164 without its last four digits).
func (r *replay) mobile(region, prefix string) string {
	if prefix != "" {
		return fmt.Sprintf("%s%04d", prefix, r.rng.IntN(10000))
	}
	ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	nsn := phonenumbers.GetNationalSignificantNumber(ex)
	ndc := max(phonenumbers.GetLengthOfNationalDestinationCode(ex), 1)
	for range 1000 {
		b := []byte(nsn)
		for i := ndc; i < len(b); i++ {
			b[i] = byte('0' + r.rng.IntN(10))
		}
		if r.rng.IntN(2) == 0 { // other destination codes too
			for i := 1; i < ndc; i++ {
				b[i] = byte('0' + r.rng.IntN(10))
			}
		}
		n, err := phonenumbers.Parse("+"+fmt.Sprint(ex.GetCountryCode())+string(b), "")
		if err != nil || !phonenumbers.IsValidNumber(n) || phonenumbers.GetRegionCodeForNumber(n) != region {
			continue
		}
		if ty := phonenumbers.GetNumberType(n); ty != phonenumbers.MOBILE && ty != phonenumbers.FIXED_LINE_OR_MOBILE {
			continue
		}
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	r.t.Fatalf("no mobile number found for %s", region)
	return ""
}

func (r *replay) region() string {
	x := r.rng.Float64() * 100
	for _, c := range countryMix {
		if x < c.share {
			return c.region
		}
		x -= c.share
	}
	return "US"
}

// dayTimes spreads n events over the day starting at day on the hourly curve.
func (r *replay) dayTimes(day time.Time, n int) []time.Time {
	total := 0.0
	for _, w := range hourly {
		total += w
	}
	var out []time.Time
	for range n {
		x := r.rng.Float64() * total
		h := 0
		for ; h < 23 && x >= hourly[h]; h++ {
			x -= hourly[h]
		}
		out = append(out, day.Add(time.Duration(h)*time.Hour+time.Duration(r.rng.Int64N(int64(time.Hour)))).Truncate(time.Second))
	}
	return out
}

// enterDelay is how long after the send a person enters the code.
func (r *replay) enterDelay() time.Duration {
	d := 4*math.Exp(0.5*r.rng.NormFloat64()) + 25*math.Exp(0.7*r.rng.NormFloat64())
	return time.Duration(math.Min(d, 280) * float64(time.Second))
}

func (r *replay) ip() string {
	r.ips++
	return fmt.Sprintf("10.%d.%d.%d", r.ips/65536%256, r.ips/256%256, r.ips%256)
}

func (r *replay) newUser() *mfa.User {
	r.users++
	return r.e.user(r.t, fmt.Sprintf("u%d@example.com", r.users))
}

// enroll: a new user enrolls number and, when enter, types the code.
func (r *replay) enroll(number string, enter bool, counted bool, attack *replayAttack) {
	u := r.newUser()
	ctx := mfa.WithClient(r.e.ctx, mfa.Client{IP: r.ip()})
	if attack != nil {
		ctx = mfa.WithClient(r.e.ctx, mfa.Client{IP: fmt.Sprintf("172.16.%d.%d", attack.tried/5/250, attack.tried/5%250)})
		attack.tried++
	}
	f, _, err := r.e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: number})
	if attack != nil {
		if err == nil {
			attack.leaked++
		} else if mfa.ReasonOf(err) != mfa.RRangeThrottled {
			r.t.Fatalf("%s: %v", attack.name, err)
		}
		return
	}
	if counted {
		r.enrolls++
	}
	if err != nil {
		if counted {
			r.enrollRefused++
			r.refusedDetails = append(r.refusedDetails, fmt.Sprintf("enrollment %s at %s: %v", number, r.e.clock.Now().Format(time.DateTime), err))
		}
		return
	}
	if !enter {
		return
	}
	code := r.e.lastCode(r.t, number)
	r.at(r.e.clock.Now().Add(r.enterDelay()), func() {
		if _, err := r.e.svc.Factors.ActivateSMS(ctx, u.ID, f.ID, code); err != nil {
			r.t.Fatalf("activate %s: %v", number, err)
		}
	})
}

// verified makes a user verified on number (before the report's week).
func (r *replay) verified(number string) (*mfa.User, *mfa.Factor, string) {
	u := r.newUser()
	ip := r.ip()
	ctx := mfa.WithClient(r.e.ctx, mfa.Client{IP: ip})
	f, _, err := r.e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: number})
	if err != nil {
		r.t.Fatalf("enroll %s: %v", number, err)
	}
	if f, err = r.e.svc.Factors.ActivateSMS(ctx, u.ID, f.ID, r.e.lastCode(r.t, number)); err != nil {
		r.t.Fatalf("activate %s: %v", number, err)
	}
	return u, f, ip
}

func (r *replay) signIn(u *mfa.User, f *mfa.Factor, ip string, enter bool) {
	ctx := mfa.WithClient(r.e.ctx, mfa.Client{IP: ip})
	r.signins++
	if _, err := r.e.svc.Factors.ChallengeSMS(ctx, u.ID, f.ID); err != nil {
		r.signinRefused++
		r.refusedDetails = append(r.refusedDetails, fmt.Sprintf("sign-in code to %s at %s: %v", f.PhoneNumber, r.e.clock.Now().Format(time.DateTime), err))
		return
	}
	if !enter {
		return
	}
	code := r.e.lastCode(r.t, f.PhoneNumber)
	r.at(r.e.clock.Now().Add(r.enterDelay()), func() {
		if err := r.e.svc.Factors.VerifySMS(ctx, u.ID, f.ID, code); err != nil {
			r.t.Fatalf("verify %s: %v", f.PhoneNumber, err)
		}
	})
}

func (r *replay) run() string {
	const (
		perDay     = 250
		attacked   = "+1415720" // A1's range: NPA-NXX 415-720
		grieved    = 60
		signinsDay = 0.6
	)
	// Verified users, 60 of them in the range A1 will pump.
	type vu struct {
		u  *mfa.User
		f  *mfa.Factor
		ip string
	}
	var verifiedUsers []vu
	for i := range 400 {
		number := r.mobile(r.region(), "")
		if i < grieved {
			number = fmt.Sprintf("%s%04d", attacked, i*97)
		}
		r.e.clock.Advance(time.Minute)
		u, f, ip := r.verified(number)
		verifiedUsers = append(verifiedUsers, vu{u, f, ip})
	}
	day0 := start.Truncate(24 * time.Hour).Add(24 * time.Hour)
	for d := range 14 {
		day := day0.Add(time.Duration(d) * 24 * time.Hour)
		counted := !day.Before(r.t0.Truncate(24 * time.Hour))
		for _, at := range r.dayTimes(day, perDay) {
			number := r.mobile(r.region(), "")
			enter := r.rng.Float64() < 0.8
			r.at(at, func() { r.enroll(number, enter, counted, nil) })
		}
		for _, v := range verifiedUsers {
			if r.rng.Float64() < signinsDay {
				at := r.dayTimes(day, 1)[0]
				enter := r.rng.Float64() < 0.93
				r.at(at, func() {
					if counted {
						r.signIn(v.u, v.f, v.ip, enter)
					}
				})
			}
		}
	}
	// A legitimate new country: two enrollments from Iceland, entered.
	for _, h := range []time.Duration{50, 51} {
		number := r.mobile("IS", "")
		r.at(r.t0.Add(h*time.Hour), func() { r.enroll(number, true, true, nil) })
	}
	// A1: ramp 1→15 a minute over an hour, then 15 a minute for an hour.
	a1 := &replayAttack{name: "A1 one range, ramp", keys: []string{"prefix:" + attacked}, start: r.t0.Add(3*24*time.Hour + 10*time.Hour)}
	for m := range 120 {
		perMin := 15
		if m < 60 {
			perMin = 1 + 14*m/59
		}
		for k := range perMin {
			at := a1.start.Add(time.Duration(m)*time.Minute + time.Duration(k)*time.Minute/time.Duration(perMin))
			number := fmt.Sprintf("%s%04d", attacked, 5000+r.rng.IntN(5000))
			r.at(at, func() { r.enroll(number, false, false, a1) })
		}
	}
	// A2: three countries with no history, 30 an hour each, 6 hours.
	a2 := &replayAttack{name: "A2 three countries", keys: []string{"country:KG", "country:TJ", "country:LV"}, start: r.t0.Add(5*24*time.Hour + 14*time.Hour)}
	for _, region := range []string{"KG", "TJ", "LV"} {
		for i := range 180 {
			at := a2.start.Add(time.Duration(i)*2*time.Minute + time.Duration(r.rng.Int64N(int64(2*time.Minute)))).Truncate(time.Second)
			number := r.mobile(region, "")
			r.at(at, func() { r.enroll(number, false, false, a2) })
		}
	}
	r.attacks = []*replayAttack{a1, a2}
	for r.q.Len() > 0 {
		ev := heap.Pop(&r.q).(replayEvent)
		if now := r.e.clock.Now(); ev.at.After(now) {
			r.e.clock.Advance(ev.at.Sub(now))
		}
		ev.fn()
	}
	return r.report()
}

func (r *replay) report() string {
	evs, err := r.e.svc.Org.Events(r.e.ctx, mfa.EventFilter{Types: []string{mfa.EvFraudThrottle}, Limit: 1000, OldestFirst: true})
	if err != nil {
		r.t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "replay: %d legitimate enrollments and %d sign-in codes in the week from %s\n", r.enrolls, r.signins, r.t0.Format(time.DateOnly))
	fmt.Fprintf(&b, "throttles:\n")
	for _, ev := range evs {
		fmt.Fprintf(&b, "  %s %s\n", ev.Published.Format(time.DateTime), ev.Message)
		mine := false
		for _, a := range r.attacks {
			for _, k := range a.keys {
				if ev.Target.ID == k {
					mine = true
					if a.detected.IsZero() {
						a.detected = ev.Published
					}
				}
			}
		}
		if !mine {
			r.otherThrottles = append(r.otherThrottles, ev.Target.ID)
		}
	}
	for _, a := range r.attacks {
		detect := "never"
		if !a.detected.IsZero() {
			detect = fmt.Sprintf("%.1f min", a.detected.Sub(a.start).Minutes())
		}
		fmt.Fprintf(&b, "%s: %d codes tried, %d sent (let through), first throttle after %s\n", a.name, a.tried, a.leaked, detect)
	}
	fmt.Fprintf(&b, "real users refused: %d of %d sign-in codes to verified numbers, %d of %d enrollments\n", r.signinRefused, r.signins, r.enrollRefused, r.enrolls)
	for _, d := range r.refusedDetails {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	fmt.Fprintf(&b, "throttles of keys no attack touched: %d\n", len(r.otherThrottles))
	return b.String()
}
