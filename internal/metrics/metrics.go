// Package metrics holds smsmfa's Prometheus collectors on a registry of its
// own (no package globals), passed to the components that record them.
package metrics

import (
	"net/http"
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
	m.Registry.MustRegister(m.SMSSend, m.SMSTime, m.Radius, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

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
