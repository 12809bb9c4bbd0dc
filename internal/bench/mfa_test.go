package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/bench"
)

// fakeFactors is the Factors API's verify endpoint as the mfa workload
// uses it, with a resend cooldown, and an SMS provider it texts.
type fakeFactors struct {
	cooldown time.Duration
	mu       sync.Mutex
	codes    map[string]string    // user → live code
	last     map[string]time.Time // user → last challenge
	inbox    map[string]bench.Delivery
}

func (f *fakeFactors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "SSWS tok" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	uid, phone := r.PathValue("uid"), "+1"+r.PathValue("uid")
	var body struct{ PassCode string }
	raw, _ := io.ReadAll(r.Body)
	if len(raw) > 0 {
		json.Unmarshal(raw, &body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if body.PassCode == "" {
		if time.Since(f.last[uid]) < f.cooldown {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errorCode":"E0000047"}`)
			return
		}
		f.last[uid] = time.Now()
		code := fmt.Sprintf("%06d", time.Now().Nanosecond()%1000000)
		f.codes[uid], f.inbox[phone] = code, bench.Delivery{Code: code, At: time.Now()}
		fmt.Fprint(w, `{"factorResult":"CHALLENGE"}`)
		return
	}
	if body.PassCode != f.codes[uid] {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"errorCode":"E0000068"}`)
		return
	}
	delete(f.codes, uid)
	fmt.Fprint(w, `{"factorResult":"SUCCESS"}`)
}

func (f *fakeFactors) read(ctx context.Context, phone string, since time.Time) (bench.Delivery, error) {
	for {
		f.mu.Lock()
		d, ok := f.inbox[phone]
		f.mu.Unlock()
		if ok && !d.At.Before(since) {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return bench.Delivery{}, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// TestRunMFA: a small pool with a cooldown runs without failures, the
// workers waiting for users instead of being refused.
func TestRunMFA(t *testing.T) {
	f := &fakeFactors{cooldown: 100 * time.Millisecond, codes: map[string]string{}, last: map[string]time.Time{}, inbox: map[string]bench.Delivery{}}
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/users/{uid}/factors/{fid}/verify", f)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var users []bench.MFAUser
	for i := range 4 {
		users = append(users, bench.MFAUser{ID: fmt.Sprint(4155550100 + i), FactorID: "mbl1", Phone: fmt.Sprint("+1", 4155550100+i)})
	}
	res, err := bench.RunMFA(context.Background(), bench.MFAOptions{BaseURL: srv.URL, Token: "tok", Users: users, Duration: 600 * time.Millisecond,
		Concurrency: 2, Cooldown: f.cooldown, Codes: f.read})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 0 || res.Flows < 8 || res.PoolWaits == 0 {
		t.Fatalf("flows %d, failures %v, pool waits %d: want ≥ 8 flows, none failed, some waits", res.Flows, res.Samples, res.PoolWaits)
	}
	if len(res.TimeToSMS) != res.Flows || len(res.Steps[bench.StepChallenge]) != res.Flows || len(res.Steps[bench.StepVerify]) != res.Flows {
		t.Errorf("samples: %d times to SMS, %d challenges, %d verifications for %d flows", len(res.TimeToSMS), len(res.Steps[bench.StepChallenge]), len(res.Steps[bench.StepVerify]), res.Flows)
	}

	// Without the waits (no cooldown known) the fake refuses: failures are
	// counted by kind.
	res, err = bench.RunMFA(context.Background(), bench.MFAOptions{BaseURL: srv.URL, Token: "tok", Users: users, Duration: 300 * time.Millisecond,
		Concurrency: 2, Codes: f.read})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failures["challenge: HTTP 429 E0000047"] == 0 {
		t.Errorf("failures without the cooldown: %v", res.Failures)
	}

	if _, err := bench.RunMFA(context.Background(), bench.MFAOptions{BaseURL: srv.URL, Token: "tok", Users: users[:1], Duration: time.Second,
		Concurrency: 2, Codes: f.read}); err == nil {
		t.Error("RunMFA with fewer users than workers: no error")
	}
}

func TestReportAndCompare(t *testing.T) {
	res := bench.MFAResult{Flows: 100, Duration: 2 * time.Second, Failures: map[string]int{"verify: HTTP 403 E0000068": 1},
		Samples: map[string]string{"verify: HTTP 403 E0000068": "verify: HTTP 403 {}"},
		Steps:   map[string][]time.Duration{bench.StepChallenge: {time.Millisecond, 3 * time.Millisecond}}, TimeToSMS: []time.Duration{2 * time.Millisecond}}
	before := bench.Sample{HasServer: true, Server: time.Second, HasSelf: true}
	after := bench.Sample{HasServer: true, Server: 1200 * time.Millisecond, HasSelf: true, Self: 100 * time.Millisecond}
	r := bench.NewMFAReport(res, before, after, 150<<20)
	if r.FlowsPerSecond != 50 || r.Failures != 1 || *r.ServerCPU != 2 || *r.BenchCPU != 1 || *r.PeakRSS != 150 || r.DBCPU != nil {
		t.Fatalf("report: %s", r.JSON())
	}
	var back bench.MFAReport
	if err := json.Unmarshal(r.JSON(), &back); err != nil || back.TimeToSMS.P50 != 2 {
		t.Fatalf("JSON round trip: %+v, %v", back, err)
	}
	old := r
	old.FlowsPerSecond = 40
	cmp := r.Compare(old)
	if !strings.Contains(cmp, "+25.0%") || !strings.Contains(cmp, "database CPU ms/flow") {
		t.Errorf("compare:\n%s", cmp)
	}
	if s := r.String(); !strings.Contains(s, "50.0 flows/s") || !strings.Contains(s, "E0000068") {
		t.Errorf("report:\n%s", s)
	}
}

func TestProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := bench.ProcessCPU(os.Getpid()); err != nil {
		t.Error(err)
	}
	if rss, err := bench.PeakRSS(os.Getpid()); err != nil || rss < 1<<20 {
		t.Errorf("PeakRSS = %d, %v", rss, err)
	}
	if _, n, err := bench.CommandCPU("bench.test"); err != nil || n == 0 {
		t.Errorf("CommandCPU(bench.test): %d processes, %v", n, err)
	}
	if busy, total, err := bench.MachineCPU(); err != nil || busy > total || total == 0 {
		t.Errorf("MachineCPU = %v, %v, %v", busy, total, err)
	}
	if _, err := bench.LoadAverage(); err != nil {
		t.Error(err)
	}
}
