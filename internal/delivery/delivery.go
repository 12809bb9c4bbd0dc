package delivery

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/randid"
	"smsmfa/internal/sms"
)

// Store is the outbox (implemented by store.DB). A claim holds a message
// under a claim id until its lease ends; FinishMessages records outcomes
// (many in one unit of work), each message's state only while its claim
// still holds (lost[i] otherwise). A new
// message is written already claimed (Claim, Deliver); the workers claim
// the others with ClaimDue.
type Store interface {
	ClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int, claim string) ([]mfa.Message, error)
	FinishMessages(ctx context.Context, fs []mfa.MessageFinish) (lost []bool, err error)
}

// Opener decrypts sealed message bodies (secret.Keys).
type Opener interface {
	Open(sealed []byte, context string) ([]byte, error)
}

// Result says which provider and sender took a message, and every try
// made on the way.
type Result = sms.Result

// Sender sends one message through the configured providers, failing over
// between them inside the call. Its errors are *sms.Error (or wrap one).
type Sender interface {
	Send(ctx context.Context, msg sms.Message) (Result, error)
}

// Single is a Sender with one provider and no failover (the development sink).
type Single struct {
	Name     string
	Provider sms.Provider
	From     string
}

// Send sends msg through the provider.
func (s Single) Send(ctx context.Context, msg sms.Message) (Result, error) {
	if msg.From == "" {
		msg.From = s.From
	}
	start := time.Now()
	id, err := s.Provider.Send(ctx, msg)
	return Result{Provider: s.Name, Sender: msg.From, ProviderMessageID: id,
		Tries: []sms.Try{{Provider: s.Name, Sender: msg.From, Started: start, Latency: time.Since(start), Err: err}}}, err
}

// Observer is told the outcome of every attempt (metrics). May be nil.
type Observer interface {
	Attempt(provider string, outcome string, took time.Duration)
}

// Dispatcher sends outbox messages.
type Dispatcher struct {
	store  Store
	open   Opener
	sender Sender
	clock  mfa.Clock
	log    *slog.Logger
	obs    Observer

	// Wait bounds how long Deliver holds up a request.
	Wait time.Duration
	// Lease is how long a claimed message is held before another worker
	// may take it over; it must exceed SendTimeout.
	Lease time.Duration
	// SendTimeout bounds one attempt across every provider.
	SendTimeout time.Duration
	// Poll is how often the worker looks for due messages.
	Poll time.Duration
	// After is the timer Deliver waits on (time.After; tests replace it).
	After func(time.Duration) <-chan time.Time

	// Grouped writes outcomes in groups (see finisher): one writer, one
	// commit for many, which pays where writes go one at a time (SQLite).
	// Off, each outcome is its own unit of work, in parallel over the
	// connection pool (PostgreSQL).
	Grouped bool

	kick   chan struct{}
	group  finisher
	wg     sync.WaitGroup
	sem    chan struct{}
	id     string
	claims atomic.Uint64
}

// New returns a Dispatcher with production timings.
func New(st Store, open Opener, sender Sender, clock mfa.Clock, log *slog.Logger, obs Observer) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: st, open: open, sender: sender, clock: clock, log: log, obs: obs, group: finisher{store: st}, Grouped: true,
		Wait: 1500 * time.Millisecond, Lease: 30 * time.Second, SendTimeout: 10 * time.Second, Poll: 250 * time.Millisecond, After: time.After,
		kick: make(chan struct{}, 1), sem: make(chan struct{}, 16), id: randid.Chars("", 10)}
}

// claim returns a new claim id: this dispatcher's id and a counter.
func (d *Dispatcher) claim() string {
	return d.id + "-" + strconv.FormatUint(d.claims.Add(1), 10)
}

var _ mfa.Deliverer = (*Dispatcher)(nil)

// Claim returns a claim of this dispatcher and the end of its lease, for a
// message the domain is about to queue (see mfa.Deliverer).
func (d *Dispatcher) Claim(now time.Time) (string, time.Time) { return d.claim(), now.Add(d.Lease) }

// Deliver tries to send m (queued under a claim from Claim) now, waiting
// at most d.Wait. When the provider has not answered by then the attempt
// goes on in the background and Deliver reports the message as sending.
func (d *Dispatcher) Deliver(ctx context.Context, m mfa.Message) mfa.Delivery {
	done := make(chan mfa.Delivery, 1)
	// The attempt must not die with the request: detach from its cancel.
	actx := context.WithoutCancel(ctx)
	d.wg.Go(func() { done <- d.send(actx, m) })
	select {
	case r := <-done:
		return r
	case <-d.After(d.Wait):
		return mfa.Delivery{State: mfa.MessageSending}
	}
}

