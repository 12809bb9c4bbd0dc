package sms

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"smsmfa/internal/phone"
)

// Route is one provider account of the pool, with its senders.
type Route struct {
	Name     string
	Provider Provider
	Priority int // lower first
	Senders  []RouteSender
}

// RouteSender is one sender of a route.
type RouteSender struct {
	Value string
	// Serves reports whether the sender may send to calling code cc (the
	// domain's rule, mfa.Sender.Serves); nil means any country.
	Serves func(cc int) bool
}

func (s RouteSender) serves(cc int) bool { return s.Serves == nil || s.Serves(cc) }

// Router sends each message through the pool: it picks an eligible sender
// for the destination country, rotating across the pool; avoids a sender
// the recipient opted out from when another exists; skips providers whose
// circuit breaker is open; and fails over to the next provider, inside the
// same call, on a transient or configuration error.
type Router struct {
	routes   []Route
	optedOut func(ctx context.Context, to string) ([]string, error)
	now      func() time.Time
	log      *slog.Logger
	// TryTimeout bounds one provider's answer, so a slow provider costs at
	// most this much before the next one is asked.
	TryTimeout time.Duration

	rr       atomic.Uint64
	mu       sync.Mutex
	breakers map[string]*breaker
}

// NewRouter returns a router over routes. optedOut lists the senders a
// recipient opted out from (may be nil); now is the clock.
func NewRouter(routes []Route, optedOut func(ctx context.Context, to string) ([]string, error), now func() time.Time, log *slog.Logger) *Router {
	rs := slices.Clone(routes)
	slices.SortStableFunc(rs, func(a, b Route) int { return a.Priority - b.Priority })
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{routes: rs, optedOut: optedOut, now: now, log: log, TryTimeout: 2 * time.Second, breakers: map[string]*breaker{}}
}

// Routes returns the router's routes in priority order.
func (r *Router) Routes() []Route { return r.routes }

func (r *Router) breaker(name string) *breaker {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.breakers[name]
	if !ok {
		b = &breaker{}
		r.breakers[name] = b
	}
	return b
}

// BreakerOpen reports whether the named provider is being skipped now.
func (r *Router) BreakerOpen(name string) bool { return r.breaker(name).open(r.now()) }

// KeepBreakers carries the breaker state of old over to r (after a
// configuration reload), for the providers both know.
func (r *Router) KeepBreakers(old *Router) {
	if old == nil {
		return
	}
	old.mu.Lock()
	defer old.mu.Unlock()
	for _, rt := range r.routes {
		if b, ok := old.breakers[rt.Name]; ok {
			r.breakers[rt.Name] = b
		}
	}
}

// candidate is one (provider, sender) to try.
type candidate struct {
	route    *Route
	sender   string
	optedOut bool
}

