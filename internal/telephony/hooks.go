package telephony

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/vonage"
)

// Hooks receives providers' callbacks. Every callback is checked against
// the provider's signature; a forged or unsigned one is refused with 403,
// a Vonage one signed more than CallbackMaxAge ago (a replay) or more than
// CallbackMaxAhead ahead of our clock too. Twilio signs no time, so a
// Twilio callback has no age to check: a captured one (it takes the
// request as sent, inside TLS) could be replayed, which changes nothing
// for a receipt (a message's state only moves forward) and records a STOP
// or START again. Refusals are limited per source address and summarised
// in the system log (see RefusedPerSource).
func (p *Pool) Hooks() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /hooks/twilio/{name}/status", p.guarded(p.twilioStatus))
	m.HandleFunc("POST /hooks/twilio/{name}/inbound", p.guarded(p.twilioInbound))
	m.HandleFunc("GET /hooks/vonage/{name}/receipt", p.guarded(p.vonageReceipt))
	m.HandleFunc("POST /hooks/vonage/{name}/receipt", p.guarded(p.vonageReceipt))
	return httpx.Routed(m)
}

// How far a signed callback's time may be from our clock: older is a
// replay, further ahead more than clock skew.
const (
	CallbackMaxAge   = 5 * time.Minute
	CallbackMaxAhead = time.Minute
)

// guarded answers 429, without reading the request, a source address
// over its limit of refused callbacks.
func (p *Pool) guarded(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := p.now()
		source := sourceOf(r)
		wait, over := p.guard.over(source, now)
		if !over {
			h(w, r)
			return
		}
		name := r.PathValue("name")
		if _, ok := p.Config(name); !ok {
			name = ""
		}
		p.report(context.WithoutCancel(r.Context()), p.guard.refuse(name, source, "over the limit of refused callbacks", true, now))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		http.Error(w, "too many refused callbacks from this address", http.StatusTooManyRequests)
	}
}

// sourceOf is the address a callback came from (behind trusted proxies,
// the client's), an IPv6 address as its /64.
func sourceOf(r *http.Request) string {
	ip := mfa.ClientFrom(r.Context()).IP
	if ip == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ip = host
	}
	return mfa.AddressBucket(ip)
}

// refuse answers a refused callback with status and reason, and counts it
// against its source and, when provider is not "", for its summary.
func (p *Pool) refuse(w http.ResponseWriter, r *http.Request, provider, reason string, status int) {
	// Written even if the caller hangs up.
	p.report(context.WithoutCancel(r.Context()), p.guard.refuse(provider, sourceOf(r), reason, false, p.now()))
	http.Error(w, reason, status)
}

// report writes a due summary of refused callbacks (nil: none) to the
// server log and the system log.
func (p *Pool) report(ctx context.Context, sum *mfa.RefusedCallbacks) {
	if sum == nil {
		return
	}
	p.log.WarnContext(ctx, "SMS provider callbacks refused", "provider", sum.Provider, "count", sum.Count, "unread", sum.Unread,
		"since", sum.Since, "addresses", len(sum.Sources)+sum.OtherSources)
	if err := p.svc.RecordRefusedCallbacks(ctx, *sum); err != nil {
		p.log.ErrorContext(ctx, "record refused callbacks", "provider", sum.Provider, "err", err)
	}
}

// reportDue writes the summaries of refused callbacks whose minute passed.
func (p *Pool) reportDue(ctx context.Context) {
	for _, sum := range p.guard.due(p.now()) {
		p.report(ctx, &sum)
	}
}

// receiptState maps a receipt's status onto the delivery log's states;
// ok is false for statuses that change nothing (queued, sent).
func receiptState(s sms.Status) (mfa.MessageState, bool) {
	switch s {
	case sms.StatusDelivered:
		return mfa.MessageDelivered, true
	case sms.StatusUndelivered, sms.StatusFailed:
		return mfa.MessageUndelivered, true
	}
	return "", false
}

// provider returns the running configuration of the callback's provider
// when it has the type; otherwise it answers 404.
func (p *Pool) provider(w http.ResponseWriter, r *http.Request, typ string) (mfa.ProviderConfig, bool) {
	c, ok := p.Config(r.PathValue("name"))
	if !ok || c.Type != typ {
		p.refuse(w, r, "", "unknown provider", http.StatusNotFound)
		return c, false
	}
	return c, true
}

