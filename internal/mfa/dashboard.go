package mfa

import (
	"context"
	"slices"
	"sort"
	"time"

	"smsmfa/internal/fraud"
)

// DashCounts are the figures of a group of texts.
type DashCounts struct {
	Texts     int // codes queued
	Sent      int // accepted by a provider
	Delivered int // confirmed by a delivery receipt
	Failed    int // failed, undelivered or expired
	Verified  int // codes entered
	// SendP50/P95: from queueing to the provider's acceptance; ReceiptP50/P95:
	// from queueing to the delivery receipt (zero without data).
	SendP50, SendP95, ReceiptP50, ReceiptP95 time.Duration

	send, receipt []time.Duration
}

// Conversion is the share of texts whose code was entered (0 to 1).
func (c DashCounts) Conversion() float64 {
	if c.Texts == 0 {
		return 0
	}
	return float64(c.Verified) / float64(c.Texts)
}

func (c *DashCounts) add(r TrafficRow) {
	c.Texts++
	if !r.Sent.IsZero() {
		c.Sent++
		c.send = append(c.send, r.Sent.Sub(r.Created))
	}
	switch r.State {
	case MessageDelivered:
		c.Delivered++
	case MessageFailed, MessageUndelivered, MessageExpired:
		c.Failed++
	}
	if !r.ReceiptAt.IsZero() {
		c.receipt = append(c.receipt, r.ReceiptAt.Sub(r.Created))
	}
	if !r.Verified.IsZero() {
		c.Verified++
	}
}

func (c *DashCounts) finish() {
	c.SendP50, c.SendP95 = percentile(c.send, 50), percentile(c.send, 95)
	c.ReceiptP50, c.ReceiptP95 = percentile(c.receipt, 50), percentile(c.receipt, 95)
	c.send, c.receipt = nil, nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[(len(ds)-1)*p/100]
}

// DashRow is one country or provider of the dashboard.
type DashRow struct {
	Name string
	DashCounts
}

// DashPoint is one hour or day of the dashboard.
type DashPoint struct {
	Start time.Time
	DashCounts
}

// Dashboard is the org's telephony over a period.
type Dashboard struct {
	Period    time.Duration
	From      time.Time
	Until     time.Time
	Step      time.Duration // of Series: an hour for a day, else a day
	Series    []DashPoint
	Total     DashCounts
	Countries []DashRow // most texts first
	Providers []DashRow
	// Budget is the daily budget; SentToday what today's budget counter holds.
	Budget    int
	SentToday int
	Throttled []FraudKey // ranges and countries throttled now
	Blocked   int        // numbers blocked for sharing
}

// Dashboard returns the org's telephony over the last period (a day, a
// week or 30 days), by hour (a day) or by UTC day.
func (s *Telephony) Dashboard(ctx context.Context, period time.Duration) (Dashboard, error) {
	now := s.clock.Now()
	d := Dashboard{Period: period, Until: now, Step: 24 * time.Hour}
	if period <= 24*time.Hour {
		d.Step = time.Hour
	}
	d.From = now.Truncate(d.Step).Add(d.Step - period)
	for t := d.From; !t.After(now); t = t.Add(d.Step) {
		d.Series = append(d.Series, DashPoint{Start: t})
	}
	countries, providers := map[string]*DashRow{}, map[string]*DashRow{}
	regions := map[string]string{} // number → country, parsed once
	err := s.view(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		d.Budget = set.BudgetDaily
		if d.SentToday, err = tx.Count(ctx, "budget", windowStart(now, 24*time.Hour)); err != nil {
			return err
		}
		err = tx.EachTraffic(ctx, d.From, func(r TrafficRow) error {
			d.Total.add(r)
			if i := int(r.Created.Sub(d.From) / d.Step); i >= 0 && i < len(d.Series) {
				d.Series[i].add(r)
			}
			region, ok := regions[r.To]
			if !ok {
				region = "?"
				if c, _, ok := fraud.Keys(r.To); ok {
					region = fraud.Label(c)
				}
				regions[r.To] = region
			}
			group(countries, region).add(r)
			p := r.Provider
			if p == "" {
				p = "(none)"
			}
			group(providers, p).add(r)
			return nil
		})
		if err != nil {
			return err
		}
		keys, err := tx.ListFraudKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.Status == FraudThrottled && k.Active(now) {
				d.Throttled = append(d.Throttled, k)
			}
		}
		ns, err := tx.ListNumbers(ctx)
		for _, n := range ns {
			if n.Status == NumberBlocked {
				d.Blocked++
			}
		}
		return err
	})
	d.Total.finish()
	for i := range d.Series {
		d.Series[i].finish()
	}
	d.Countries, d.Providers = rows(countries), rows(providers)
	return d, err
}

func group(m map[string]*DashRow, name string) *DashRow {
	r := m[name]
	if r == nil {
		r = &DashRow{Name: name}
		m[name] = r
	}
	return r
}

func rows(m map[string]*DashRow) []DashRow {
	out := make([]DashRow, 0, len(m))
	for _, r := range m {
		r.finish()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Texts != out[j].Texts {
			return out[i].Texts > out[j].Texts
		}
		return out[i].Name < out[j].Name
	})
	return out
}
