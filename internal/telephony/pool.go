package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/vonage"
)

// DevSinkName is the route name of the development sink.
const DevSinkName = "devsink"

// Pool is the live set of providers, as a delivery.Sender.
type Pool struct {
	svc     Config
	kinds   Kinds
	keys    mfa.Opener
	env     *mfa.ProviderConfig // from SMSMFA_PROVIDER_*, not stored
	sink    sms.Provider        // --dev only: used when nothing is configured
	base    string              // public base URL, for status callbacks
	log     *slog.Logger
	now     func() time.Time
	try     time.Duration
	mu      sync.RWMutex
	router  *sms.Router
	configs []mfa.ProviderConfig
	sig     string
	guard   guard // refused callbacks: per-source limits and summaries
}

// Config is the part of mfa.Telephony the pool uses: the stored
// providers, opt-outs, receipts and inbound keywords.
type Config interface {
	AddProvider(ctx context.Context, p mfa.ProviderConfig) (*mfa.ProviderConfig, error)
	Providers(ctx context.Context, o mfa.Opener) ([]mfa.ProviderConfig, error)
	OptedOutSenders(ctx context.Context, number string) ([]string, error)
	RecordProviderTest(ctx context.Context, name, to, from string, sendErr error)
	ApplyReceipt(ctx context.Context, provider, providerMessageID string, state mfa.MessageState, detail string) (bool, error)
	RecordKeyword(ctx context.Context, provider, number, sender, keyword, providerMessageID string) error
	RecordRefusedCallbacks(ctx context.Context, r mfa.RefusedCallbacks) error
}

// Options configure a Pool.
type Options struct {
	Service Config
	// Kinds are the provider types; empty means AllKinds.
	Kinds Kinds
	Keys  mfa.Opener
	Env   *mfa.ProviderConfig
	// Sink is the development sink (--dev only): the route while no
	// provider is configured. Without it, and without a provider, every
	// send is refused for good (sms.NoProvider): nothing is queued to
	// wait for a provider, and no text reaches a log.
	Sink    sms.Provider
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
	// TryTimeout bounds one provider's answer before the next is asked
	// (default 2 s).
	TryTimeout time.Duration
}

// New returns a pool; call Reload before use and Run to follow changes.
func New(o Options) *Pool {
	p := &Pool{svc: o.Service, kinds: o.Kinds, keys: o.Keys, env: o.Env, sink: o.Sink, base: strings.TrimSuffix(o.BaseURL, "/"), log: o.Logger, now: o.Now, try: o.TryTimeout}
	if len(p.kinds.kinds) == 0 {
		p.kinds = AllKinds()
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p
}

// Add stores a new provider (the domain checks it against its type's
// rules) and puts it into service.
func (p *Pool) Add(ctx context.Context, c mfa.ProviderConfig) (*mfa.ProviderConfig, error) {
	added, err := p.svc.AddProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	return added, p.Reload(ctx)
}

// Types lists the provider types the pool can run, sorted.
func (p *Pool) Types() []string { return p.kinds.Types() }

// withCallback asks a provider to report delivery to our receipt URL.
type withCallback struct {
	sms.Provider
	url string
}

func (w withCallback) Send(ctx context.Context, m sms.Message) (string, error) {
	m.StatusCallback = w.url
	return w.Provider.Send(ctx, m)
}

// CanCall reports whether the wrapped provider places calls.
func (w withCallback) CanCall() bool {
	c, ok := w.Provider.(sms.Caller)
	return ok && c.CanCall()
}

// Call places a call through the wrapped provider. It asks for no status
// callback: the receipt hooks read message receipts, and a call's status
// (answered, busy, no answer) is not a text's delivery.
func (w withCallback) Call(ctx context.Context, m sms.Message) (string, error) {
	c, ok := w.Provider.(sms.Caller)
	if !ok {
		return "", sms.NewError(sms.BadSender, "", "this provider places no calls")
	}
	return c.Call(ctx, m)
}

// Env returns the provider configured by SMSMFA_PROVIDER_*, or nil.
func (p *Pool) Env() *mfa.ProviderConfig { return p.env }

// CallbackURL is where a provider of type t named name sends receipts ("" if none).
func (p *Pool) CallbackURL(t, name string) string { return p.callbackURL(t, name) }

// callbackURL is where a provider of type t named name sends receipts ("" if none).
func (p *Pool) callbackURL(t, name string) string {
	switch t {
	case twilio.Type:
		return p.base + "/hooks/twilio/" + url.PathEscape(name) + "/status"
	case vonage.Type:
		return p.base + "/hooks/vonage/" + url.PathEscape(name) + "/receipt"
	}
	return ""
}

// configs returns the configuration to run: the stored providers that are
// enabled, and the one from the environment.
func (p *Pool) load(ctx context.Context) ([]mfa.ProviderConfig, error) {
	stored, err := p.svc.Providers(ctx, p.keys)
	if err != nil {
		return nil, err
	}
	var out []mfa.ProviderConfig
	if p.env != nil {
		out = append(out, *p.env)
	}
	for _, c := range stored {
		if c.Enabled {
			out = append(out, c)
		}
	}
	return out, nil
}

// signature summarises a configuration, to notice changes.
func signature(cs []mfa.ProviderConfig) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s|%s|%d|%s|%v|", c.Name, c.Updated.Format(time.RFC3339Nano), c.Priority, c.BaseURL, c.Enabled)
		for _, s := range c.Senders {
			b.WriteString(s.String() + ",")
		}
		b.WriteString(";")
	}
	return b.String()
}