// publicURL is the URL the provider called, as it signed it: our public
// base URL and the request's path and query.
func (p *Pool) publicURL(r *http.Request) string {
	u := p.base + r.URL.Path
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

func (p *Pool) twilioForm(w http.ResponseWriter, r *http.Request) (mfa.ProviderConfig, url.Values, bool) {
	c, ok := p.provider(w, r, twilio.Type)
	if !ok {
		return c, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.refuse(w, r, c.Name, "unreadable form", http.StatusBadRequest)
		return c, nil, false
	}
	if !twilio.VerifySignature(c.Credentials[twilio.CredAuthToken], p.publicURL(r), r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
		p.refuse(w, r, c.Name, "invalid signature", http.StatusForbidden)
		return c, nil, false
	}
	return c, r.PostForm, true
}

// twilioCallback reads a signed Twilio callback with parse; when the
// callback is refused or parse fails (400) it answers and reports false.
func twilioCallback[T any](p *Pool, w http.ResponseWriter, r *http.Request, parse func(url.Values) (T, error)) (mfa.ProviderConfig, T, bool) {
	var v T
	c, form, ok := p.twilioForm(w, r)
	if !ok {
		return c, v, false
	}
	v, err := parse(form)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return c, v, false
	}
	return c, v, true
}

func (p *Pool) twilioStatus(w http.ResponseWriter, r *http.Request) {
	if c, rc, ok := twilioCallback(p, w, r, twilio.ParseStatusCallback); ok {
		p.applyReceipt(w, r, c.Name, rc)
	}
}

func (p *Pool) applyReceipt(w http.ResponseWriter, r *http.Request, provider string, rc sms.Receipt) {
	if st, ok := receiptState(rc.Status); ok {
		detail := strings.TrimSpace(strings.Join([]string{rc.ErrorCode, rc.ErrorDetail}, " "))
		if _, err := p.svc.ApplyReceipt(r.Context(), provider, rc.ProviderMessageID, st, detail); err != nil {
			p.log.ErrorContext(r.Context(), "apply receipt", "provider", provider, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// twilioInbound records STOP / START / HELP replies, and answers with an
// empty TwiML document (Twilio's own opt-out handling sends the replies).
func (p *Pool) twilioInbound(w http.ResponseWriter, r *http.Request) {
	c, in, ok := twilioCallback(p, w, r, twilio.ParseInbound)
	if !ok {
		return
	}
	if in.Keyword != sms.KeywordNone {
		if err := p.svc.RecordKeyword(r.Context(), c.Name, in.From, in.To, string(in.Keyword), in.ProviderMessageID); err != nil {
			p.log.ErrorContext(r.Context(), "record opt-out", "provider", c.Name, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`); err != nil {
		p.log.WarnContext(r.Context(), "Twilio inbound: answer not written", "provider", c.Name, "err", err)
	}
}

// vonageReceipt takes a delivery receipt (GET query, POST form or JSON).
// When the provider has a signature_secret, the receipt must be signed.
func (p *Pool) vonageReceipt(w http.ResponseWriter, r *http.Request) {
	c, ok := p.provider(w, r, vonage.Type)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var m map[string]any
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				p.refuse(w, r, c.Name, "unreadable JSON", http.StatusBadRequest)
				return
			}
			values = url.Values{}
			for k, v := range m {
				if s, ok := v.(string); ok {
					values.Set(k, s)
				}
			}
		} else if err := r.ParseForm(); err == nil {
			values = r.Form
		}
	}
	secret := c.Credentials[vonage.CredSignatureSecret]
	if secret == "" {
		p.refuse(w, r, c.Name, "unsigned: set the provider's signature_secret credential to accept receipts", http.StatusForbidden)
		return
	}
	if !vonage.VerifySignature(secret, values) {
		p.refuse(w, r, c.Name, "invalid signature", http.StatusForbidden)
		return
	}
	if stale := staleness(values, p.now()); stale != "" {
		p.refuse(w, r, c.Name, stale, http.StatusForbidden)
		return
	}
	rc, err := vonage.ParseReceipt(values)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.applyReceipt(w, r, c.Name, rc)
}

// staleness says why a signed Vonage callback's time is refused at now
// ("" when it is fresh): no timestamp, older than CallbackMaxAge (a
// replay), or further ahead than CallbackMaxAhead.
func staleness(values url.Values, now time.Time) string {
	at, ok := vonage.SignedAt(values)
	switch {
	case !ok:
		return "signed without a timestamp"
	case now.Sub(at) > CallbackMaxAge:
		return "signed more than 5 minutes ago (a replay?)"
	case at.Sub(now) > CallbackMaxAhead:
		return "signed more than a minute in the future"
	}
	return ""
}
