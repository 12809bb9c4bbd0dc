package bench

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Latency is the distribution of one measured time, in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

func latency(ds []time.Duration) Latency {
	msf := func(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }
	return Latency{N: len(ds), P50: msf(Percentile(ds, 50)), P95: msf(Percentile(ds, 95)), P99: msf(Percentile(ds, 99))}
}

// Machine is the state of the machine during a run.
type Machine struct {
	Cores int `json:"cores"`
	// BusyPercent is the share of all cores' time that was busy during the
	// run, whoever used it (the server, the database, the load generator,
	// anything else).
	BusyPercent *float64 `json:"busy_percent"`
	LoadBefore  *float64 `json:"load1_before"`
	LoadAfter   *float64 `json:"load1_after"`
}

// MFAReport is the report of an mfa run: as printed, and as written with
// --json. Figures that could not be measured are null.
type MFAReport struct {
	Workload       string             `json:"workload"`
	Engine         string             `json:"engine"`
	Started        time.Time          `json:"started"`
	Users          int                `json:"users"`
	Concurrency    int                `json:"concurrency"`
	Seconds        float64            `json:"seconds"`
	Flows          int                `json:"flows"`
	FlowsPerSecond float64            `json:"flows_per_second"`
	Failures       int                `json:"failures"`
	FailuresByKind map[string]int     `json:"failures_by_kind"`
	FailureSamples map[string]string  `json:"failure_samples,omitempty"`
	PoolCeiling    float64            `json:"pool_ceiling_flows_per_second"`
	PoolWaits      int                `json:"pool_waits"`
	Steps          map[string]Latency `json:"steps"`
	TimeToSMS      Latency            `json:"time_to_sms"`
	ServerCPU      *float64           `json:"server_cpu_ms_per_flow"`
	DBCPU          *float64           `json:"db_cpu_ms_per_flow"`
	DBProcesses    int                `json:"db_processes,omitempty"`
	PeakRSS        *float64           `json:"server_peak_rss_mb"`
	BenchCPU       *float64           `json:"bench_cpu_ms_per_flow"`
	Machine        Machine            `json:"machine"`
	// Settings are the org settings the run changed from their defaults.
	Settings map[string]string `json:"settings,omitempty"`
}

// NewMFAReport turns what a run saw, and the samples taken just before and
// after it, into the report's figures; peakRSS is in bytes (negative:
// unknown). The caller fills in what describes the run (engine, users, …).
func NewMFAReport(res MFAResult, before, after Sample, peakRSS int64) MFAReport {
	r := MFAReport{Workload: "mfa", Seconds: round(res.Duration.Seconds(), 3), Flows: res.Flows, FailuresByKind: res.Failures, FailureSamples: res.Samples,
		PoolWaits: res.PoolWaits, Steps: map[string]Latency{}, TimeToSMS: latency(res.TimeToSMS), Machine: Machine{Cores: runtime.NumCPU()}}
	for _, n := range res.Failures {
		r.Failures += n
	}
	if res.Duration > 0 {
		r.FlowsPerSecond = round(float64(res.Flows)/res.Duration.Seconds(), 1)
	}
	for k, ds := range res.Steps {
		r.Steps[k] = latency(ds)
	}
	perFlow := func(ok bool, d time.Duration) *float64 {
		if !ok || res.Flows == 0 {
			return nil
		}
		return ptr(round(float64(d.Microseconds())/1000/float64(res.Flows), 2))
	}
	r.ServerCPU = perFlow(before.HasServer && after.HasServer, after.Server-before.Server)
	r.DBCPU = perFlow(before.HasDB && after.HasDB, after.DB-before.DB)
	if r.DBCPU != nil {
		r.DBProcesses = after.DBProcesses
	}
	r.BenchCPU = perFlow(before.HasSelf && after.HasSelf, after.Self-before.Self)
	if peakRSS >= 0 {
		r.PeakRSS = ptr(round(float64(peakRSS)/(1<<20), 1))
	}
	if before.HasMachine && after.HasMachine && after.Total > before.Total {
		r.Machine.BusyPercent = ptr(round(100*float64(after.Busy-before.Busy)/float64(after.Total-before.Total), 1))
	}
	if before.HasLoad {
		r.Machine.LoadBefore = ptr(before.Load)
	}
	if after.HasLoad {
		r.Machine.LoadAfter = ptr(after.Load)
	}
	return r
}

func ptr(v float64) *float64 { return &v }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// JSON returns the report as indented JSON.
func (r MFAReport) JSON() []byte {
	b, _ := json.MarshalIndent(r, "", "  ") // plain data: cannot fail
	return append(b, '\n')
}

