// Package metrics holds smsmfa's Prometheus collectors on a registry of its
// own (no package globals), passed to the components that record them.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the collectors.
type Metrics struct {
	Registry *prometheus.Registry
	SMSSend  *prometheus.CounterVec
	SMSTime  *prometheus.HistogramVec
	// Radius counts RADIUS requests by outcome (radius.Outcome*).
	Radius *prometheus.CounterVec
	// HTTP counts requests by route pattern, method and status code;
	// HTTPTime is their latency by route (httpx.RequestObserver).
	HTTP     *prometheus.CounterVec
	HTTPTime *prometheus.HistogramVec
	// SignIns, Verifications, Lockouts and Refusals are the domain's
	// security decisions (mfa.Observer).
	SignIns       *prometheus.CounterVec
	Verifications *prometheus.CounterVec
	Lockouts      *prometheus.CounterVec
	Refusals      *prometheus.CounterVec
}

// New returns the collectors registered on a new registry, with the Go and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		SMSSend: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_sms_send_total",
			Help: "SMS send attempts by provider and outcome (sent, transient, permanent, configuration)."}, []string{"provider", "outcome"}),
		SMSTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smsmfa_sms_send_duration_seconds",
			Help: "Time a provider took to answer a send.", Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"provider"}),
		Radius: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_radius_requests_total",
			Help: "RADIUS requests by outcome: accept, reject, challenge, duplicate, or why one was dropped (unknown_client, no_authenticator, bad_authenticator, malformed, unsupported, busy, error)."}, []string{"outcome"}),
	}
	m.HTTP = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_http_requests_total",
		Help: "HTTP requests by route (the pattern that served it, or unmatched), method (other for a non-standard one) and status code."}, []string{"route", "method", "code"})
	m.HTTPTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smsmfa_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route"})
	m.SignIns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_signins_total",
		Help: "Password checks (sign-in, password confirmation) by outcome: success, wrong_password, unknown_user, locked, inactive, rate_limited, busy, refused."}, []string{"outcome"})
	m.Verifications = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_verifications_total",
		Help: "SMS codes checked by outcome: success (at sign-in), wrong_code, expired, used, missing, locked, rate_limited, refused."}, []string{"outcome"})
	m.Lockouts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_lockouts_total",
		Help: "Users locked out, by cause: password (too many wrong passwords) or code (too many wrong codes)."}, []string{"cause"})
	m.Refusals = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsmfa_limit_refusals_total",
		Help: "Requests refused by a limit, by rule: per_number, per_user, per_ip, budget, fraud_throttle, country_cap, number_blocked, resend_cooldown, voice_budget, activation_limit, guess_limit, password_rate, busy, authn_rate, api_rate."}, []string{"rule"})
	// The series of fixed label values exist from the start (at 0), so
	// that a rate or an alert over them works before the first event.
	for vec, values := range map[*prometheus.CounterVec][]string{
		m.SignIns:       {"success", "wrong_password", "unknown_user", "locked", "inactive", "rate_limited", "busy", "refused"},
		m.Verifications: {"success", "wrong_code", "expired", "used", "missing", "locked", "rate_limited", "refused"},
		m.Lockouts:      {"password", "code", "other"},
		m.Refusals: {"per_number", "per_user", "per_ip", "budget", "voice_budget", "fraud_throttle", "country_cap", "number_blocked", "resend_cooldown",
			"activation_limit", "guess_limit", "password_rate", "busy", "authn_rate", "api_rate"},
		m.Radius: {"accept", "reject", "challenge", "duplicate", "unknown_client", "no_authenticator", "bad_authenticator", "malformed", "unsupported", "busy", "error"},
	} {
		for _, v := range values {
			vec.WithLabelValues(v)
		}
	}
	m.Registry.MustRegister(m.SMSSend, m.SMSTime, m.Radius, m.HTTP, m.HTTPTime, m.SignIns, m.Verifications, m.Lockouts, m.Refusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// HTTPRequest counts one HTTP request (httpx.RequestObserver).
func (m *Metrics) HTTPRequest(route, method string, status int, took time.Duration) {
	m.HTTP.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.HTTPTime.WithLabelValues(route).Observe(took.Seconds())
}

// SignIn counts a password check by outcome (mfa.Observer).
func (m *Metrics) SignIn(outcome string) { m.SignIns.WithLabelValues(outcome).Inc() }

// Verification counts a code verification by outcome (mfa.Observer).
func (m *Metrics) Verification(outcome string) { m.Verifications.WithLabelValues(outcome).Inc() }

// Lockout counts a user locked out (mfa.Observer).
func (m *Metrics) Lockout(cause string) { m.Lockouts.WithLabelValues(cause).Inc() }

// Refusal counts a request refused by a limit (mfa.Observer).
func (m *Metrics) Refusal(rule string) { m.Refusals.WithLabelValues(rule).Inc() }

// Attempt records one send attempt (delivery.Observer).
func (m *Metrics) Attempt(provider, outcome string, took time.Duration) {
	if provider == "" {
		provider = "none"
	}
	m.SMSSend.WithLabelValues(provider, outcome).Inc()
	m.SMSTime.WithLabelValues(provider).Observe(took.Seconds())
}

// RadiusRequest counts one RADIUS request by outcome (radius.Observer).
func (m *Metrics) RadiusRequest(outcome string) { m.Radius.WithLabelValues(outcome).Inc() }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