// Reload rebuilds the router when the configuration changed. A provider
// whose adapter cannot be built is left out and logged (the others work).
func (p *Pool) Reload(ctx context.Context) error {
	cs, err := p.load(ctx)
	if err != nil {
		return err
	}
	sig := signature(cs)
	p.mu.RLock()
	same := p.router != nil && sig == p.sig
	old := p.router
	p.mu.RUnlock()
	if same {
		return nil
	}
	var routes []sms.Route
	for _, c := range cs {
		prov, err := p.kinds.Build(c)
		if err != nil {
			p.log.Error("SMS provider left out: its configuration does not work", "provider", c.Name, "err", err)
			continue
		}
		var rp sms.Provider = prov
		if cb := p.callbackURL(c.Type, c.Name); cb != "" {
			rp = withCallback{Provider: prov, url: cb}
		}
		r := sms.Route{Name: c.Name, Provider: rp, Priority: c.Priority}
		for _, s := range c.Senders {
			r.Senders = append(r.Senders, sms.RouteSender{Value: s.Value, Serves: s.Serves})
		}
		routes = append(routes, r)
	}
	if len(cs) == 0 && p.sink != nil {
		routes = append(routes, sms.Route{Name: DevSinkName, Provider: p.sink})
	}
	router := sms.NewRouter(routes, p.svc.OptedOutSenders, p.now, p.log)
	if p.try > 0 {
		router.TryTimeout = p.try
	}
	router.KeepBreakers(old)
	p.mu.Lock()
	p.router, p.configs, p.sig = router, cs, sig
	p.mu.Unlock()
	if len(routes) == 0 {
		p.log.Warn(NoProviderWarning)
		return nil
	}
	var names []string
	for _, r := range routes {
		names = append(names, r.Name)
	}
	p.log.Info("SMS routing", "providers", strings.Join(names, ", "))
	return nil
}

// NoProviderWarning is what the log and the console say while no provider
// is in service and there is no development sink.
const NoProviderWarning = "No SMS provider is configured: codes cannot be sent. Add one under SMS providers, or run with --dev for the development inbox."

// Warning is what the console must tell the admin about the pool on every
// page: NoProviderWarning while texts can go nowhere (no provider in
// service and no development sink, so every send is refused with
// sms.NoProvider), else "".
func (p *Pool) Warning() string {
	p.mu.RLock()
	r := p.router
	p.mu.RUnlock()
	if r != nil && len(r.Routes()) == 0 {
		return NoProviderWarning
	}
	return ""
}

// Run reloads the configuration every interval until ctx ends, and writes
// the summaries of refused callbacks that are due.
func (p *Pool) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.Reload(ctx); err != nil && ctx.Err() == nil {
				p.log.Error("reload SMS providers", "err", err)
			}
			p.reportDue(ctx)
		}
	}
}

// Send sends a message through the pool (delivery.Sender).
func (p *Pool) Send(ctx context.Context, msg sms.Message) (sms.Result, error) {
	p.mu.RLock()
	r := p.router
	p.mu.RUnlock()
	if r == nil {
		return sms.Result{}, sms.NewError(sms.BadSender, "", "no SMS provider is ready")
	}
	if len(r.Routes()) == 0 {
		return sms.Result{}, sms.NewError(sms.NoProvider, "", "no SMS provider is configured (and no --dev): the text was not sent")
	}
	return r.Send(ctx, msg)
}

// Config returns the running configuration of the named provider.
func (p *Pool) Config(name string) (mfa.ProviderConfig, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	i := slices.IndexFunc(p.configs, func(c mfa.ProviderConfig) bool { return c.Name == name })
	if i < 0 {
		return mfa.ProviderConfig{}, false
	}
	return p.configs[i], true
}

// BreakerOpen reports whether the named provider is skipped now because
// of repeated failures.
func (p *Pool) BreakerOpen(name string) bool {
	p.mu.RLock()
	r := p.router
	p.mu.RUnlock()
	return r != nil && r.BreakerOpen(name)
}

// Status describes one route for the console.
type Status struct {
	Name        string
	BreakerOpen bool
}

// Statuses reports the routes in use, in priority order.
func (p *Pool) Statuses() []Status {
	p.mu.RLock()
	r := p.router
	p.mu.RUnlock()
	if r == nil {
		return nil
	}
	var out []Status
	for _, rt := range r.Routes() {
		out = append(out, Status{Name: rt.Name, BreakerOpen: r.BreakerOpen(rt.Name)})
	}
	return out
}

// SendTest sends a test text through one provider (the console's "send
// test SMS"), outside the outbox, and records the result in the system log.
func (p *Pool) SendTest(ctx context.Context, name, to string) (string, error) {
	c, ok := p.Config(name)
	if !ok {
		return "", fmt.Errorf("no running provider named %q (is it enabled?)", name)
	}
	prov, err := p.kinds.Build(c)
	if err != nil {
		return "", err
	}
	n, err := phone.Parse(to, "")
	if err != nil {
		return "", fmt.Errorf("the test number must be in E.164 form, e.g. +14155550123")
	}
	to = n.E164
	from := ""
	for _, s := range c.Senders {
		if s.Serves(n.CallingCode) {
			from = s.Value
			break
		}
	}
	id, err := prov.Send(ctx, sms.Message{ID: "test-" + fmt.Sprint(p.now().UnixNano()), To: to, From: from,
		Body: "This is a test message from smsmfa. No action is needed.", Expires: p.now().Add(5 * time.Minute)})
	logged := err // the system log gets the error with what may be a number redacted
	if err != nil {
		logged = errors.New(sms.Redact(err.Error()))
	}
	p.svc.RecordProviderTest(ctx, name, to, from, logged)
	return id, err
}