// backoff is the wait before retry n (n ≥ 1): 1 s, 2 s, 4 s … at most 30 s.
func backoff(n int) time.Duration {
	d := time.Second << min(max(n-1, 0), 5)
	return min(d, 30*time.Second)
}

// lostNote is the attempt recorded for a message taken over from a worker
// that stopped mid-send.
const lostNote = "the previous attempt was interrupted before its outcome was recorded (the process stopped); the provider may have sent this message, so it may arrive twice"

// send makes one attempt at a claimed message and records its outcome.
func (d *Dispatcher) send(ctx context.Context, m mfa.Message) mfa.Delivery {
	now := d.clock.Now()
	var pre []mfa.Attempt
	if strings.HasPrefix(m.Claim, mfa.LostClaimPrefix) {
		d.log.WarnContext(ctx, "SMS taken over from an interrupted attempt", "id", m.ID, "attempt", m.Attempts)
		pre = append(pre, mfa.Attempt{Attempt: m.Attempts - 1, Started: now, Outcome: "lost", Error: lostNote})
	}
	var reason string // the provider's reason, when it refused
	finish := func(u mfa.MessageUpdate) mfa.Delivery {
		u.Attempts = append(pre, u.Attempts...)
		if err := d.finish(ctx, mfa.MessageFinish{ID: m.ID, Claim: m.Claim, Update: u}); err != nil {
			if errors.Is(err, mfa.ErrClaimLost) {
				d.log.WarnContext(ctx, "SMS outcome not recorded: another worker took the message over", "id", m.ID, "state", u.State)
				return mfa.Delivery{State: mfa.MessageSending}
			}
			d.log.ErrorContext(ctx, "finish message", "id", m.ID, "err", err)
		}
		return mfa.Delivery{State: u.State, Error: u.Error, Reason: reason}
	}
	if !now.Before(m.Expires) {
		d.log.WarnContext(ctx, "SMS expired before it could be sent", "id", m.ID, "attempts", m.Attempts)
		return finish(mfa.MessageUpdate{State: mfa.MessageExpired, Error: "code expired before it could be sent"})
	}
	content, err := mfa.OpenMessage(d.open, m.ID, m.SealedBody)
	if err != nil {
		d.log.ErrorContext(ctx, "open message body", "id", m.ID, "err", err)
		return finish(mfa.MessageUpdate{State: mfa.MessageFailed, Error: "message body cannot be decrypted (was the master key changed?)"})
	}
	sctx, cancel := context.WithTimeout(ctx, d.SendTimeout)
	defer cancel()
	msg := sms.Message{ID: m.ID, To: m.To, Body: content.Body, Code: content.Code, Expires: m.Expires}
	if content.Channel == mfa.ChannelVoice {
		msg.Channel, msg.Extension = sms.ChannelVoice, content.Extension
		msg.Speech = sms.Speech{Language: content.Language, Parts: content.Parts}
	}
	res, err := d.sender.Send(sctx, msg)
	u := mfa.MessageUpdate{Provider: res.Provider, Sender: res.Sender, Attempts: d.attempts(m, res.Tries)}
	if err == nil {
		d.log.InfoContext(ctx, "SMS sent", "id", m.ID, "provider", res.Provider, "sender", res.Sender, "attempt", m.Attempts, "tries", len(res.Tries))
		u.State, u.Sent, u.ProviderMessageID = mfa.MessageSent, d.clock.Now(), res.ProviderMessageID
		return finish(u)
	}
	class := sms.Classify(err)
	u.Error, reason = errText(err), string(sms.ReasonOf(err))
	if class == sms.Permanent {
		d.log.WarnContext(ctx, "SMS refused", "id", m.ID, "provider", res.Provider, "reason", sms.ReasonOf(err), "err", u.Error)
		u.State = mfa.MessageFailed
		return finish(u)
	}
	next := d.clock.Now().Add(backoff(m.Attempts))
	if !next.Before(m.Expires) {
		d.log.WarnContext(ctx, "SMS not sent before the code expired", "id", m.ID, "attempts", m.Attempts, "err", u.Error)
		u.State = mfa.MessageExpired
		return finish(u)
	}
	d.log.WarnContext(ctx, "SMS attempt failed, will retry", "id", m.ID, "attempt", m.Attempts, "retry_at", next, "err", u.Error)
	u.State, u.NextAttempt, u.KeepBody = mfa.MessageQueued, next, true
	r := finish(u)
	d.Kick()
	return r
}

