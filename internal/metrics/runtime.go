package metrics

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Breaker is one SMS provider's circuit breaker.
type Breaker struct {
	Provider string
	Open     bool // the provider is skipped now after repeated failures
}

var descBreaker = prometheus.NewDesc("smsmfa_sms_breaker_open", "1 while the SMS provider's circuit breaker is open (the provider is skipped after repeated failures), else 0; one series per provider in service.", []string{"provider"}, nil)

// breakerCollector reads the breakers at each scrape (they are in memory).
type breakerCollector struct{ read func() []Breaker }

// WatchBreakers exports the state of the breakers read returns.
func (m *Metrics) WatchBreakers(read func() []Breaker) {
	m.Registry.MustRegister(breakerCollector{read})
}

func (c breakerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descBreaker }

func (c breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, b := range c.read() {
		v := 0.0
		if b.Open {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descBreaker, prometheus.GaugeValue, v, b.Provider)
	}
}

// Outbox is the queue of texts waiting to be sent.
type Outbox struct {
	Depth  int
	Oldest time.Time // when the oldest waiting text was queued; zero when none
}

var (
	descOutboxDepth = prometheus.NewDesc("smsmfa_outbox_depth", "Texts waiting to be sent (queued, or being sent), at the last read of the database.", nil, nil)
	descOutboxAge   = prometheus.NewDesc("smsmfa_outbox_oldest_age_seconds", "Age of the oldest text waiting to be sent (0 when none), at the scrape.", nil, nil)
	descOutboxUp    = prometheus.NewDesc("smsmfa_outbox_stats_up", "1 when the outbox could be read from the database at the last refresh.", nil, nil)
)

// outboxCollector reads the outbox at most once per refresh interval.
type outboxCollector struct {
	read    func(context.Context) (Outbox, error)
	refresh time.Duration
	now     func() time.Time

	mu   sync.Mutex
	at   time.Time
	last Outbox
	ok   bool
}

// WatchOutbox exports the outbox read returns, read again at most every
// refresh (a scrape in between reuses the last figures; the age still
// grows with the clock).
func (m *Metrics) WatchOutbox(read func(context.Context) (Outbox, error), refresh time.Duration) {
	m.watchOutbox(read, refresh, time.Now)
}

func (m *Metrics) watchOutbox(read func(context.Context) (Outbox, error), refresh time.Duration, now func() time.Time) {
	m.Registry.MustRegister(&outboxCollector{read: read, refresh: refresh, now: now})
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOutboxDepth
	ch <- descOutboxAge
	ch <- descOutboxUp
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	now := c.now()
	if c.at.IsZero() || now.Sub(c.at) >= c.refresh {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		o, err := c.read(ctx)
		cancel()
		c.at, c.ok = now, err == nil
		if err == nil {
			c.last = o
		}
	}
	o, ok := c.last, c.ok
	c.mu.Unlock()
	up, age := 0.0, 0.0
	if ok {
		up = 1
	}
	if !o.Oldest.IsZero() {
		age = max(now.Sub(o.Oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(descOutboxUp, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descOutboxDepth, prometheus.GaugeValue, float64(o.Depth))
	ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, age)
}

var (
	descPoolMax      = prometheus.NewDesc("smsmfa_db_pool_max_open_connections", "The database pool's limit of open connections (0: none).", []string{"pool"}, nil)
	descPoolOpen     = prometheus.NewDesc("smsmfa_db_pool_open_connections", "Connections open in the database pool, in use or idle.", []string{"pool"}, nil)
	descPoolInUse    = prometheus.NewDesc("smsmfa_db_pool_in_use_connections", "Connections of the database pool in use.", []string{"pool"}, nil)
	descPoolIdle     = prometheus.NewDesc("smsmfa_db_pool_idle_connections", "Idle connections of the database pool.", []string{"pool"}, nil)
	descPoolWait     = prometheus.NewDesc("smsmfa_db_pool_wait_total", "Times a query waited for a connection of the database pool.", []string{"pool"}, nil)
	descPoolWaitTime = prometheus.NewDesc("smsmfa_db_pool_wait_seconds_total", "Time queries spent waiting for a connection of the database pool.", []string{"pool"}, nil)
)

// poolCollector reads database/sql's pool statistics at each scrape
// (in memory).
type poolCollector struct{ read func() map[string]sql.DBStats }

// WatchPools exports the statistics of the connection pools read returns,
// by pool name (store.DB.PoolStats: main, and read on SQLite).
func (m *Metrics) WatchPools(read func() map[string]sql.DBStats) {
	m.Registry.MustRegister(poolCollector{read})
}

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPoolMax, descPoolOpen, descPoolInUse, descPoolIdle, descPoolWait, descPoolWaitTime} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.read() {
		g := func(d *prometheus.Desc, t prometheus.ValueType, v float64) {
			ch <- prometheus.MustNewConstMetric(d, t, v, name)
		}
		g(descPoolMax, prometheus.GaugeValue, float64(s.MaxOpenConnections))
		g(descPoolOpen, prometheus.GaugeValue, float64(s.OpenConnections))
		g(descPoolInUse, prometheus.GaugeValue, float64(s.InUse))
		g(descPoolIdle, prometheus.GaugeValue, float64(s.Idle))
		g(descPoolWait, prometheus.CounterValue, float64(s.WaitCount))
		g(descPoolWaitTime, prometheus.CounterValue, s.WaitDuration.Seconds())
	}
}
