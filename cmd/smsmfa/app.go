package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"smsmfa/internal/config"
	"smsmfa/internal/delivery"
	"smsmfa/internal/httpx"
	"smsmfa/internal/keyrotate"
	"smsmfa/internal/metrics"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store"
	"smsmfa/internal/telephony"
)

// errUsage means the command line was wrong and usage was printed.
var errUsage = errors.New("usage")

// app is everything a command needs, wired together.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	db      *store.DB
	keys    *secret.Keys
	oidcKey [32]byte // the OpenID Provider's code encryption key (pinned)
	svc     mfa.Services
	disp    *delivery.Dispatcher
	sink    *devsink.Sink // nil without --dev
	pool    *telephony.Pool
	metrics *metrics.Metrics
}

// newLogger returns the JSON (or text) logger at the configured level.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo // config.Load refuses unknown levels; this is the default's
	}
	opts := &slog.HandlerOptions{Level: lvl}
	// Lines logged with a request's context carry its request_id.
	if cfg.LogFormat == "text" {
		return slog.New(httpx.WithRequestID(slog.NewTextHandler(w, opts)))
	}
	return slog.New(httpx.WithRequestID(slog.NewJSONHandler(w, opts)))
}

// loadKeys reads the master key: SMSMFA_KEY, else the key file (created for
// a SQLite deployment when missing); and the previous master key while keys
// are rotated: SMSMFA_KEY_PREVIOUS, else --previous-key-file (never created).
func loadKeys(cfg config.Config, engine string) (*secret.Keys, error) {
	var master []byte
	var err error
	if cfg.Key != "" {
		master, err = secret.ParseKey(cfg.Key)
	} else {
		master, err = secret.LoadOrCreateFile(cfg.KeyFile, engine == store.SQLite)
	}
	if err != nil {
		return nil, err
	}
	keys, err := secret.Derive(master)
	if err != nil {
		return nil, err
	}
	var prev []byte
	switch {
	case cfg.PreviousKey != "":
		prev, err = secret.ParseKey(cfg.PreviousKey)
	case cfg.PreviousKeyFile != "":
		prev, err = secret.LoadOrCreateFile(cfg.PreviousKeyFile, false)
	default:
		return keys, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous key: %w", err)
	}
	pk, err := secret.Derive(prev)
	if err != nil {
		return nil, fmt.Errorf("previous key: %w", err)
	}
	return keys.WithPrevious(pk), nil
}

