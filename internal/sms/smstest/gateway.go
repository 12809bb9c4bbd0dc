package smstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"smsmfa/internal/sms/webhook"
)

// Mode is how a Gateway answers.
type Mode int

// Gateway modes.
const (
	OK             Mode = iota // accept every message
	Down                       // answer 503
	BadCredentials             // answer 401
	Hang                       // hold each request until Release (or the caller gives up)
)

// Received is a message a gateway accepted (or held).
type Received struct {
	ID   string // our message id (the hook's data.context.request.id)
	To   string
	Body string
	Code string // the one-time code (the hook's messageProfile.otpCode)
	// Channel is the hook's messageProfile.deliveryChannel: "SMS" for a
	// text, "Voice call" for a call.
	Channel string
	At      time.Time // when the request arrived, before it was read
}

// Gateway is a webhook SMS gateway emulator. It keeps what it receives in
// order and by number: Await finds a number's message without scanning the
// others, so a load generator can read codes at thousands a second.
type Gateway struct {
	Secret string
	srv    *http.Server
	ln     net.Listener

	mu       sync.Mutex
	mode     Mode
	received []Received
	history  bool                  // keep every message in received (else only the latest few per number)
	byPhone  map[string][]Received // oldest first
	waiters  map[string]chan struct{}
	requests int
	release  chan struct{}
	changed  chan struct{}
}

// perPhone is how many messages to one number a gateway without history
// keeps.
const perPhone = 4

// NewGateway starts a gateway on a loopback port that checks secret.
func NewGateway(secret string) (*Gateway, error) { return ListenGateway("127.0.0.1:0", secret) }

// ListenGateway starts a gateway on addr that checks secret.
func ListenGateway(addr, secret string) (*Gateway, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	g := &Gateway{Secret: secret, ln: ln, history: true, byPhone: map[string][]Received{}, waiters: map[string]chan struct{}{},
		release: make(chan struct{}), changed: make(chan struct{})}
	g.srv = &http.Server{Handler: g, ReadHeaderTimeout: 5 * time.Second}
	go g.srv.Serve(ln)
	return g, nil
}

// URL is the gateway's hook address.
func (g *Gateway) URL() string { return "http://" + g.ln.Addr().String() + "/sms" }

// Close stops the gateway: new connections are refused.
func (g *Gateway) Close() { g.Release(); g.srv.Close() }

// SetMode changes how the gateway answers.
func (g *Gateway) SetMode(m Mode) { g.mu.Lock(); g.mode = m; g.mu.Unlock() }

// Release lets held requests go on (and be accepted).
func (g *Gateway) Release() {
	g.mu.Lock()
	select {
	case <-g.release:
	default:
		close(g.release)
	}
	g.mu.Unlock()
}

// SetHistory turns the full history off (or on again): without it,
// Received and Wait see nothing new, and only the latest few messages to
// each number are kept for Await, so a long load test does not grow the
// gateway without bound.
func (g *Gateway) SetHistory(on bool) { g.mu.Lock(); g.history = on; g.mu.Unlock() }

// Await returns the first message to phone that arrived at or after since,
// waiting for it until ctx ends.
func (g *Gateway) Await(ctx context.Context, phone string, since time.Time) (Received, error) {
	for {
		g.mu.Lock()
		for _, r := range g.byPhone[phone] {
			if !r.At.Before(since) {
				g.mu.Unlock()
				return r, nil
			}
		}
		ch := g.waiters[phone]
		if ch == nil {
			ch = make(chan struct{})
			g.waiters[phone] = ch
		}
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Received{}, fmt.Errorf("smstest: no message to %s: %w", phone, ctx.Err())
		}
	}
}

// Received returns what the gateway accepted (and held), oldest first.
func (g *Gateway) Received() []Received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Received(nil), g.received...)
}

// Requests counts every request, answered or not.
func (g *Gateway) Requests() int { g.mu.Lock(); defer g.mu.Unlock(); return g.requests }

// Wait blocks until cond holds on what the gateway received, or timeout.
func (g *Gateway) Wait(timeout time.Duration, cond func([]Received) bool) ([]Received, error) {
	deadline := time.After(timeout)
	for {
		g.mu.Lock()
		got := append([]Received(nil), g.received...)
		ch := g.changed
		g.mu.Unlock()
		if cond(got) {
			return got, nil
		}
		select {
		case <-ch:
		case <-deadline:
			return got, fmt.Errorf("smstest: condition not met within %s (%d messages received)", timeout, len(got))
		}
	}
}

func (g *Gateway) note(r Received) {
	g.mu.Lock()
	defer g.mu.Unlock()
	mine := append(g.byPhone[r.To], r)
	if !g.history && len(mine) > perPhone {
		mine = append(mine[:0], mine[len(mine)-perPhone:]...)
	}
	g.byPhone[r.To] = mine
	if ch := g.waiters[r.To]; ch != nil {
		close(ch)
		delete(g.waiters, r.To)
	}
	if g.history {
		g.received = append(g.received, r)
		close(g.changed)
		g.changed = make(chan struct{})
	}
}

// HookEvent is Okta's telephony hook request as a receiver reads it, with
// every field Okta documents: a receiver can decode it with
// DisallowUnknownFields to catch a field the sender invents.
type HookEvent struct {
	EventID           string `json:"eventId"`
	EventTime         string `json:"eventTime"`
	EventType         string `json:"eventType"`
	EventTypeVersion  string `json:"eventTypeVersion"`
	ContentType       string `json:"contentType"`
	CloudEventVersion string `json:"cloudEventVersion"`
	Source            string `json:"source"`
	RequestType       string `json:"requestType"`
	Data              struct {
		Context struct {
			Request struct {
				ID string `json:"id"`
			} `json:"request"`
		} `json:"context"`
		MessageProfile struct {
			MsgTemplate     string `json:"msgTemplate"`
			PhoneNumber     string `json:"phoneNumber"`
			OTPExpires      string `json:"otpExpires"`
			DeliveryChannel string `json:"deliveryChannel"`
			OTPCode         string `json:"otpCode"`
			Locale          string `json:"locale"`
		} `json:"messageProfile"`
	} `json:"data"`
}

// ServeHTTP answers one hook call.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.requests++
	mode, release := g.mode, g.release
	g.mu.Unlock()
	switch mode {
	case Down:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case BadCredentials:
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Header.Get("Authorization") != g.Secret || !webhook.VerifySignature(g.Secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var ev HookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ch := ev.Data.MessageProfile.DeliveryChannel; ch != "SMS" && ch != "Voice call" {
		http.Error(w, "bad request: deliveryChannel must be SMS or Voice call", http.StatusBadRequest)
		return
	}
	mp := ev.Data.MessageProfile
	rc := Received{ID: ev.Data.Context.Request.ID, To: mp.PhoneNumber, Body: mp.MsgTemplate, Code: mp.OTPCode, Channel: mp.DeliveryChannel, At: arrived}
	if mode == Hang {
		g.note(rc) // it arrived; the answer will be lost if the caller gives up
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	} else {
		g.note(rc)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"commands":[{"type":"com.okta.telephony.action","value":[{"status":"SUCCESSFUL","provider":"smstest","transactionId":"gw-%s"}]}]}`, rc.ID)
}