// candidates lists what can serve msg, in the order to try them.
func (r *Router) candidates(ctx context.Context, msg Message) []candidate {
	cc := callingCode(msg.To)
	var stops []string // only senders of a pool are told apart by opt-outs
	if r.optedOut != nil && slices.ContainsFunc(r.routes, func(rt Route) bool { return len(rt.Senders) > 0 }) {
		var err error
		if stops, err = r.optedOut(ctx, msg.To); err != nil {
			r.log.WarnContext(ctx, "opt-out lookup failed; routing without it", "err", err)
		}
	}
	n := int(r.rr.Add(1))
	// Rotate routes of equal priority, so load and sender ids vary
	// between messages (and between resends).
	var order []*Route
	for i := 0; i < len(r.routes); {
		j := i
		for j < len(r.routes) && r.routes[j].Priority == r.routes[i].Priority {
			j++
		}
		for k := range j - i {
			order = append(order, &r.routes[i+(k+n)%(j-i)])
		}
		i = j
	}
	var out []candidate
	if msg.Channel == ChannelVoice {
		return voiceCandidates(order, cc)
	}
	for _, rt := range order {
		if len(rt.Senders) == 0 {
			out = append(out, candidate{route: rt})
			continue
		}
		var eligible []string
		for _, s := range rt.Senders {
			if s.serves(cc) {
				eligible = append(eligible, s.Value)
			}
		}
		if len(eligible) == 0 {
			continue
		}
		// Rotate senders; the first not opted out leads, the others follow.
		for k := range eligible {
			s := eligible[(k+n)%len(eligible)]
			out = append(out, candidate{route: rt, sender: s, optedOut: slices.Contains(stops, s)})
		}
	}
	// Keep one candidate per provider in the first pass (the best sender),
	// then the rest: failover moves to another provider before another
	// sender of the same one.
	slices.SortStableFunc(out, func(a, b candidate) int {
		if a.optedOut != b.optedOut {
			if a.optedOut {
				return 1
			}
			return -1
		}
		return 0
	})
	seen := map[*Route]bool{}
	var first, rest []candidate
	for _, c := range out {
		if !seen[c.route] {
			seen[c.route] = true
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	return append(first, rest...)
}

// voiceCandidates lists the routes that can place calls, in order, one
// candidate each: the caller id is the route's first number (E.164) that
// serves calling code cc, or empty (the account's own caller id). Opt-outs
// (STOP replies to texts) do not apply to calls.
func voiceCandidates(order []*Route, cc int) []candidate {
	var out []candidate
	for _, rt := range order {
		if _, ok := canCall(rt.Provider); !ok {
			continue
		}
		c := candidate{route: rt}
		for _, s := range rt.Senders {
			if IsE164(s.Value) && s.serves(cc) {
				c.sender = s.Value
				break
			}
		}
		out = append(out, c)
	}
	return out
}

// Send delivers msg through the pool (see Router). Its error is the last
// provider's *Error, or a BadSender *Error when nothing can serve the
// destination. A voice message (msg.Channel ChannelVoice) goes only to
// providers that place calls (see Caller), with the same failover and
// breakers; a NoProvider *Error when none can.
func (r *Router) Send(ctx context.Context, msg Message) (Result, error) {
	cands := r.candidates(ctx, msg)
	if len(cands) == 0 {
		if msg.Channel == ChannelVoice {
			return Result{}, Errorf(NoProvider, "", "no configured provider can place voice calls")
		}
		return Result{}, Errorf(BadSender, "", "no configured sender can send to +%d", callingCode(msg.To))
	}
	var res Result
	var last error
	tried := map[*Route]bool{}
	try := func(c candidate) (done bool) {
		m := msg
		m.From = c.sender
		tctx, cancel := context.WithTimeout(ctx, r.TryTimeout)
		start := r.now()
		t0 := time.Now()
		var id string
		var err error
		if caller, ok := canCall(c.route.Provider); ok && m.Channel == ChannelVoice {
			id, err = caller.Call(tctx, m)
		} else {
			id, err = c.route.Provider.Send(tctx, m)
		}
		cancel()
		if err != nil && errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason != Timeout {
				err = NewError(Timeout, "", "no answer within "+r.TryTimeout.String())
			}
		}
		res.Tries = append(res.Tries, Try{Provider: c.route.Name, Sender: c.sender, Started: start, Latency: time.Since(t0), Err: err})
		res.Provider, res.Sender = c.route.Name, c.sender
		b := r.breaker(c.route.Name)
		if err == nil {
			b.success()
			res.ProviderMessageID, last = id, nil
			return true
		}
		last = err
		switch Classify(err) {
		case Permanent:
			if ReasonOf(err) == OptedOut {
				return false // another sender may still reach the recipient
			}
			return true // the number itself is refused: no failover
		default:
			b.failure(r.now())
			r.log.WarnContext(ctx, "SMS provider failed; trying the next", "provider", c.route.Name, "channel", channelName(m.Channel), "reason", ReasonOf(err), "err", Redact(err.Error()))
			tried[c.route] = true
			return false
		}
	}
	now := r.now()
	var skipped []candidate
	for _, c := range cands {
		if ctx.Err() != nil {
			break
		}
		if tried[c.route] {
			continue // this provider failed for the whole account; skip its other senders
		}
		if !r.breaker(c.route.Name).allow(now) {
			skipped = append(skipped, c)
			continue
		}
		if try(c) {
			return res, last
		}
	}
	// Every provider that could be tried failed or was skipped: try the
	// skipped ones (open breakers) rather than give up.
	for _, c := range skipped {
		if ctx.Err() != nil || tried[c.route] {
			continue
		}
		if try(c) {
			return res, last
		}
	}
	if last == nil {
		last = NewError(Timeout, "", ctx.Err().Error())
	}
	return res, last
}

// callingCode returns the calling code of an E.164 number, or 0.
func callingCode(e164 string) int { return phone.CallingCodeOf(e164) }

// channelName names a channel for logs.
func channelName(c Channel) string {
	if c == ChannelVoice {
		return "voice"
	}
	return "sms"
}
