package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"sync"
	"time"

	"smsmfa/internal/api"
	"smsmfa/internal/config"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/oidc"
	"smsmfa/internal/radius"
	"smsmfa/internal/secret"
	"smsmfa/internal/store"
	"smsmfa/internal/web"
)

// serve runs the server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("smsmfa serve", config.FlagsServe, args, getenv, stderr, nil)
	if errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	if err != nil {
		return err
	}
	limitMemory(cfg.PasswordMemory, os.Getenv)
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	// zitadel/oidc logs (refused OAuth requests, never a token) through
	// the default logger: the server's own, in its format.
	slog.SetDefault(a.log.With("component", "oidc"))
	if err := a.pool.Reload(ctx); err != nil {
		return err
	}
	handler, err := a.handler()
	if err != nil {
		return err
	}
	srv, err := httpx.Listen(cfg.Addr, handler)
	if err != nil {
		return err
	}
	if err := a.printStart(ctx); err != nil {
		return err
	}
	var metricsSrv *httpx.Server
	if cfg.MetricsAddr != "" {
		if metricsSrv, err = httpx.Listen(cfg.MetricsAddr, a.operatorHandler()); err != nil {
			return err
		}
	}

	if a.db.Engine() == store.SQLite {
		// One process owns a SQLite database: any message held by a worker
		// belongs to a process that is gone. Send it again now.
		if n, err := a.db.ReleaseLeases(ctx, time.Now()); err != nil {
			return err
		} else if n > 0 {
			a.log.Warn("messages interrupted by the last stop will be sent again", "messages", n)
		}
	}
	var rad *radius.Server
	if cfg.RadiusAddr != "" {
		if rad, err = a.radiusServer(ctx); err != nil {
			return err
		}
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.disp.Run(workCtx) })
	wg.Go(func() { a.housekeeping(workCtx) })
	wg.Go(func() { a.pool.Run(workCtx, 5*time.Second) })

	errc := make(chan error, 3)
	radCtx, stopRadius := context.WithCancel(context.WithoutCancel(ctx))
	radDone := make(chan struct{})
	if rad != nil {
		go func() { errc <- rad.Serve(radCtx); close(radDone) }()
		a.log.Info("smsmfa serving RADIUS", "addr", rad.Addr().String())
	} else {
		close(radDone)
	}
	go func() { errc <- srv.Serve() }()
	if metricsSrv != nil {
		go func() { errc <- metricsSrv.Serve() }()
	}
	a.log.Info("smsmfa serving", "addr", srv.Addr(), "base_url", cfg.BaseURL, "database", a.db.Engine(), "dev", cfg.Dev, "key_id", a.keys.ID)
	if a.keys.Previous != nil {
		a.log.Info("master key rotation: values sealed under the previous key still open; run `smsmfa key rotate`, then remove the previous key", "key_id", a.keys.ID, "previous_key_id", a.keys.Previous.ID)
	}
	if cfg.Dev {
		fmt.Fprintf(stderr, "smsmfa: development mode: texts appear at %s/dev/sms\n", cfg.BaseURL)
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	a.log.Info("smsmfa shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		a.log.Error("stop the HTTP server", "err", serr)
	}
	stopRadius()
	<-radDone
	if metricsSrv != nil {
		if serr := metricsSrv.Shutdown(sctx); serr != nil {
			a.log.Error("stop the metrics server", "err", serr)
		}
	}
	stopWork()
	wg.Wait()
	return err
}

// radiusServer opens the RADIUS server on --radius-addr: its clients from
// the database with their secrets opened by the master key, the State
// sealed by it, every step through the sign-in service.
func (a *app) radiusServer(ctx context.Context) (*radius.Server, error) {
	s, err := radius.Listen(ctx, a.cfg.RadiusAddr, radius.Options{
		Signin: a.svc.Signin, Requests: a.svc.Radius,
		Clients: func(ctx context.Context) ([]mfa.RadiusClient, error) {
			return a.svc.Radius.RadiusClientsWithSecrets(ctx, a.keys)
		},
		Sealer: a.keys, BaseURL: a.cfg.BaseURL, Observer: a.metrics, Logger: a.log.With("component", "radius"),
	})
	if err != nil {
		return nil, fmt.Errorf("--radius-addr: %w", err)
	}
	return s, nil
}

