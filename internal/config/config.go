// Package config reads smsmfa's configuration: defaults, overridden by
// SMSMFA_* environment variables, overridden by command-line flags, into one
// validated struct. Every problem is reported at once.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/httpx"
	"smsmfa/internal/store"
)

// Config is the server's configuration.
type Config struct {
	Addr           string
	Database       string
	BaseURL        string
	Dev            bool
	MetricsAddr    string
	RadiusAddr     string // UDP address of the RADIUS server; "" = off
	MetricsPublic  bool   // also /metrics on the main address, readable by anyone who reaches it
	KeyFile        string
	Key            string // master key (base64); from SMSMFA_KEY or SMSMFA_KEY_FILE
	TrustedProxies string
	LogLevel       string
	LogFormat      string

	// The previous master key during a rotation (docs/key-rotation.md):
	// values it sealed still open; nothing is sealed with it.
	PreviousKeyFile string
	PreviousKey     string // from SMSMFA_KEY_PREVIOUS

	SessionLifetime time.Duration
	SessionIdle     time.Duration
	DeliverWait     time.Duration
	DeliveryLease   time.Duration

	// A single SMS provider from the environment (SMSMFA_PROVIDER_TYPE,
	// _NAME, _URL, _CREDENTIALS "k=v,k=v", _SENDERS "S[:CC,…] S…"),
	// used beside the stored ones.
	ProviderType        string
	ProviderName        string
	ProviderURL         string
	ProviderCredentials string
	ProviderSenders     string

	PasswordMemory  int // KiB
	PasswordTime    int
	PasswordThreads int
}

// Defaults are the embedded default: SQLite in the working directory,
// loopback port 8080, the development sink.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:8080", Database: "sqlite:smsmfa.db", LogLevel: "info", LogFormat: "json",
		SessionLifetime: 12 * time.Hour, SessionIdle: 2 * time.Hour, DeliverWait: 1500 * time.Millisecond, DeliveryLease: 30 * time.Second,
		PasswordMemory: 64 * 1024, PasswordTime: 3, PasswordThreads: 4,
	}
}

// Flags names the flags a command accepts.
type Flags uint

// Flag groups.
const (
	FlagsCommon Flags = 1 << iota // --database, --key-file, --log-level
	FlagsServe                    // everything for serve
)

// envName is the environment variable of a flag: --base-url → SMSMFA_BASE_URL.
func envName(flagName string) string {
	return "SMSMFA_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// bind defines the flag name with define, bound to p. Its default is the
// value of the flag's environment variable (read through getenv) when that
// is set, parsed with parse; a value parse refuses is added to errs as not
// what. Otherwise the default is *p.
func bind[T any](getenv func(string) string, errs *[]error, define func(p *T, name string, value T, usage string), p *T, name, usage string,
	parse func(string) (T, error), what string) {
	if v := getenv(envName(name)); v != "" {
		x, err := parse(v)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s: %q is not %s", envName(name), v, what))
		} else {
			*p = x
		}
	}
	define(p, name, *p, usage+" (env "+envName(name)+")")
}

// asIs is the parser of string flags: any value will do.
func asIs(v string) (string, error) { return v, nil }

