package main

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"smsmfa/internal/bench"
	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/store"
)

// mfaSettings are the org settings the mfa workload changes; every other
// setting keeps its default. The budget (10,000 a day) and the per-token
// API limit (1,200 a minute) would stop a closed loop within seconds; the
// per-user limits (5 codes per number per 15 minutes, 20 a day, 10 an
// hour) would refuse a user challenged every 30 s in a run longer than two
// minutes, or in runs one after the other on one database (--reuse). The
// SMS factor is on, as in any org whose users have one. The resend
// cooldown stays at 30 s: the bench never challenges a user within it.
var mfaSettings = map[string]string{"sms_enabled": "true", "budget_daily": "100000000", "limit_api_minute": "1000000",
	"limit_phone_15m": "1000", "limit_phone_day": "10000", "limit_user_hour": "1000"}

// benchOwner is the login of the administrator who owns the bench's API
// tokens (made once per database, without a password).
const benchOwner = "bench-owner@example.com"

// benchMFA runs the mfa workload: it seeds f.users users (ACTIVE, no
// password, an ACTIVE SMS factor on a number of their own) into a new
// SQLite database or --database, makes an API token, starts the server as
// a separate process (so its CPU time and memory can be read from /proc)
// delivering to a webhook provider emulator in this process, and challenges
// and verifies factors for f.duration. With --reuse it takes the users with
// an SMS factor it finds (seeding more when too few). With --url it drives
// a running server that delivers to --gateway, its pool and settings from
// --database (the server's). It fails when any flow failed (after the
// report).
func benchMFA(ctx context.Context, f benchFlags, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	var old *bench.MFAReport
	if f.compare != "" {
		b, err := os.ReadFile(f.compare)
		if err != nil {
			return err
		}
		old = new(bench.MFAReport)
		if err := json.Unmarshal(b, old); err != nil {
			return fmt.Errorf("--compare %s: %w", f.compare, err)
		}
	}
	text := stdout
	if f.jsonOut == "-" {
		text = stderr // stdout is the JSON
	}
	remote := f.target != ""
	if remote && (f.token == "" || f.database == "") {
		return errors.New("--url needs --token and --database (the server's database: the users to challenge and the settings come from it)")
	}
	if !remote && (f.token != "" || f.pid != 0) {
		return errors.New("--token and --pid are for --url (a running server)")
	}
	if remote && f.cpuProfile != "" {
		return errors.New("--cpuprofile is for the server the bench starts; profile a running one at its --metrics-addr (/debug/pprof/profile)")
	}
	if !remote {
		dir, derr := os.MkdirTemp("", "smsmfa-bench")
		if derr != nil {
			return derr
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
		if f.database == "" {
			f.database = "sqlite:" + filepath.Join(dir, "bench.db")
		}
	}
	key, err := benchKey(getenv) // the bench and the server it starts share it
	if err != nil {
		return err
	}
	a, err := openBenchApp(ctx, f.database, key)
	if err != nil {
		return err
	}
	engine := a.db.Engine()
	p, err := prepareMFA(cliContext(ctx), a, f, !remote, text)
	a.Close() // the server alone uses the database during the run
	if err != nil {
		return err
	}
	if f.set["database"] || remote {
		defer func() {
			a, oerr := openBenchApp(ctx, f.database, key)
			if oerr != nil {
				err = errors.Join(err, oerr)
				return
			}
			defer a.Close()
			err = errors.Join(err, p.restore(cliContext(ctx), a))
		}()
	}

	secret := getenv("SMSMFA_BENCH_GATEWAY_SECRET")
	addr := "127.0.0.1:0"
	if remote {
		if secret == "" {
			return errors.New("--url: set SMSMFA_BENCH_GATEWAY_SECRET to the secret the server's webhook provider sends")
		}
		addr = f.gateway
	} else {
		secret = crand.Text()
	}
	gw, err := smstest.ListenGateway(addr, secret)
	if err != nil {
		return fmt.Errorf("provider emulator: %w", err)
	}
	defer gw.Close()
	gw.SetHistory(false)

	base, token, probe := f.target, f.token, bench.Probe{ServerPID: f.pid}
	var profiled chan error
	if !remote {
		srv, serr := startBenchServer(ctx, f.database, key, gw)
		if serr != nil {
			return serr
		}
		defer func() { err = errors.Join(err, srv.stop()) }()
		base, token, probe.ServerPID = srv.base, p.token, srv.cmd.Process.Pid
		if f.cpuProfile != "" { // the middle of the run: a tenth of it to warm up, and as much left at the end
			profiled = make(chan error, 1)
			go func() { profiled <- srv.cpuProfile(ctx, f.duration/10, f.duration*8/10, f.cpuProfile) }()
		}
	} else {
		fmt.Fprintf(text, "bench: the server at %s must send through the webhook provider %s (SMSMFA_PROVIDER_TYPE=webhook SMSMFA_PROVIDER_URL=%s SMSMFA_PROVIDER_CREDENTIALS=secret=…)\n",
			base, gw.URL(), gw.URL())
	}
	if engine == store.Postgres && localDatabase(f.database) {
		probe.DBCommand = "postgres"
	}
	ceiling := bench.Ceiling(len(p.users), p.cooldown)
	fmt.Fprintf(text, "bench: mfa on %s at %s (%s), %d users, concurrency %d, %s; the pool sustains %.0f flows/s (a user every %s resend cooldown)\n",
		engine, base, time.Now().UTC().Format(time.RFC3339), len(p.users), f.conc, f.duration, ceiling, p.cooldown)

	codes := func(ctx context.Context, phone string, since time.Time) (bench.Delivery, error) {
		r, err := gw.Await(ctx, phone, since)
		return bench.Delivery{Code: r.Code, At: r.At}, err
	}
	started := time.Now().UTC()
	before := probe.Sample()
	res, runErr := bench.RunMFA(ctx, bench.MFAOptions{BaseURL: base, Token: token, Users: p.users, Duration: f.duration, Concurrency: f.conc,
		Cooldown: p.cooldown, Codes: codes})
	after := probe.Sample()
	if profiled != nil {
		runErr = errors.Join(runErr, <-profiled)
	}
	if runErr != nil && res.Duration == 0 {
		return runErr // refused before any flow
	}
	peak := int64(-1)
	if probe.ServerPID > 0 {
		if v, err := bench.PeakRSS(probe.ServerPID); err == nil {
			peak = v
		}
	}
	rep := bench.NewMFAReport(res, before, after, peak)
	rep.Engine, rep.Started, rep.Users, rep.Concurrency, rep.PoolCeiling, rep.Settings = engine, started, len(p.users), f.conc, bench.Ceiling(len(p.users), p.cooldown), mfaSettings
	fmt.Fprint(text, rep.String())
	if old != nil {
		fmt.Fprint(text, rep.Compare(*old))
	}
	if f.jsonOut == "-" {
		_, err = stdout.Write(rep.JSON())
	} else if f.jsonOut != "" {
		err = os.WriteFile(f.jsonOut, rep.JSON(), 0o644)
	}
	if rep.Failures > 0 {
		err = errors.Join(err, fmt.Errorf("%d of %d flows failed", rep.Failures, rep.Failures+rep.Flows))
	}
	return errors.Join(runErr, err)
}

// mfaPrep is what a run of the mfa workload takes from the database, and
// what it must put back.
type mfaPrep struct {
	users    []bench.MFAUser
	cooldown time.Duration
	token    string // made for this run ("" with --url)
	tokenID  string
	before   map[string]string // the settings before the run
}

// prepareMFA refuses a database with users unless --reuse, changes the
// settings, seeds or finds the users, refreshes the statistics, and (with
// its own server) makes an API token.
func prepareMFA(ctx context.Context, a *app, f benchFlags, makeToken bool, out io.Writer) (*mfaPrep, error) {
	if err := refusePopulated(ctx, a.svc, f.reuse); err != nil {
		return nil, err
	}
	p := &mfaPrep{}
	var err error
	if p.before, err = a.svc.Org.SettingValues(ctx); err != nil {
		return nil, userMessage(err)
	}
	if err := a.svc.Org.UpdateSettings(ctx, mfaSettings); err != nil {
		return nil, userMessage(err)
	}
	vals, err := a.svc.Org.SettingValues(ctx)
	if err != nil {
		return nil, userMessage(err)
	}
	set, _ := mfa.ParseSettings(vals)
	p.cooldown = set.ResendCooldown
	now := time.Now().UTC()
	sd := newSeeder()
	var pool []store.SeedUser
	if f.reuse { // users past their cooldown: a run just before may have used some
		if pool, err = a.db.SeedPool(ctx, f.users, sd.ids.ID("mbl"), now, now.Add(-p.cooldown-time.Second)); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "bench: %d users with an SMS factor and no code in the last %s found\n", len(pool), p.cooldown)
	}
	if missing := f.users - len(pool); missing > 0 {
		start := time.Now()
		more, err := sd.seedUsers(ctx, a.db, missing, now, func(int) {})
		if err != nil {
			return nil, err
		}
		pool = append(pool, more...)
		fmt.Fprintf(out, "bench: seeded %d users in %s (%s/s)\n", missing, time.Since(start).Round(time.Millisecond), rate(missing, time.Since(start)))
	}
	if err := a.db.AnalyzeSeeded(ctx); err != nil {
		return nil, err
	}
	for _, u := range pool {
		p.users = append(p.users, bench.MFAUser{ID: u.ID, FactorID: u.FactorID, Phone: u.Phone})
	}
	if !makeToken {
		return p, nil
	}
	owner, err := a.svc.Users.GetUser(ctx, benchOwner)
	if err != nil && mfa.ErrorOf(err).Code == mfa.ENotFound {
		owner, err = a.svc.Users.CreateUser(ctx, mfa.NewUser{Login: benchOwner, FirstName: "Bench", LastName: "Owner", Admin: true, Activate: true})
	}
	if err != nil {
		return nil, userMessage(err)
	}
	t, clear, err := a.svc.Tokens.CreateToken(ctx, "bench "+now.Format(time.RFC3339), owner.ID)
	if err != nil {
		return nil, userMessage(err)
	}
	p.token, p.tokenID = clear, t.ID
	return p, nil
}

// restore puts the settings back and revokes the run's token. The seeded
// users stay, for the next run with --reuse.
func (p *mfaPrep) restore(ctx context.Context, a *app) error {
	back := map[string]string{}
	for name := range mfaSettings {
		back[name] = p.before[name]
	}
	err := userMessage(a.svc.Org.UpdateSettings(ctx, back))
	if p.tokenID != "" {
		err = errors.Join(err, userMessage(a.svc.Tokens.RevokeToken(ctx, p.tokenID)))
	}
	return err
}

// localDatabase reports whether a PostgreSQL URL names a server on this
// machine, whose processes the bench can measure.
func localDatabase(dbURL string) bool {
	u, err := url.Parse(dbURL)
	if err != nil {
		return false
	}
	switch u.Hostname() {
	case "", "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}
