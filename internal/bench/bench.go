// Package bench is smsmfa's load generator. Two workloads: signin runs
// complete sign-in flows through the Okta-compatible authn API (password →
// enroll → activate, then password → challenge → verify); mfa (RunMFA)
// challenges and verifies users' SMS factors through the Factors API with
// an API token, closed loop for a while. Each reports flows per second, the
// latency of each step, and the time from the request that sends a code to
// the moment the message reaches the SMS provider; the mfa report adds the
// CPU time per flow of the server and the database and the server's peak
// memory, read from /proc (proc.go, measure.go).
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Delivery is what the code source saw of one message: its code and when
// the provider was handed it.
type Delivery struct {
	Code string
	At   time.Time
}

// Codes waits for the next message to a phone number sent after since.
type Codes func(ctx context.Context, phone string, since time.Time) (Delivery, error)

// Options configure a run.
type Options struct {
	BaseURL     string
	Users       []User // signed in round-robin; each has its own phone
	Flows       int    // complete flows (enroll + sign-in with a code) to run
	Concurrency int
	Codes       Codes
	Client      *http.Client
}

// User is a bench account.
type User struct {
	Login, Password, Phone string
}

// Report is the outcome of a run.
type Report struct {
	Flows     int
	Failures  int
	Errors    []string // the first few
	Duration  time.Duration
	Steps     map[string][]time.Duration
	SendToSMS []time.Duration // request start → provider handed the message
}

// Percentile returns the p-th percentile (0–100) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// String prints the report as the note and the README quote it.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flows: %d ok, %d failed in %s = %.1f flows/s\n", r.Flows, r.Failures, r.Duration.Round(time.Millisecond), float64(r.Flows)/r.Duration.Seconds())
	names := make([]string, 0, len(r.Steps))
	for k := range r.Steps {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "%-26s %6s %9s %9s %9s\n", "step", "n", "p50", "p95", "p99")
	for _, k := range names {
		ds := r.Steps[k]
		fmt.Fprintf(&b, "%-26s %6d %9s %9s %9s\n", k, len(ds), ms(Percentile(ds, 50)), ms(Percentile(ds, 95)), ms(Percentile(ds, 99)))
	}
	ds := r.SendToSMS
	fmt.Fprintf(&b, "%-26s %6d %9s %9s %9s\n", "send code → provider", len(ds), ms(Percentile(ds, 50)), ms(Percentile(ds, 95)), ms(Percentile(ds, 99)))
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

type runner struct {
	o   Options
	mu  sync.Mutex
	rep *Report
}

func (r *runner) observe(step string, d time.Duration) {
	r.mu.Lock()
	r.rep.Steps[step] = append(r.rep.Steps[step], d)
	r.mu.Unlock()
}

// post sends an authn call and returns the transaction.
func (r *runner) post(ctx context.Context, step, url string, body map[string]any) (map[string]any, time.Time, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	res, err := r.o.Client.Do(req)
	if err != nil {
		return nil, start, fmt.Errorf("%s: %w", step, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	r.observe(step, time.Since(start))
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil || res.StatusCode != 200 {
		return nil, start, fmt.Errorf("%s: HTTP %d %s", step, res.StatusCode, strings.TrimSpace(string(raw)))
	}
	return out, start, nil
}

func link(tx map[string]any, name string) string {
	l, _ := tx["_links"].(map[string]any)[name].(map[string]any)
	s, _ := l["href"].(string)
	return s
}

func factorLink(tx map[string]any, rel string) string {
	emb, _ := tx["_embedded"].(map[string]any)
	fs, _ := emb["factors"].([]any)
	if len(fs) == 0 {
		return ""
	}
	l, _ := fs[0].(map[string]any)["_links"].(map[string]any)[rel].(map[string]any)
	s, _ := l["href"].(string)
	return s
}

// code waits for the code of a send that started at start, noting the
// time to the provider.
func (r *runner) code(ctx context.Context, u User, start time.Time) (string, error) {
	d, err := r.o.Codes(ctx, u.Phone, start)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.rep.SendToSMS = append(r.rep.SendToSMS, d.At.Sub(start))
	r.mu.Unlock()
	return d.Code, nil
}

// flow enrolls u (if needed) and signs in with a code.
func (r *runner) flow(ctx context.Context, u User) error {
	base := strings.TrimSuffix(r.o.BaseURL, "/")
	tx, _, err := r.post(ctx, "primary auth", base+"/api/v1/authn", map[string]any{"username": u.Login, "password": u.Password})
	if err != nil {
		return err
	}
	st, _ := tx["stateToken"].(string)
	if tx["status"] == "MFA_ENROLL" {
		enroll := factorLink(tx, "enroll") + "?updatePhone=true"
		tx, start, err := r.post(ctx, "enroll (sends code)", enroll, map[string]any{"stateToken": st, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": u.Phone}})
		if err != nil {
			return err
		}
		c, err := r.code(ctx, u, start)
		if err != nil {
			return err
		}
		if tx, _, err = r.post(ctx, "activate", link(tx, "next"), map[string]any{"stateToken": st, "passCode": c}); err != nil {
			return err
		}
		if tx["status"] != "SUCCESS" {
			return fmt.Errorf("activate: status %v", tx["status"])
		}
		return nil
	}
	if tx["status"] != "MFA_REQUIRED" {
		return fmt.Errorf("primary auth: status %v", tx["status"])
	}
	tx, start, err := r.post(ctx, "challenge (sends code)", factorLink(tx, "verify"), map[string]any{"stateToken": st})
	if err != nil {
		return err
	}
	c, err := r.code(ctx, u, start)
	if err != nil {
		return err
	}
	if tx, _, err = r.post(ctx, "verify", link(tx, "next"), map[string]any{"stateToken": st, "passCode": c}); err != nil {
		return err
	}
	if tx["status"] != "SUCCESS" {
		return fmt.Errorf("verify: status %v", tx["status"])
	}
	return nil
}

// Run runs o.Flows flows with o.Concurrency workers. Each user's flows run
// one at a time (a person signs in once at a time).
func Run(ctx context.Context, o Options) (Report, error) {
	if len(o.Users) == 0 || o.Flows <= 0 || o.Codes == nil {
		return Report{}, errors.New("bench: users, flows and a code source are required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}}
	}
	rep := Report{Steps: map[string][]time.Duration{}}
	r := &runner{o: o, rep: &rep}
	jobs := make(chan int)
	locks := make([]sync.Mutex, len(o.Users))
	var wg sync.WaitGroup
	start := time.Now()
	for range o.Concurrency {
		wg.Go(func() {
			for i := range jobs {
				k := i % len(o.Users)
				locks[k].Lock()
				err := r.flow(ctx, o.Users[k])
				locks[k].Unlock()
				r.mu.Lock()
				if err != nil {
					rep.Failures++
					if len(rep.Errors) < 5 {
						rep.Errors = append(rep.Errors, err.Error())
					}
				} else {
					rep.Flows++
				}
				r.mu.Unlock()
			}
		})
	}
	for i := range o.Flows {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	rep.Duration = time.Since(start)
	return rep, ctx.Err()
}
