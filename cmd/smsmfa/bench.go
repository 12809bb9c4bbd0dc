package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"smsmfa/internal/bench"
	"smsmfa/internal/config"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/sms/smstest"
)

// benchSettings are the org settings a bench run changes, so that no limit
// throttles it. A run against a database given with --database puts the
// old values back at the end.
var benchSettings = map[string]string{"sms_enabled": "true", "resend_cooldown": "0s", "limit_phone_15m": "1000", "limit_phone_day": "10000",
	"limit_user_hour": "1000", "limit_ip_hour": "100000", "budget_daily": "100000000", "activation_limit": "100", "shared_number_max_users": "10000",
	"limit_authn_minute": "1000000", "limit_api_minute": "1000000", "limit_password_minute": "100000"}

// benchFlags are the command line of smsmfa bench.
type benchFlags struct {
	workload, provider, database, target, token string
	users, flows, conc                          int
	reuse                                       bool
	memory, passes                              int
	duration                                    time.Duration
	pid                                         int
	jsonOut, compare, gateway                   string
	cpuProfile                                  string
	set                                         map[string]bool // the flags given
}

// workloadFlags are the flags only one workload takes.
var workloadFlags = map[string]string{"provider": "signin", "flows": "signin", "password-memory": "signin", "password-time": "signin",
	"duration": "mfa", "pid": "mfa", "json": "mfa", "compare": "mfa", "gateway": "mfa", "cpuprofile": "mfa"}

// benchCmd runs the load generator: --workload signin (the default; see
// benchSignin) or mfa (see benchMFA).
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	var f benchFlags
	fs := flag.NewFlagSet("smsmfa bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.workload, "workload", "signin", "signin (password + SMS through the authn API) or mfa (SMS challenge + verify through the Factors API with an API token)")
	fs.StringVar(&f.provider, "provider", "devsink", "signin: devsink, or gateway (a local HTTP provider emulator, webhook type)")
	fs.IntVar(&f.users, "users", 0, "bench users (default 20 for signin, 40000 for mfa: the pool must outlast the 30 s resend cooldown)")
	fs.IntVar(&f.flows, "flows", 200, "signin: flows to run (the first per user enrolls)")
	fs.IntVar(&f.conc, "concurrency", 0, "flows at once (default 4 for signin, 32 for mfa)")
	fs.DurationVar(&f.duration, "duration", 30*time.Second, "mfa: how long flows start (closed loop)")
	fs.StringVar(&f.database, "database", "", "database for the bench server (default: a new SQLite file); one that holds users is refused without --reuse")
	fs.BoolVar(&f.reuse, "reuse", false, "run against a --database that holds users: its org settings are changed for the run (then put back); "+
		"signin adds bench users (then deleted), mfa challenges the users with an SMS factor it finds (seeding more when too few)")
	fs.IntVar(&f.memory, "password-memory", 64*1024, "signin: argon2id memory in KiB (the production default is 65536)")
	fs.IntVar(&f.passes, "password-time", 3, "signin: argon2id passes")
	fs.StringVar(&f.target, "url", "", "drive a running server instead: signin needs it started with --dev; mfa needs --database (the server's) and --gateway")
	fs.StringVar(&f.token, "token", "", "API token of the running server (--url)")
	fs.IntVar(&f.pid, "pid", 0, "mfa with --url: the server's process id, to measure its CPU and memory")
	fs.StringVar(&f.jsonOut, "json", "", "mfa: write the report as JSON to this file (--json alone or --json -: to stdout, the text report then going to stderr)")
	fs.StringVar(&f.compare, "compare", "", "mfa: a report written with --json, to print each figure beside it with the change in %")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "mfa: write a CPU profile of the server it starts (the middle of the run, through its --metrics-addr) to this file, for go tool pprof")
	fs.StringVar(&f.gateway, "gateway", "127.0.0.1:8099", "mfa with --url: address of the provider emulator the server must send to (its secret from SMSMFA_BENCH_GATEWAY_SECRET)")
	if err = fs.Parse(bareJSON(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if f.workload != "signin" && f.workload != "mfa" {
		return fmt.Errorf("--workload must be signin or mfa")
	}
	for name := range f.set {
		if w, ok := workloadFlags[name]; ok && w != f.workload {
			return fmt.Errorf("--%s is for the %s workload", name, w)
		}
	}
	if f.workload == "mfa" {
		f.users, f.conc = cmp.Or(f.users, 40000), cmp.Or(f.conc, 32)
		return benchMFA(ctx, f, getenv, stdout, stderr)
	}
	f.users, f.conc = cmp.Or(f.users, 20), cmp.Or(f.conc, 4)
	return benchSignin(ctx, f, stdout)
}

// bareJSON lets --json stand alone (the report to stdout) or take the next
// argument as its file, as other flags do: flag's string flags need a value.
func bareJSON(args []string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if a == "--json" || a == "-json" {
			if i+1 < len(out) && !strings.HasPrefix(out[i+1], "-") {
				continue // --json FILE
			}
			out[i] = "--json=-"
		}
	}
	return out
}

