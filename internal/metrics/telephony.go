package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Telephony are the telephony dashboard's figures for the last 24 hours,
// as the metrics export them.
type Telephony struct {
	Countries      []TelephonyRow
	Providers      []TelephonyRow
	Throttled      map[string]int // ranges and countries throttled now, by kind (prefix, country)
	BlockedNumbers int
	BudgetDaily    int
	SentToday      int
}

// TelephonyRow is one country or provider.
type TelephonyRow struct {
	Name                                     string
	Texts, Sent, Delivered, Failed, Verified int
	SendP50, SendP95, ReceiptP50, ReceiptP95 time.Duration
}

var (
	descCountry = prometheus.NewDesc("smsmfa_telephony_country_texts", "Texts of the last 24 hours by destination country and outcome (texts: queued; sent: accepted by a provider; delivered: confirmed by receipt; failed; verified: code entered).", []string{"country", "outcome"}, nil)
	descProv    = prometheus.NewDesc("smsmfa_telephony_provider_texts", "Texts of the last 24 hours by provider and outcome (as smsmfa_telephony_country_texts).", []string{"provider", "outcome"}, nil)
	descLatency = prometheus.NewDesc("smsmfa_telephony_latency_seconds", "Latency of the texts of the last 24 hours by provider, from queueing to the provider's acceptance (stage provider) or to the delivery receipt (stage receipt).", []string{"provider", "stage", "quantile"}, nil)
	descThrot   = prometheus.NewDesc("smsmfa_fraud_throttled", "Number ranges (kind prefix) and countries throttled now by the SMS-pumping detector.", []string{"kind"}, nil)
	descBlocked = prometheus.NewDesc("smsmfa_numbers_blocked", "Phone numbers blocked for new enrollments (shared by too many users).", nil, nil)
	descBudget  = prometheus.NewDesc("smsmfa_sms_budget_daily", "The org's daily SMS budget.", nil, nil)
	descToday   = prometheus.NewDesc("smsmfa_sms_budget_spent", "Texts counted against today's (UTC) budget.", nil, nil)
	descUp      = prometheus.NewDesc("smsmfa_telephony_stats_up", "1 when the telephony figures could be read from the database at the last refresh.", nil, nil)
)

// telephonyCollector reads the figures at most once per refresh interval,
// so a scrape every few seconds does not scan the day's texts each time.
type telephonyCollector struct {
	read    func(context.Context) (Telephony, error)
	refresh time.Duration
	now     func() time.Time

	mu   sync.Mutex
	at   time.Time
	last Telephony
	ok   bool
}

// WatchTelephony exports the figures read returns (the last 24 hours of the
// telephony dashboard), read again at most every refresh.
func (m *Metrics) WatchTelephony(read func(context.Context) (Telephony, error), refresh time.Duration) {
	m.Registry.MustRegister(&telephonyCollector{read: read, refresh: refresh, now: time.Now})
}

func (c *telephonyCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCountry, descProv, descLatency, descThrot, descBlocked, descBudget, descToday, descUp} {
		ch <- d
	}
}

func (c *telephonyCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if c.at.IsZero() || c.now().Sub(c.at) >= c.refresh {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t, err := c.read(ctx)
		cancel()
		c.at, c.ok = c.now(), err == nil
		if err == nil {
			c.last = t
		}
	}
	t, ok := c.last, c.ok
	c.mu.Unlock()
	up := 0.0
	if ok {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	outcomes := func(d *prometheus.Desc, r TelephonyRow) {
		for _, o := range []struct {
			name string
			n    int
		}{{"texts", r.Texts}, {"sent", r.Sent}, {"delivered", r.Delivered}, {"failed", r.Failed}, {"verified", r.Verified}} {
			gauge(d, float64(o.n), r.Name, o.name)
		}
	}
	for _, r := range t.Countries {
		outcomes(descCountry, r)
	}
	for _, r := range t.Providers {
		outcomes(descProv, r)
		if r.Sent > 0 {
			gauge(descLatency, r.SendP50.Seconds(), r.Name, "provider", "0.5")
			gauge(descLatency, r.SendP95.Seconds(), r.Name, "provider", "0.95")
		}
		if r.ReceiptP95 > 0 {
			gauge(descLatency, r.ReceiptP50.Seconds(), r.Name, "receipt", "0.5")
			gauge(descLatency, r.ReceiptP95.Seconds(), r.Name, "receipt", "0.95")
		}
	}
	for _, kind := range []string{"prefix", "country"} {
		gauge(descThrot, float64(t.Throttled[kind]), kind)
	}
	gauge(descBlocked, float64(t.BlockedNumbers))
	gauge(descBudget, float64(t.BudgetDaily))
	gauge(descToday, float64(t.SentToday))
}
