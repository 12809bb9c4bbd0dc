package main

import (
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
	"time"

	"smsmfa/internal/bench"
	"smsmfa/internal/config"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/smstest"
)

// benchCmd runs the load generator. By default it starts its own server
// (fresh SQLite database, or --database), with the development sink or a
// local webhook provider emulator (--provider gateway), limits relaxed so
// they do not throttle the run; with --url it drives a running server
// started with --dev (codes are read from /dev/sms/messages).
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("smsmfa bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	provider := fs.String("provider", "devsink", "devsink, or gateway (a local HTTP provider emulator, webhook type)")
	users := fs.Int("users", 20, "bench accounts")
	flows := fs.Int("flows", 200, "sign-in flows to run (the first per user enrolls)")
	conc := fs.Int("concurrency", 4, "flows at once")
	database := fs.String("database", "", "database for the bench server (default: a new SQLite file); a postgres:// database must be empty")
	memory := fs.Int("password-memory", 64*1024, "argon2id memory in KiB (the production default is 65536)")
	passes := fs.Int("password-time", 3, "argon2id passes")
	target := fs.String("url", "", "drive a running server instead (started with --dev); needs --token")
	token := fs.String("token", "", "API token of the running server (for creating the bench users)")
	if err = fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	var us []bench.User
	for i := range *users {
		us = append(us, bench.User{Login: fmt.Sprintf("bench%04d@example.com", i), Password: "Bench-Pass-2026", Phone: fmt.Sprintf("+1415555%04d", 1000+i)})
	}
	if *target != "" {
		return benchRemote(ctx, *target, *token, us, *flows, *conc, stdout)
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
	cfg.LogLevel, cfg.PasswordMemory, cfg.PasswordTime = "error", *memory, *passes
	cfg.Database = "sqlite:" + filepath.Join(dir, "bench.db")
	if *database != "" {
		cfg.Database = *database
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		cfg.Key = base64.StdEncoding.EncodeToString(key)
	}
	var gw *smstest.Gateway
	if *provider == "gateway" {
		if gw, err = smstest.NewGateway("bench-secret"); err != nil {
			return err
		}
		defer gw.Close()
		cfg.ProviderType, cfg.ProviderName, cfg.ProviderURL, cfg.ProviderCredentials = "webhook", "gateway", gw.URL(), "secret=bench-secret"
	} else if *provider != "devsink" {
		return fmt.Errorf("--provider must be devsink or gateway")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
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
	if err := a.svc.Org.UpdateSettings(actx, map[string]string{"sms_enabled": "true", "resend_cooldown": "0s", "limit_phone_15m": "1000", "limit_phone_day": "10000",
		"limit_user_hour": "1000", "limit_ip_hour": "100000", "budget_daily": "100000000", "activation_limit": "100", "shared_number_max_users": "10000",
		"limit_authn_minute": "1000000", "limit_api_minute": "1000000"}); err != nil {
		return err
	}
	for _, u := range us {
		if _, err := a.svc.Users.CreateUser(actx, mfa.NewUser{Login: u.Login, Password: u.Password, Activate: true}); err != nil {
			return userMessage(err)
		}
	}
	codes := func(ctx context.Context, phone string, since time.Time) (bench.Delivery, error) {
		for {
			if gw != nil {
				for _, r := range gw.Received() {
					if r.To == phone && !r.At.Before(since) {
						return bench.Delivery{Code: r.Code, At: r.At}, nil
					}
				}
			} else {
				for _, m := range a.sink.Messages() {
					if m.To == phone && !m.Created.Before(since) && m.Code != "" {
						return bench.Delivery{Code: m.Code, At: m.Created}, nil
					}
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
		a.db.Engine(), base, time.Now().UTC().Format(time.RFC3339), *provider, *users, *flows, *conc, *memory, *passes)
	rep, err := bench.Run(ctx, bench.Options{BaseURL: base, Users: us, Flows: *flows, Concurrency: *conc, Codes: codes})
	fmt.Fprint(stdout, rep.String())
	return err
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
		if res.StatusCode != 200 && res.StatusCode != 400 { // 400: exists from an earlier run
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
