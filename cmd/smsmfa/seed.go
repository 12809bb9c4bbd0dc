package main

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/config"
	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/randid"
	"smsmfa/internal/store"
)

// seedCmd fills a database for load tests: users as the mfa bench needs
// them (ACTIVE, no password, an ACTIVE SMS factor on a number of their own,
// verified) and system-log events of the shape sign-ins leave, spread over
// --days. A database that holds users is refused unless --reuse.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smsmfa seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", getenv("SMSMFA_DATABASE"), "database to fill: sqlite:PATH or a postgres:// URL (env SMSMFA_DATABASE)")
	users := fs.Int("users", 0, "users to add")
	events := fs.Int("events", 0, "system-log events to add (about the users added, or, with --users 0, users already there)")
	days := fs.Int("days", 90, "days the events are spread over, ending now")
	reuse := fs.Bool("reuse", false, "add to a database that already holds users")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	switch {
	case *database == "":
		return errors.New("--database is required (the database to fill)")
	case *users < 0 || *events < 0 || *days < 1:
		return errors.New("--users and --events must be ≥ 0, --days ≥ 1")
	}
	key, err := benchKey(getenv)
	if err != nil {
		return err
	}
	a, err := openBenchApp(ctx, *database, key)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := refusePopulated(cliContext(ctx), a.svc, *reuse); err != nil {
		return err
	}
	// The rows of a batch are garbage at once: collect less often, but
	// keep the heap near 2 GiB.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(2 << 30))
	now := time.Now().UTC()
	sd := newSeeder()
	start := time.Now()
	us, err := sd.seedUsers(ctx, a.db, *users, now, progress(stderr, "users", *users))
	if err != nil {
		return err
	}
	userTime := time.Since(start)
	if *events > 0 && len(us) == 0 {
		if us, err = a.db.SeedPool(ctx, 100000, sd.ids.ID("mbl"), now, now); err != nil {
			return err
		}
		if len(us) == 0 {
			return errors.New("--events needs users: give --users, or a database with users who have an active SMS factor")
		}
	}
	start = time.Now()
	if err := sd.seedEvents(ctx, a.db, us, *events, now.Add(-time.Duration(*days)*24*time.Hour), now, progress(stderr, "events", *events)); err != nil {
		return err
	}
	eventTime := time.Since(start)
	start = time.Now()
	if err := a.db.AnalyzeSeeded(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %s: %d users in %s (%s/s), %d events in %s (%s/s), statistics in %s\n", a.db.Engine(),
		*users, userTime.Round(100*time.Millisecond), rate(*users, userTime), *events, eventTime.Round(100*time.Millisecond), rate(*events, eventTime),
		time.Since(start).Round(100*time.Millisecond))
	return nil
}

// benchKey returns the master key of the bench and the seeding: SMSMFA_KEY,
// or a new random one. Neither seals anything under it; the bench hands it
// to the server it starts.
func benchKey(getenv func(string) string) (string, error) {
	if k := getenv("SMSMFA_KEY"); k != "" {
		return k, nil
	}
	k := make([]byte, 32)
	if _, err := crand.Read(k); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(k), nil
}

// openBenchApp opens and migrates database for the bench and the seeding,
// with the master key key (base64).
func openBenchApp(ctx context.Context, database, key string) (*app, error) {
	cfg := config.Defaults()
	cfg.Database, cfg.LogLevel, cfg.Key = database, "error", key
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, io.Discard)
}

// progress returns a function that shows on w how far a seeding of total
// rows of what has come, at most once a second, and the end.
func progress(w io.Writer, what string, total int) func(done int) {
	start, shown := time.Now(), time.Time{}
	return func(done int) {
		if done < total && time.Since(shown) < time.Second {
			return
		}
		shown = time.Now()
		fmt.Fprintf(w, "\rseed: %s %d/%d (%s/s)", what, done, total, rate(done, time.Since(start)))
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(n)/d.Seconds(), 'f', 0, 64)
}

// seeder makes the rows of a seeding. Ids come from ChaCha8 seeded by
// crypto/rand: unique as the product's own (101 random bits), without a
// system call each.
type seeder struct {
	ids randid.Source
	rng *rand.Rand
	tag string // in every login, so that seedings never collide
}

func newSeeder() *seeder {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("seed: crypto/rand failed: " + err.Error())
	}
	c := rand.NewChaCha8(seed)
	sd := &seeder{ids: randid.New(c), rng: rand.New(c)}
	sd.tag = strings.ToLower(sd.ids.Chars("", 4))
	return sd
}

var (
	firstNames = []string{"ann", "ben", "chloe", "david", "emma", "farid", "grace", "hugo", "ines", "jack", "kemi", "liam", "maria", "noah", "olga",
		"pedro", "quinn", "rosa", "sam", "tara", "umar", "vera", "wei", "xena", "yusuf", "zoe"}
	lastNames = []string{"adams", "brown", "chen", "diaz", "evans", "fischer", "garcia", "hughes", "ito", "jones", "kim", "lopez", "martin", "nguyen",
		"okafor", "patel", "quinn", "rossi", "smith", "taylor", "ueda", "vargas", "walsh", "xu", "young", "zhang"}
	// areaCodes are North American area codes; each gives 8,000,000
	// numbers (exchanges 200–999).
	areaCodes = []int{415, 628, 510, 650, 408, 669, 925, 707, 916, 206, 503, 312, 617, 646, 212, 305}
)