// String prints the report.
func (r MFAReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mfa on %s: %d flows ok, %d failed in %.2fs = %.1f flows/s (concurrency %d, %d users: the pool sustains %.0f flows/s)\n",
		r.Engine, r.Flows, r.Failures, r.Seconds, r.FlowsPerSecond, r.Concurrency, r.Users, r.PoolCeiling)
	fmt.Fprintf(&b, "%-26s %7s %9s %9s %9s\n", "step", "n", "p50", "p95", "p99")
	for _, k := range slices.Sorted(maps.Keys(r.Steps)) {
		l := r.Steps[k]
		fmt.Fprintf(&b, "%-26s %7d %7.2fms %7.2fms %7.2fms\n", k, l.N, l.P50, l.P95, l.P99)
	}
	l := r.TimeToSMS
	fmt.Fprintf(&b, "%-26s %7d %7.2fms %7.2fms %7.2fms\n", "time to SMS", l.N, l.P50, l.P95, l.P99)
	fmt.Fprintf(&b, "server CPU %s/flow, database CPU %s/flow, server peak RSS %s, load generator CPU %s/flow\n",
		opt(r.ServerCPU, "%.2f ms"), opt(r.DBCPU, "%.2f ms"), opt(r.PeakRSS, "%.0f MB"), opt(r.BenchCPU, "%.2f ms"))
	fmt.Fprintf(&b, "machine: %d cores, %s busy during the run (everything on it), load average %s before, %s after\n",
		r.Machine.Cores, opt(r.Machine.BusyPercent, "%.0f%%"), opt(r.Machine.LoadBefore, "%.2f"), opt(r.Machine.LoadAfter, "%.2f"))
	for _, k := range slices.Sorted(maps.Keys(r.FailuresByKind)) {
		fmt.Fprintf(&b, "failed: %d × %s (first: %s)\n", r.FailuresByKind[k], k, r.FailureSamples[k])
	}
	if r.PoolWaits > 0 {
		fmt.Fprintf(&b, "warning: %d flows waited for their user's resend cooldown: the run reached the %.0f flows/s the pool of %d users allows; use more --users\n",
			r.PoolWaits, r.PoolCeiling, r.Users)
	} else if r.PoolCeiling > 0 && r.FlowsPerSecond > r.PoolCeiling {
		fmt.Fprintf(&b, "note: faster than the %.0f flows/s the pool of %d users sustains; no user was challenged twice within the cooldown in this run, a longer one would wait (use more --users)\n",
			r.PoolCeiling, r.Users)
	}
	return b.String()
}

func opt(v *float64, format string) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf(format, *v)
}

// figure is one number of a report, for comparisons.
type figure struct {
	name string
	v    *float64
}

func (r MFAReport) figures() []figure {
	f := func(v float64) *float64 { return &v }
	out := []figure{{"flows/s", f(r.FlowsPerSecond)}, {"failures", f(float64(r.Failures))}}
	for _, k := range slices.Sorted(maps.Keys(r.Steps)) {
		l := r.Steps[k]
		out = append(out, figure{k + " p50 ms", f(l.P50)}, figure{k + " p95 ms", f(l.P95)}, figure{k + " p99 ms", f(l.P99)})
	}
	l := r.TimeToSMS
	out = append(out, figure{"time to SMS p50 ms", f(l.P50)}, figure{"time to SMS p95 ms", f(l.P95)}, figure{"time to SMS p99 ms", f(l.P99)},
		figure{"server CPU ms/flow", r.ServerCPU}, figure{"database CPU ms/flow", r.DBCPU}, figure{"server peak RSS MB", r.PeakRSS},
		figure{"load generator CPU ms/flow", r.BenchCPU}, figure{"machine busy %", r.Machine.BusyPercent}, figure{"load average before", r.Machine.LoadBefore})
	return out
}

// Compare prints every figure of r beside the same figure of old and the
// change in percent.
func (r MFAReport) Compare(old MFAReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "compared with the run of %s (%s, concurrency %d, %d users):\n", old.Started.Format(time.RFC3339), old.Engine, old.Concurrency, old.Users)
	fmt.Fprintf(&b, "%-40s %10s %10s %8s\n", "figure", "now", "before", "change")
	was := map[string]*float64{}
	for _, f := range old.figures() {
		was[f.name] = f.v
	}
	for _, f := range r.figures() {
		o := was[f.name]
		change := "—"
		if f.v != nil && o != nil && *o != 0 {
			change = fmt.Sprintf("%+.1f%%", 100*(*f.v-*o) / *o)
		}
		fmt.Fprintf(&b, "%-40s %10s %10s %8s\n", f.name, opt(f.v, "%.2f"), opt(o, "%.2f"), change)
	}
	return b.String()
}