// attempts turns the router's tries into delivery-log attempts, and tells
// the observer (metrics) about each.
func (d *Dispatcher) attempts(m mfa.Message, tries []sms.Try) []mfa.Attempt {
	out := make([]mfa.Attempt, 0, len(tries))
	for _, t := range tries {
		outcome, msg := "sent", ""
		if t.Err != nil {
			outcome, msg = sms.Classify(t.Err).String(), errText(t.Err)
			if sms.ReasonOf(t.Err) == sms.Timeout {
				msg += " (no answer in time: the provider may still have accepted the message)"
			}
		}
		d.observe(t.Provider, outcome, t.Latency)
		out = append(out, mfa.Attempt{Attempt: m.Attempts, Provider: t.Provider, Sender: t.Sender, Started: t.Started.UTC().Truncate(time.Microsecond),
			Latency: t.Latency, Outcome: outcome, Error: msg})
	}
	return out
}

// errText is an error for the delivery log and the server log, with
// anything that could be a code (or a number) the provider echoed redacted.
func errText(err error) string {
	if e, ok := errors.AsType[*sms.Error](err); ok {
		return sms.Redact(e.Error())
	}
	return sms.Redact("sms: " + err.Error())
}

func (d *Dispatcher) observe(provider, outcome string, took time.Duration) {
	if d.obs != nil {
		d.obs.Attempt(provider, outcome, took)
	}
}

// Kick wakes the worker (a message became due, or a retry was scheduled).
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends, then waits for attempts in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		d.RunOnce(ctx)
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return
		case <-t.C:
		case <-d.kick:
		}
	}
}

// RunOnce claims the messages due now and starts sending them.
func (d *Dispatcher) RunOnce(ctx context.Context) {
	now := d.clock.Now()
	msgs, err := d.store.ClaimDue(ctx, now, now.Add(d.Lease), cap(d.sem), d.claim())
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("claim due messages", "err", err)
		}
		return
	}
	for _, m := range msgs {
		d.sem <- struct{}{}
		d.wg.Go(func() {
			defer func() { <-d.sem }()
			d.send(context.WithoutCancel(ctx), m)
		})
	}
}

// WaitIdle blocks until every attempt started so far has finished.
func (d *Dispatcher) WaitIdle() { d.wg.Wait() }

// finish records an outcome, in a group when d.Grouped.
func (d *Dispatcher) finish(ctx context.Context, f mfa.MessageFinish) error {
	if d.Grouped {
		return d.group.finish(ctx, f)
	}
	lost, err := d.store.FinishMessages(ctx, []mfa.MessageFinish{f})
	if err == nil && lost[0] {
		return mfa.ErrClaimLost
	}
	return err
}

// finisher writes outcomes in groups (group commit): while one group is
// being written, the outcomes that arrive wait and go together in the next,
// one unit of work for all of them. An outcome that arrives alone is
// written at once. Under load this takes the outbox from one write
// transaction per message to one per group. The caller that writes a group
// returns once it is written; the first of those still waiting writes the
// next, so nobody's answer waits for other people's groups.
type finisher struct {
	store   Store
	mu      sync.Mutex
	pending []finishing
	busy    bool // a group is being written, or its writer is being handed over
}

type finishing struct {
	f    mfa.MessageFinish
	done chan error    // the outcome's result
	lead chan struct{} // closed when this caller is to write the next group
}

// maxGroup bounds the outcomes written in one unit of work.
const maxGroup = 128

// finish records f, in a group with the outcomes that arrive meanwhile; it
// returns mfa.ErrClaimLost when f's claim no longer held.
func (g *finisher) finish(ctx context.Context, f mfa.MessageFinish) error {
	me := finishing{f: f, done: make(chan error, 1), lead: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, me)
	if g.busy {
		g.mu.Unlock()
		select {
		case err := <-me.done: // written in another caller's group
			return err
		case <-me.lead: // first in line: write the next group (it holds me)
		}
		g.mu.Lock()
	}
	g.busy = true
	n := min(len(g.pending), maxGroup)
	group := slices.Clone(g.pending[:n])
	g.pending = slices.Delete(g.pending, 0, n)
	g.mu.Unlock()
	g.write(context.WithoutCancel(ctx), group) // the group holds others' outcomes too
	g.mu.Lock()
	if len(g.pending) > 0 {
		close(g.pending[0].lead) // busy stays set: the writer changes hands
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return <-me.done
}

// write records a group; when the group fails as a whole, each outcome is
// written alone, so one bad outcome fails only itself.
func (g *finisher) write(ctx context.Context, group []finishing) {
	fs := make([]mfa.MessageFinish, len(group))
	for i, w := range group {
		fs[i] = w.f
	}
	lost, err := g.store.FinishMessages(ctx, fs)
	if err != nil && len(group) > 1 {
		for _, w := range group {
			g.write(ctx, []finishing{w})
		}
		return
	}
	for i, w := range group {
		switch {
		case err != nil:
			w.done <- err
		case lost[i]:
			w.done <- mfa.ErrClaimLost
		default:
			w.done <- nil
		}
	}
}