// benchSignin runs the signin workload. By default it starts its own server
// in process (fresh SQLite database, or --database), with the development
// sink (in development mode) or a local webhook provider emulator
// (--provider gateway), limits relaxed so they do not throttle the run;
// with --url it drives a running server started with --dev (codes are read
// from /dev/sms/messages). A --database that already holds users is refused
// unless --reuse is given: the run changes its org settings (put back at
// the end) and adds bench users (deleted at the end). Bench users get
// random passwords and logins unique to the run.
func benchSignin(ctx context.Context, f benchFlags, stdout io.Writer) (err error) {
	us := benchUsers(f.users)
	if f.target != "" {
		return benchRemote(ctx, f.target, f.token, us, f.flows, f.conc, stdout)
	}
	dir, err := os.MkdirTemp("", "smsmfa-bench")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	cfg := config.Defaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port for the bench server
	if err != nil {
		return err
	}
	cfg.Addr = ln.Addr().String()
	if err := ln.Close(); err != nil {
		return err
	}
	cfg.BaseURL = "http://" + cfg.Addr
	cfg.LogLevel, cfg.PasswordMemory, cfg.PasswordTime = "error", f.memory, f.passes
	cfg.Database = "sqlite:" + filepath.Join(dir, "bench.db")
	if f.database != "" {
		cfg.Database = f.database
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		cfg.Key = base64.StdEncoding.EncodeToString(key)
	}
	var gw *smstest.Gateway
	if f.provider == "gateway" {
		if gw, err = smstest.NewGateway("bench-secret"); err != nil {
			return err
		}
		defer gw.Close()
		gw.SetHistory(false)
		cfg.ProviderType, cfg.ProviderName, cfg.ProviderURL, cfg.ProviderCredentials = "webhook", "gateway", gw.URL(), "secret=bench-secret"
	} else if f.provider == "devsink" {
		cfg.Dev = true // the development sink exists only in development mode
	} else {
		return fmt.Errorf("--provider must be devsink or gateway")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	limitMemory(cfg.PasswordMemory, os.Getenv) // the server runs in this process
	a, err := openApp(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	if f.database != "" {
		if err := refusePopulated(cliContext(ctx), a.svc, f.reuse); err != nil {
			return err
		}
	}
	if err := a.pool.Reload(ctx); err != nil {
		return err
	}
	h, err := a.handler()
	if err != nil {
		return err
	}
	srv, err := httpx.Listen(cfg.Addr, h)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	defer func() { err = errors.Join(err, srv.Shutdown(context.Background()), <-served) }()
	base := "http://" + srv.Addr()
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go a.disp.Run(wctx)

	actx := cliContext(ctx)
	var created []string // ids of the bench users, deleted at the end of a run on --database
	if f.database != "" {
		before, cerr := a.svc.Org.SettingValues(actx)
		if cerr != nil {
			return cerr
		}
		defer func() { err = errors.Join(err, benchCleanup(actx, a.svc, benchSettings, before, created)) }()
	}
	if err := a.svc.Org.UpdateSettings(actx, benchSettings); err != nil {
		return err
	}
	for _, u := range us {
		nu, err := a.svc.Users.CreateUser(actx, mfa.NewUser{Login: u.Login, Password: u.Password, Activate: true})
		if err != nil {
			return userMessage(err)
		}
		created = append(created, nu.ID)
	}
	codes := func(ctx context.Context, phone string, since time.Time) (bench.Delivery, error) {
		if gw != nil {
			r, err := gw.Await(ctx, phone, since)
			return bench.Delivery{Code: r.Code, At: r.At}, err
		}
		for {
			for _, m := range a.sink.Messages() {
				if m.To == phone && !m.Created.Before(since) && m.Code != "" {
					return bench.Delivery{Code: m.Code, At: m.Created}, nil
				}
			}
			select {
			case <-ctx.Done():
				return bench.Delivery{}, ctx.Err()
			case <-time.After(500 * time.Microsecond):
			}
		}
	}
	fmt.Fprintf(stdout, "bench: %s server on %s (%s), provider %s, %d users, %d flows, concurrency %d, argon2id m=%dKiB t=%d\n",
		a.db.Engine(), base, time.Now().UTC().Format(time.RFC3339), f.provider, f.users, f.flows, f.conc, f.memory, f.passes)
	params := password.Params{Memory: uint32(f.memory), Time: uint32(f.passes), Threads: password.RFC9106.Threads,
		SaltLen: password.RFC9106.SaltLen, KeyLen: password.RFC9106.KeyLen}
	before, err := argon2Bound(ctx, params, argon2BoundFor)
	if err != nil {
		return err
	}
	rep, err := bench.Run(ctx, bench.Options{BaseURL: base, Users: us, Flows: f.flows, Concurrency: f.conc, Codes: codes})
	fmt.Fprint(stdout, rep.String())
	if err != nil {
		return err
	}
	after, err := argon2Bound(ctx, params, argon2BoundFor)
	if err != nil {
		return err
	}
	// A flow checks one password: the machine's argon2id rate is its bound.
	bound := (before + after) / 2
	rate := float64(rep.Flows) / rep.Duration.Seconds()
	fmt.Fprintf(stdout, "argon2id bound on this machine (%d hashes at once, measured before and after the flows): %.1f and %.1f hashes/s; "+
		"the flows ran at %.1f/s = %.0f %% of their mean\n", runtime.GOMAXPROCS(0), before, after, rate, 100*rate/bound)
	if peak, perr := bench.PeakRSS(os.Getpid()); perr == nil {
		fmt.Fprintf(stdout, "peak RSS of this process (server and load generator): %d MB; at most %d hashes of %d MiB run at once (%d MiB)\n",
			peak>>20, runtime.GOMAXPROCS(0), f.memory>>10, runtime.GOMAXPROCS(0)*f.memory>>10)
	}
	return nil
}

// argon2BoundFor is how long argon2Bound measures, before and after a run.
var argon2BoundFor = 5 * time.Second

// argon2Bound measures how many password checks a second this machine
// makes with params, as many at once as the server runs (GOMAXPROCS), for
// about d.
func argon2Bound(ctx context.Context, params password.Params, d time.Duration) (float64, error) {
	h := password.NewHasherQueue(params, 1<<10)
	hash, err := h.Hash(ctx, "bench bound")
	if err != nil {
		return 0, err
	}
	var n atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if ok, _, err := h.Verify(ctx, hash, "bench bound"); err != nil || !ok {
					errs <- errors.Join(err, errors.New("argon2id bound: a check failed"))
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(n.Load()) / time.Since(start).Seconds(), ctx.Err()
}

// benchRemote drives a running server started with --dev.
func benchRemote(ctx context.Context, base, token string, us []bench.User, flows, conc int, stdout io.Writer) error {
	if token == "" {
		return fmt.Errorf("--url needs --token (smsmfa token create) to create the bench users")
	}
	for _, u := range us {
		body := fmt.Sprintf(`{"profile":{"login":%q},"credentials":{"password":{"value":%q}}}`, u.Login, u.Password)
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/users?activate=true", stringReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "SSWS "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		if err := res.Body.Close(); err != nil {
			return err
		}
		if res.StatusCode != 200 {
			return fmt.Errorf("create %s: HTTP %d", u.Login, res.StatusCode)
		}
	}
	codes := func(ctx context.Context, phone string, since time.Time) (bench.Delivery, error) {
		for {
			req, err := http.NewRequestWithContext(ctx, "GET", base+"/dev/sms/messages", nil)
			if err != nil {
				return bench.Delivery{}, err
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return bench.Delivery{}, err
			}
			var msgs []struct {
				To, Code string
				Created  time.Time
			}
			err = errors.Join(json.NewDecoder(res.Body).Decode(&msgs), res.Body.Close())
			if err != nil {
				return bench.Delivery{}, fmt.Errorf("/dev/sms/messages (is the server in --dev mode?): %w", err)
			}
			for _, m := range msgs {
				if m.To != phone || m.Created.Before(since) {
					continue
				}
				if m.Code == "" {
					return bench.Delivery{}, fmt.Errorf("/dev/sms/messages: the text to %s has no \"code\" (is the server older than this bench?)", phone)
				}
				return bench.Delivery{Code: m.Code, At: m.Created}, nil
			}
			select {
			case <-ctx.Done():
				return bench.Delivery{}, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	fmt.Fprintf(stdout, "bench: %s, %d users, %d flows, concurrency %d\n", base, len(us), flows, conc)
	rep, err := bench.Run(ctx, bench.Options{BaseURL: base, Users: us, Flows: flows, Concurrency: conc, Codes: codes})
	fmt.Fprint(stdout, rep.String())
	return err
}

// benchUsers returns n bench accounts: logins unique to this run, random
// passwords (crypto/rand; never printed), numbers +1 415 555 1000 on.
func benchUsers(n int) []bench.User {
	run := strings.ToLower(rand.Text()[:8])
	us := make([]bench.User, 0, n)
	for i := range n {
		us = append(us, bench.User{Login: fmt.Sprintf("bench-%s-%04d@example.com", run, i), Password: rand.Text(), Phone: fmt.Sprintf("+1415555%04d", 1000+i)})
	}
	return us
}

// refusePopulated refuses a database that holds users unless reuse: a
// bench run changes its org settings and adds users.
func refusePopulated(ctx context.Context, svc mfa.Services, reuse bool) error {
	existing, err := svc.Users.ListUsers(ctx, "", "", 1)
	if err != nil {
		return userMessage(err)
	}
	if len(existing) == 0 || reuse {
		return nil
	}
	return errors.New("the --database holds users, and a bench run changes its org settings and adds bench users: " +
		"use an empty database, or pass --reuse to run on this one anyway (the settings are put back and the bench users deleted at the end)")
}

// benchCleanup puts back the settings a run changed (as they were in
// before) and deletes the bench users it created.
func benchCleanup(ctx context.Context, svc mfa.Services, changed, before map[string]string, users []string) error {
	back := map[string]string{}
	for name := range changed {
		back[name] = before[name]
	}
	errs := []error{userMessage(svc.Org.UpdateSettings(ctx, back))}
	for _, id := range users {
		errs = append(errs, userMessage(svc.Users.DeleteUser(ctx, id)))
	}
	return errors.Join(errs...)
}