// seedPhone is the i-th number of the seeding's range: +1, an area code,
// then an exchange from 200 on. Distinct for i below 128,000,000.
func seedPhone(i int) string {
	return fmt.Sprintf("+1%d%07d", areaCodes[(i/8000000)%len(areaCodes)], 2000000+i%8000000)
}

// Batch sizes of a seeding: each batch is one transaction. Every commit
// writes out the pages its rows touched, and rows with random keys (ids)
// touch pages all over their indexes: big batches write each page fewer
// times (at 1M users and 10M events, 25,000 users or 50,000 events a batch
// took half as long again).
const (
	userBatch  = 100000
	eventBatch = 250000
)

// writer writes batches in a goroutine of its own while the next is made,
// and counts them. send fails once a write has failed; wait returns the
// first failure.
type writer[T any] struct {
	ch   chan []T
	errc chan error
	err  error
}

func newWriter[T any](write func([]T) error, advance func(int)) *writer[T] {
	w := &writer[T]{ch: make(chan []T), errc: make(chan error, 1)}
	go func() {
		done := 0
		for b := range w.ch {
			if err := write(b); err != nil {
				w.errc <- err
				for range w.ch { // let send return
				}
				return
			}
			done += len(b)
			advance(done)
		}
		w.errc <- nil
	}()
	return w
}

func (w *writer[T]) send(b []T) error {
	select {
	case w.ch <- b:
		return nil
	case w.err = <-w.errc:
		return w.err
	}
}

func (w *writer[T]) wait() error {
	close(w.ch)
	if w.err != nil {
		return w.err
	}
	return <-w.errc
}

// seedUsers writes n users in batches, their numbers following the phones
// already on file, and returns them.
func (sd *seeder) seedUsers(ctx context.Context, db *store.DB, n int, now time.Time, advance func(int)) ([]store.SeedUser, error) {
	if n == 0 {
		return nil, nil
	}
	first, err := db.CountPhones(ctx)
	if err != nil {
		return nil, err
	}
	w := newWriter(func(b []store.SeedUser) error { return db.SeedUsers(ctx, b) }, advance)
	out := make([]store.SeedUser, 0, n)
	for len(out) < n {
		m := min(userBatch, n-len(out))
		for i, end := len(out), len(out)+m; i < end; i++ {
			fn, ln := firstNames[sd.rng.IntN(len(firstNames))], lastNames[sd.rng.IntN(len(lastNames))]
			// Enrolled at some time in the two years before the events.
			created := now.Add(-90*24*time.Hour - time.Duration(sd.rng.Int64N(int64(640*24*time.Hour))))
			out = append(out, store.SeedUser{ID: sd.ids.ID("00u"), Login: fmt.Sprintf("%s.%s.%d.%s@example.com", fn, ln, first+i, sd.tag),
				FirstName: strings.ToUpper(fn[:1]) + fn[1:], LastName: strings.ToUpper(ln[:1]) + ln[1:],
				FactorID: sd.ids.ID("mbl"), PhoneID: sd.ids.ID("mbl"), Phone: seedPhone(first + i), Created: created.Truncate(time.Microsecond)})
		}
		if err := w.send(out[len(out)-m:]); err != nil {
			break
		}
	}
	return out, w.wait()
}

// hourWeights is how sign-ins spread over a day: quiet at night, a peak at
// 9:00, busy until the evening.
var hourWeights = []int{1, 1, 1, 1, 1, 2, 4, 8, 14, 12, 9, 8, 7, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1, 1}

// seedEvents writes n events about users between from and to, day by day,
// in batches: the traces sign-ins and Factors API calls leave (password
// verified, code sent, code verified; now and then a wrong code, a limit,
// an enrollment), more by day than by night.
func (sd *seeder) seedEvents(ctx context.Context, db *store.DB, users []store.SeedUser, n int, from, to time.Time, advance func(int)) error {
	if n == 0 {
		return nil
	}
	days := max(1, int(to.Sub(from)/(24*time.Hour)))
	var weights int
	for _, w := range hourWeights {
		weights += w
	}
	g := &eventGen{sd: sd, users: users, masks: make([]string, len(users))}
	w := newWriter(func(b []mfa.Event) error { return db.SeedEvents(ctx, b) }, advance)
	buf := make([]mfa.Event, 0, eventBatch)
	for d := range days {
		want := n/days + boolInt(d < n%days)
		day := from.Add(time.Duration(d) * 24 * time.Hour)
		var evs []mfa.Event
		for len(evs) < want {
			h, x := 0, sd.rng.IntN(weights)
			for x >= hourWeights[h] {
				x -= hourWeights[h]
				h++
			}
			at := day.Add(time.Duration(h)*time.Hour + time.Duration(sd.rng.Int64N(int64(time.Hour))))
			evs = g.flow(evs, at)
		}
		evs = evs[:want]
		slices.SortFunc(evs, func(a, b mfa.Event) int { return a.Published.Compare(b.Published) })
		for len(evs) > 0 {
			m := min(eventBatch-len(buf), len(evs))
			buf, evs = append(buf, evs[:m]...), evs[m:]
			if len(buf) == eventBatch || (d == days-1 && len(evs) == 0) {
				if err := w.send(buf); err != nil {
					return w.wait()
				}
				buf = make([]mfa.Event, 0, eventBatch)
			}
		}
	}
	return w.wait()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// eventGen makes the events of one sign-in at a time.
type eventGen struct {
	sd    *seeder
	users []store.SeedUser
	masks []string // masked numbers, made once per user
}

var (
	browsers = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	}
	portalToken = mfa.Party{ID: "tok0seedportal000001", Type: "ApiToken", AlternateID: "employee portal", DisplayName: "employee portal"}
)