// Register adds the flags of which to fs, bound to c, with defaults taken
// from the environment (read through getenv).
func (c *Config) Register(fs *flag.FlagSet, which Flags, getenv func(string) string, errs *[]error) {
	str := func(p *string, name, usage string) { bind(getenv, errs, fs.StringVar, p, name, usage, asIs, "") }
	dur := func(p *time.Duration, name, usage string) {
		bind(getenv, errs, fs.DurationVar, p, name, usage, time.ParseDuration, "a duration (e.g. 12h, 90s)")
	}
	num := func(p *int, name, usage string) {
		bind(getenv, errs, fs.IntVar, p, name, usage, strconv.Atoi, "a number")
	}
	boolean := func(p *bool, name, usage string) {
		bind(getenv, errs, fs.BoolVar, p, name, usage, strconv.ParseBool, "true or false")
	}
	str(&c.Database, "database", "database: sqlite:PATH or a postgres:// URL")
	str(&c.KeyFile, "key-file", "file holding the master key (created beside a SQLite database when missing)")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	str(&c.PreviousKeyFile, "previous-key-file", "file holding the previous master key while keys are rotated (docs/key-rotation.md)")
	c.Key = getenv("SMSMFA_KEY")
	c.PreviousKey = getenv("SMSMFA_KEY_PREVIOUS")
	c.ProviderType, c.ProviderName, c.ProviderURL = getenv("SMSMFA_PROVIDER_TYPE"), getenv("SMSMFA_PROVIDER_NAME"), getenv("SMSMFA_PROVIDER_URL")
	c.ProviderCredentials, c.ProviderSenders = getenv("SMSMFA_PROVIDER_CREDENTIALS"), getenv("SMSMFA_PROVIDER_SENDERS")
	if which&FlagsServe == 0 {
		return
	}
	str(&c.Addr, "addr", "address to listen on")
	str(&c.BaseURL, "base-url", "external URL of this server, used in links and the WebOTP line (default http://ADDR)")
	boolean(&c.Dev, "dev", "development mode: /dev/sms shows the SMS sink; never in production")
	str(&c.MetricsAddr, "metrics-addr", "serve /metrics on this address (e.g. a private interface)")
	str(&c.RadiusAddr, "radius-addr", "serve RADIUS (UDP) on this address, e.g. 0.0.0.0:1812 (default: off); clients: smsmfa radius-client add")
	boolean(&c.MetricsPublic, "metrics-public", "also serve /metrics on the main address, to anyone who reaches it")
	str(&c.TrustedProxies, "trusted-proxies", "comma-separated addresses/CIDRs of proxies whose X-Forwarded-For is believed")
	str(&c.LogFormat, "log-format", "json or text")
	dur(&c.SessionLifetime, "session-lifetime", "longest a browser session lasts")
	dur(&c.SessionIdle, "session-idle", "idle time before a browser session ends")
	dur(&c.DeliverWait, "deliver-wait", "how long a request waits for the SMS provider before answering 'on its way'")
	dur(&c.DeliveryLease, "delivery-lease", "how long a worker holds a message it is sending before another instance may take it over (a third of it bounds one send)")
	num(&c.PasswordMemory, "password-memory", "argon2id memory in KiB")
	num(&c.PasswordTime, "password-time", "argon2id passes")
	num(&c.PasswordThreads, "password-threads", "argon2id lanes")
}

// Validate checks c and fills in derived defaults (base URL, key file).
func (c *Config) Validate() error {
	var errs []error
	engine, _, err := store.ParseURL(c.Database)
	if err != nil {
		errs = append(errs, err)
	}
	if c.KeyFile == "" && c.Key == "" && engine == store.SQLite {
		path := strings.TrimPrefix(strings.TrimPrefix(c.Database, "sqlite:"), "//")
		c.KeyFile = filepath.Join(filepath.Dir(path), "smsmfa.key")
	}
	if c.KeyFile == "" && c.Key == "" && engine == store.Postgres {
		errs = append(errs, errors.New("with PostgreSQL every instance must share one master key: set SMSMFA_KEY (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) or --key-file"))
	}
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr must not be empty"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if c.RadiusAddr != "" {
		if _, err := net.ResolveUDPAddr("udp", c.RadiusAddr); err != nil || !strings.Contains(c.RadiusAddr, ":") {
			errs = append(errs, fmt.Errorf("--radius-addr %q must be HOST:PORT (e.g. 0.0.0.0:1812)", c.RadiusAddr))
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--base-url %q must be an absolute http(s) URL", c.BaseURL))
	}
	if _, err := httpx.ParsePrefixes(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("--log-format %q: use json or text", c.LogFormat))
	}
	if c.SessionLifetime < time.Minute || c.SessionIdle < time.Minute {
		errs = append(errs, errors.New("--session-lifetime and --session-idle must be at least 1m"))
	}
	if c.DeliverWait < 0 || c.DeliverWait > 10*time.Second {
		errs = append(errs, errors.New("--deliver-wait must be between 0 and 10s"))
	}
	if c.DeliveryLease < 3*time.Second || c.DeliveryLease > 10*time.Minute {
		errs = append(errs, errors.New("--delivery-lease must be between 3s and 10m"))
	}
	if c.PasswordMemory < 8 || c.PasswordTime < 1 || c.PasswordThreads < 1 || c.PasswordThreads > 255 {
		errs = append(errs, errors.New("--password-memory must be ≥ 8 KiB, --password-time ≥ 1, --password-threads 1–255"))
	}
	return errors.Join(errs...)
}

// BaseURLParsed returns the parsed base URL (Validate first).
func (c *Config) BaseURLParsed() *url.URL {
	u, _ := url.Parse(c.BaseURL)
	return u
}

// Load reads a command's configuration from args and the environment.
func Load(name string, which Flags, args []string, getenv func(string) string, output io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	c := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	var errs []error
	c.Register(fs, which|FlagsCommon, getenv, &errs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if len(errs) > 0 {
		return c, nil, errors.Join(errs...)
	}
	return c, fs.Args(), c.Validate()
}