// openMigrated opens a database and brings its schema up to date.
func openMigrated(ctx context.Context, url string) (*store.DB, error) {
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// openApp opens the database, migrates it and builds the domain service.
func openApp(ctx context.Context, cfg config.Config, stderr io.Writer) (*app, error) {
	a := &app{cfg: cfg, log: newLogger(cfg, stderr), metrics: metrics.New()}
	db, err := openMigrated(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	a.db = db
	if a.keys, err = loadKeys(cfg, db.Engine()); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	// Keys that must outlive a master key rotation are pinned in the
	// database (sealed): the ids of phone numbers in the system log and the
	// OpenID Provider's encryption of authorization codes.
	// A key that does not open (a wrong master key) is replaced by the one
	// derived from this master key, with a warning: as before pinning, the
	// server runs and what it cannot open fails where it is used.
	pinned := func(name string, initial []byte) ([]byte, error) {
		k, err := keyrotate.Pinned(ctx, db, a.keys, name, initial)
		if errors.Is(err, keyrotate.ErrUnpinned) {
			a.log.Warn("master key: "+err.Error(), "key_id", a.keys.ID)
			err = nil
		}
		return k, err
	}
	phoneIDKey, err := pinned("phone id", a.keys.CodeMAC)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	derived := oidcCryptoKey(a.keys)
	oidcKey, err := pinned("oidc code", derived[:])
	if err == nil && len(oidcKey) != len(a.oidcKey) {
		err = fmt.Errorf("the oidc code key in the database has %d bytes, not %d", len(oidcKey), len(a.oidcKey))
	}
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	a.oidcKey = [32]byte(oidcKey)
	clock := mfa.SystemClock{}
	kinds := telephony.AllKinds()
	env, err := envProvider(cfg, kinds)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	var sink sms.Provider // the development sink exists only with --dev: it logs every text
	if cfg.Dev {
		a.sink = devsink.New(1000, a.log.With("component", "devsink"))
		sink = a.sink
	}
	hasher := password.NewHasher(password.Params{Memory: uint32(cfg.PasswordMemory), Time: uint32(cfg.PasswordTime),
		Threads: uint8(cfg.PasswordThreads), SaltLen: 16, KeyLen: 32})
	dc := mfa.Config{Store: db, Clock: clock, CodeKey: a.keys.CodeMAC, PreviousCodeKey: previousCodeMAC(a.keys), PhoneIDKey: phoneIDKey, Sealer: a.keys, Opener: a.keys, Hasher: hasher,
		Host: cfg.BaseURLParsed().Host, Origin: cfg.BaseURLParsed().Scheme + "://" + cfg.BaseURLParsed().Host, Logger: a.log.With("component", "mfa"), ProviderKinds: kinds, Settings: mfa.NewSettingsCache(),
		Observer: a.metrics}
	// Built in the order the parts need each other: the telephony
	// configuration, the provider pool on it, delivery through the pool,
	// then the services that send codes.
	tel := mfa.NewTelephony(dc)
	a.pool = telephony.New(telephony.Options{Service: tel, Kinds: kinds, Keys: a.keys, Env: env, Sink: sink, BaseURL: cfg.BaseURL, Logger: a.log.With("component", "telephony"), Now: clock.Now})
	a.disp = delivery.New(db, a.keys, a.pool, clock, a.log.With("component", "delivery"), a.metrics)
	a.disp.Grouped = db.Engine() == store.SQLite // one writer: a commit for many outcomes; PostgreSQL writes them in parallel
	a.disp.Wait = cfg.DeliverWait
	a.disp.Lease, a.disp.SendTimeout = cfg.DeliveryLease, cfg.DeliveryLease/3
	dc.Deliver = a.disp
	a.svc = mfa.New(dc)
	a.svc.Telephony = tel
	a.metrics.WatchTelephony(func(ctx context.Context) (metrics.Telephony, error) {
		d, err := tel.Dashboard(ctx, 24*time.Hour)
		return telephonyMetrics(d), err
	}, time.Minute)
	a.metrics.WatchBreakers(func() []metrics.Breaker {
		var out []metrics.Breaker
		for _, s := range a.pool.Statuses() {
			out = append(out, metrics.Breaker{Provider: s.Name, Open: s.BreakerOpen})
		}
		return out
	})
	a.metrics.WatchOutbox(func(ctx context.Context) (metrics.Outbox, error) {
		n, oldest, err := db.OutboxStats(ctx)
		return metrics.Outbox{Depth: n, Oldest: oldest}, err
	}, 15*time.Second)
	a.metrics.WatchPools(db.PoolStats)
	return a, nil
}

// telephonyMetrics turns the dashboard into the figures the metrics export.
func telephonyMetrics(d mfa.Dashboard) metrics.Telephony {
	row := func(r mfa.DashRow) metrics.TelephonyRow {
		return metrics.TelephonyRow{Name: r.Name, Texts: r.Texts, Sent: r.Sent, Delivered: r.Delivered, Failed: r.Failed, Verified: r.Verified,
			SendP50: r.SendP50, SendP95: r.SendP95, ReceiptP50: r.ReceiptP50, ReceiptP95: r.ReceiptP95}
	}
	t := metrics.Telephony{Throttled: map[string]int{}, BlockedNumbers: d.Blocked, BudgetDaily: d.Budget, SentToday: d.SentToday}
	for _, r := range d.Countries {
		t.Countries = append(t.Countries, row(r))
	}
	for _, r := range d.Providers {
		t.Providers = append(t.Providers, row(r))
	}
	for _, k := range d.Throttled {
		t.Throttled[k.Kind()]++
	}
	return t
}

// Close closes the database, logging a failure (the command's own result
// stands).
func (a *app) Close() {
	if err := a.db.Close(); err != nil {
		a.log.Error("close database", "err", err)
	}
}

// cliContext marks work done from the command line in the system log.
func cliContext(ctx context.Context) context.Context {
	return mfa.WithClient(ctx, mfa.Client{Actor: mfa.CLIActor, RequestID: "cli"})
}

// command loads the configuration of a subcommand and opens the app.
func command(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, flags func(*flag.FlagSet)) (*app, []string, error) {
	cfg, rest, err := config.Load("smsmfa "+name, 0, args, getenv, stderr, flags)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil, errUsage
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := openApp(ctx, cfg, stderr)
	return a, rest, err
}

// subcommand runs `smsmfa <group> <verb> [flags]`. Without a verb, or with
// one not among verbs (nil: any verb, which do checks), it prints usage and
// returns errUsage. Otherwise it reads the verb's flags, opens the app and
// calls do with the arguments after the flags, in a context that marks the
// work as the command line's; the app is closed when do returns.
func subcommand(ctx context.Context, group string, verbs []string, usage string, args []string, getenv func(string) string, stderr io.Writer,
	flags func(*flag.FlagSet), do func(ctx context.Context, a *app, rest []string) error) error {
	if len(args) == 0 || (verbs != nil && !slices.Contains(verbs, args[0])) {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	a, rest, err := command(ctx, group+" "+args[0], args[1:], getenv, stderr, flags)
	if err != nil {
		return err
	}
	defer a.Close()
	return do(cliContext(ctx), a, rest)
}

// userMessage turns a domain refusal into a line for the terminal.
func userMessage(err error) error {
	if e, ok := errors.AsType[*mfa.Error](err); ok && e.Code != mfa.EInternal {
		return errors.New(strings.TrimSpace(e.Message))
	}
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}

// memoryBase is the memory the server needs besides its password hashes.
const memoryBase = 100 << 20

// limitMemory sets the Go runtime's soft memory limit of a server, unless
// GOMEMLIMIT does, to the password hashes that can run at once (GOMAXPROCS
// of passwordKiB each) plus memoryBase. Each argon2id check allocates its
// memory anew; without a limit the collector lets that garbage grow to
// twice what is in use (362 MB of RSS for 128 MiB of hashes in the signin
// bench), with it the process stays near what it uses. The limit is soft:
// the runtime never refuses memory, but as the live heap nears it the
// collector runs more and more often (up to about half the CPU), so an
// operator whose server needs more than memoryBase besides its hashes
// (very large connection pools, say) sets GOMEMLIMIT.
func limitMemory(passwordKiB int, getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1) // the operator's: leave it
	}
	limit := int64(runtime.GOMAXPROCS(0))*int64(passwordKiB)<<10 + memoryBase
	debug.SetMemoryLimit(limit)
	return limit
}

// previousCodeMAC is the code MAC key of the previous master key, if any.
func previousCodeMAC(k *secret.Keys) []byte {
	if k.Previous == nil {
		return nil
	}
	return k.Previous.CodeMAC
}