// flow appends the events of one sign-in starting at at.
func (g *eventGen) flow(evs []mfa.Event, at time.Time) []mfa.Event {
	sd := g.sd
	i := sd.rng.IntN(len(g.users))
	u := &g.users[i]
	if g.masks[i] == "" {
		g.masks[i] = phone.Mask(u.Phone)
	}
	user := mfa.Party{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: strings.TrimSpace(u.FirstName + " " + u.LastName)}
	// Most users sign in from one of a few office addresses, the rest from home.
	ip := fmt.Sprintf("203.0.113.%d", 10+i%3)
	if i%10 >= 7 {
		ip = fmt.Sprintf("198.51.%d.%d", i%256, (i/256)%254+1)
	}
	ua, actor := browsers[i%len(browsers)], user
	api := sd.rng.IntN(10) < 6 // the portal's server calls the Factors API for the user
	if api {
		ua, actor = "okta-sdk-golang/5.0.2 golang/go1.26 linux/amd64", portalToken
	}
	ev := func(typ, outcome, msg, reason string, details map[string]string) {
		at = at.Add(time.Duration(200+sd.rng.IntN(2000)) * time.Millisecond)
		sev := mfa.SeverityInfo
		if outcome == mfa.OutcomeFailure || outcome == mfa.OutcomeDeny {
			sev = mfa.SeverityWarn
		}
		evs = append(evs, mfa.Event{ID: sd.ids.ID("evt"), Published: at.Truncate(time.Microsecond), Type: typ, Severity: sev, Message: msg,
			Actor: actor, Target: user, ClientIP: ip, UserAgent: ua, RequestID: sd.ids.Chars("req", 18), Outcome: outcome, Reason: reason, Details: details})
	}
	sms := func() map[string]string {
		return map[string]string{"phone": g.masks[i], "message_id": sd.ids.ID("sms"), "factor_id": u.FactorID}
	}
	verified := map[string]string{"factor_id": u.FactorID, "phone": g.masks[i]}
	if !api {
		if sd.rng.IntN(100) == 0 {
			ev(mfa.EvSignIn, mfa.OutcomeFailure, "Sign-in failed: wrong password", "INVALID_CREDENTIALS", nil)
		}
		ev(mfa.EvSignIn, mfa.OutcomeSuccess, "Password verified", "", nil)
	}
	switch x := sd.rng.IntN(1000); {
	case x < 3: // a new phone: enrollment, then the first code
		ev(mfa.EvFactorEnroll, mfa.OutcomeSuccess, "SMS factor enrollment started", "", map[string]string{"factor_id": u.FactorID})
		ev(mfa.EvSMSEnrollCode, mfa.OutcomeSuccess, "Code sent by SMS", "", sms())
		ev(mfa.EvFactorActivate, mfa.OutcomeSuccess, "SMS factor activated", "", verified)
		return evs
	case x < 13: // asked again too soon
		ev(mfa.EvSMSVerifyCode, mfa.OutcomeSuccess, "Code sent by SMS", "", sms())
		ev(mfa.EvRateLimit, mfa.OutcomeDeny, "A code was sent a moment ago. You can ask for another in 25 seconds.", string(mfa.RResendTooSoon),
			map[string]string{"rule": "resend_cooldown", "phone": g.masks[i]})
	case x < 45: // a wrong code first
		ev(mfa.EvSMSVerifyCode, mfa.OutcomeSuccess, "Code sent by SMS", "", sms())
		ev(mfa.EvMFAVerify, mfa.OutcomeFailure, "Wrong code", string(mfa.RCodeWrong), verified)
	default:
		ev(mfa.EvSMSVerifyCode, mfa.OutcomeSuccess, "Code sent by SMS", "", sms())
	}
	if sd.rng.IntN(100) < 97 { // the rest never type the code
		ev(mfa.EvMFAVerify, mfa.OutcomeSuccess, "Code verified", "", verified)
	}
	return evs
}