// operatorHandler serves the metrics address (never the public one): the
// Prometheus metrics and Go's profiler, so that a running server can be
// profiled (go tool pprof http://ADDR/debug/pprof/profile).
func (a *app) operatorHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// handler builds the server's HTTP handler: health and metrics, the web UI.
func (a *app) handler() (http.Handler, error) {
	trusted, err := httpx.ParsePrefixes(a.cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	clientIP := httpx.ClientIP{Trusted: trusted}
	provider, err := oidc.New(oidc.Options{Domain: a.svc.OIDC, BaseURL: a.cfg.BaseURL, CryptoKey: a.oidcKey, Limiter: a.svc.Org, Logger: a.log.With("component", "oidc")})
	if err != nil {
		return nil, err
	}
	ui, err := web.New(web.Options{Services: web.ServicesOf(a.svc), Sessions: a.db.Sessions(), BaseURL: a.cfg.BaseURLParsed(), Dev: a.sink, Pool: a.pool, Keys: a.keys,
		SessionLifetime: a.cfg.SessionLifetime, SessionIdle: a.cfg.SessionIdle, Logger: a.log.With("component", "web"), Provider: provider})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	if a.cfg.MetricsPublic {
		mux.Handle("GET /metrics", a.metrics.Handler())
	}
	mux.Handle("/api/", api.New(api.Options{Services: api.ServicesOf(a.svc), BaseURL: a.cfg.BaseURL, Logger: a.log.With("component", "api")}))
	mux.Handle("/hooks/", a.pool.Hooks())
	// The OpenID Provider, at Okta's paths; logout ends the browser
	// session, so the web UI serves it.
	op := provider.Handler()
	mux.Handle("/.well-known/openid-configuration", op)
	mux.Handle("/oauth2/", op)
	mux.Handle("/oauth2/v1/logout", ui)
	mux.Handle("/oauth2/default/v1/logout", ui)
	mux.Handle("/", ui)
	return httpx.Common(httpx.Routed(mux), clientIP, a.log.With("component", "http"), a.metrics), nil
}

// oidcCryptoKey derives the key of the OpenID Provider's code encryption
// from the master key's code MAC key: the key pinned at the first start
// (openApp), which a master key rotation keeps.
func oidcCryptoKey(k *secret.Keys) [32]byte {
	m := hmac.New(sha256.New, k.CodeMAC)
	m.Write([]byte("smsmfa oidc code key"))
	return [32]byte(m.Sum(nil))
}

// healthz answers 200 while the database answers.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		httpx.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database not answering"})
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// housekeeping purges expired rows every ten minutes.
func (a *app) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n, err := a.svc.Org.Purge(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("purge", "err", err)
		} else if n > 0 {
			a.log.Info("purged expired rows", "rows", n)
		}
		if _, err := a.db.Sessions().DeleteExpired(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.log.Error("purge sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// printStart tells the operator where to go, in the first lines of the
// log: the address, and while no administrator exists, the setup page
// with a new setup code (kept only hashed in the database; printed once
// here, for the operator who started the server).
func (a *app) printStart(ctx context.Context) error {
	base := strings.TrimSuffix(a.cfg.BaseURL, "/")
	code, err := a.svc.Users.StartSetup(ctx)
	if err != nil {
		return err
	}
	if code == "" {
		a.log.Info("smsmfa: open "+base+"/ to sign in; the admin console is at "+base+"/admin", "url", base+"/")
		return nil
	}
	a.log.Warn("smsmfa: no administrator yet: open "+base+"/ to create the first one. From this machine no code is needed; from elsewhere enter the setup code "+code+
		" (it works once, until an administrator exists; each start while none exists prints a new one)", "url", base+"/setup")
	return nil
}
