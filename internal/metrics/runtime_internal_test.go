package metrics

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// The outbox is read at most once per refresh, however often Prometheus
// scrapes; the oldest text's age grows with the clock in between; a failed
// read keeps the last figures and says so.
func TestOutboxReadAtMostOncePerRefresh(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	reads := 0
	var fail bool
	m := New()
	m.watchOutbox(func(context.Context) (Outbox, error) {
		reads++
		if fail {
			return Outbox{}, context.DeadlineExceeded
		}
		return Outbox{Depth: 7, Oldest: now.Add(-40 * time.Second)}, nil
	}, 15*time.Second, func() time.Time { return now })
	want := func(up, depth, age float64) {
		t.Helper()
		for name, v := range map[string]float64{"smsmfa_outbox_stats_up": up, "smsmfa_outbox_depth": depth, "smsmfa_outbox_oldest_age_seconds": age} {
			if got := value(t, m, name, ""); got != v {
				t.Fatalf("%s = %v, want %v", name, got, v)
			}
		}
	}
	want(1, 7, 40)
	now = now.Add(10 * time.Second)
	want(1, 7, 50)
	want(1, 7, 50)
	if reads != 1 {
		t.Fatalf("%d reads in 10 s, want 1", reads)
	}
	now = now.Add(5 * time.Second)
	fail = true
	want(0, 7, 55)
	if reads != 2 {
		t.Fatalf("%d reads after the refresh interval, want 2", reads)
	}
}

// value gathers m and returns the value of the series of name whose
// first label is label ("" for none); it fails the test when there is
// none or the series occurs more than once.
func value(t *testing.T, m *Metrics, name, label string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, s := range mf.GetMetric() {
			if label != "" && (len(s.GetLabel()) == 0 || s.GetLabel()[0].GetValue() != label) {
				continue
			}
			switch {
			case s.Gauge != nil:
				out = append(out, s.GetGauge().GetValue())
			case s.Counter != nil:
				out = append(out, s.GetCounter().GetValue())
			}
		}
	}
	if len(out) != 1 {
		t.Fatalf("%s{%s}: %d series", name, label, len(out))
	}
	return out[0]
}

// The pool statistics are exported by pool, as database/sql counts them.
func TestPoolStats(t *testing.T) {
	m := New()
	m.WatchPools(func() map[string]sql.DBStats {
		return map[string]sql.DBStats{"main": {MaxOpenConnections: 1, OpenConnections: 1, InUse: 1, WaitCount: 3, WaitDuration: 1500 * time.Millisecond},
			"read": {MaxOpenConnections: 4, OpenConnections: 2, Idle: 2}}
	})
	for name, want := range map[string]float64{"main": 3, "read": 0} {
		if got := value(t, m, "smsmfa_db_pool_wait_total", name); got != want {
			t.Errorf("wait count of %s: %v, want %v", name, got, want)
		}
	}
	if got := value(t, m, "smsmfa_db_pool_wait_seconds_total", "main"); got != 1.5 {
		t.Errorf("wait time: %v", got)
	}
}

// Each breaker is a series by provider: 1 open, 0 closed.
func TestBreakers(t *testing.T) {
	m := New()
	m.WatchBreakers(func() []Breaker { return []Breaker{{Provider: "twilio", Open: true}, {Provider: "vonage"}} })
	if value(t, m, "smsmfa_sms_breaker_open", "twilio") != 1 || value(t, m, "smsmfa_sms_breaker_open", "vonage") != 0 {
		t.Fatal("breaker states not exported")
	}
}
