package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MFAUser is a user of the mfa workload: ACTIVE, with an ACTIVE SMS factor
// on a number no other bench user has.
type MFAUser struct {
	ID, FactorID, Phone string
}

// MFAOptions configure a run of the mfa workload.
type MFAOptions struct {
	BaseURL string
	Token   string // API token (Authorization: SSWS)
	Users   []MFAUser
	// Start is the index of the first user; users are taken round-robin
	// from there.
	Start       int
	Duration    time.Duration // flows start until then; the ones under way finish
	Concurrency int
	// Cooldown is the org's resend cooldown: a user is not challenged again
	// before it has passed since their last challenge was answered.
	Cooldown time.Duration
	Codes    Codes
	// CodeWait bounds the wait for one SMS at the provider (default 10 s).
	CodeWait time.Duration
	Client   *http.Client
}

// Step names of the mfa workload.
const (
	StepChallenge = "challenge (sends code)"
	StepVerify    = "verify"
)

// MFAResult is what a run of the mfa workload saw.
type MFAResult struct {
	Flows    int
	Failures map[string]int    // failed flows by kind (step, HTTP status, Okta errorCode)
	Samples  map[string]string // the first failure of each kind, in full
	Duration time.Duration     // from the first flow's start to the last one's end
	Steps    map[string][]time.Duration
	// TimeToSMS runs from the start of a challenge request to the moment
	// the provider received the message.
	TimeToSMS []time.Duration
	// PoolWaits counts flows that waited for their user's cooldown to end:
	// the run went as fast as the pool of users allows.
	PoolWaits int
}

// Ceiling is the rate (flows per second) a pool of users allows without
// challenging anyone within the cooldown.
func Ceiling(users int, cooldown time.Duration) float64 {
	if cooldown <= 0 {
		return 0
	}
	return float64(users) / cooldown.Seconds()
}

// flowError is a failed flow: its kind, for counting, and the whole story.
type flowError struct{ kind, detail string }

func (e *flowError) Error() string { return e.detail }

type mfaRunner struct {
	o   MFAOptions
	mu  sync.Mutex
	res *MFAResult
	// last[k] is when user k's last challenge was answered (UnixNano), or
	// started while it is under way.
	last []atomic.Int64
	busy []sync.Mutex // held by the worker that has user k
}

// RunMFA runs closed-loop flows for o.Duration with o.Concurrency workers:
// each flow challenges a user's SMS factor through the Factors API (POST
// …/verify without a passCode: Okta's factorResult CHALLENGE), reads the
// code at the provider (o.Codes), and verifies it (factorResult SUCCESS).
// Users are taken round-robin, none before the cooldown since their last
// challenge has passed (a worker waits for it, and the wait is counted).
// It fails when o lacks users, a code source or a token, or holds fewer
// users than workers.
func RunMFA(ctx context.Context, o MFAOptions) (MFAResult, error) {
	switch {
	case len(o.Users) == 0 || o.Codes == nil || o.Token == "":
		return MFAResult{}, errors.New("bench: users, a code source and a token are required")
	case o.Concurrency <= 0 || o.Duration <= 0:
		return MFAResult{}, errors.New("bench: concurrency and duration must be positive")
	case len(o.Users) < o.Concurrency:
		return MFAResult{}, fmt.Errorf("bench: %d users cannot keep %d flows going: a user is in one flow at a time", len(o.Users), o.Concurrency)
	}
	if o.CodeWait <= 0 {
		o.CodeWait = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: o.Concurrency * 2, MaxIdleConnsPerHost: o.Concurrency * 2}}
	}
	res := MFAResult{Failures: map[string]int{}, Samples: map[string]string{}, Steps: map[string][]time.Duration{}}
	r := &mfaRunner{o: o, res: &res, last: make([]atomic.Int64, len(o.Users)), busy: make([]sync.Mutex, len(o.Users))}
	var next atomic.Int64
	start := time.Now()
	deadline := start.Add(o.Duration)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				k := (o.Start + int(next.Add(1)-1)) % len(o.Users)
				r.busy[k].Lock() // a user is in one flow at a time
				if !r.waitCooldown(ctx, k, deadline) {
					r.busy[k].Unlock()
					return
				}
				err := r.flow(ctx, k)
				r.busy[k].Unlock()
				r.mu.Lock()
				if fe, ok := errors.AsType[*flowError](err); ok {
					res.Failures[fe.kind]++
					if _, seen := res.Samples[fe.kind]; !seen {
						res.Samples[fe.kind] = fe.detail
					}
				} else if err == nil {
					res.Flows++
				}
				r.mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Duration = time.Since(start)
	return res, ctx.Err()
}

// waitCooldown waits until user k may be challenged again (a little past
// the cooldown, as the server's clock counts from inside the request). It
// reports false when that is past the deadline or ctx ends.
func (r *mfaRunner) waitCooldown(ctx context.Context, k int, deadline time.Time) bool {
	const margin = 250 * time.Millisecond
	last := r.last[k].Load()
	if last == 0 {
		return true
	}
	free := time.Unix(0, last).Add(r.o.Cooldown + margin)
	wait := time.Until(free)
	if wait <= 0 {
		return true
	}
	r.mu.Lock()
	r.res.PoolWaits++
	r.mu.Unlock()
	if free.After(deadline) {
		return false
	}
	select {
	case <-time.After(wait):
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *mfaRunner) observe(step string, d time.Duration) {
	r.mu.Lock()
	r.res.Steps[step] = append(r.res.Steps[step], d)
	r.mu.Unlock()
}

// flow challenges user k and verifies the code.
func (r *mfaRunner) flow(ctx context.Context, k int) error {
	u := r.o.Users[k]
	verify := strings.TrimSuffix(r.o.BaseURL, "/") + "/api/v1/users/" + url.PathEscape(u.ID) + "/factors/" + url.PathEscape(u.FactorID) + "/verify"
	start := time.Now()
	r.last[k].Store(start.UnixNano())
	if err := r.call(ctx, "challenge", verify, "", "CHALLENGE"); err != nil {
		r.last[k].Store(time.Now().UnixNano())
		return err
	}
	r.last[k].Store(time.Now().UnixNano())
	cctx, cancel := context.WithTimeout(ctx, r.o.CodeWait)
	d, err := r.o.Codes(cctx, u.Phone, start)
	cancel()
	if err != nil {
		return &flowError{"sms: not at the provider within " + r.o.CodeWait.String(), fmt.Sprintf("sms to %s: %v", u.Phone, err)}
	}
	r.mu.Lock()
	r.res.TimeToSMS = append(r.res.TimeToSMS, d.At.Sub(start))
	r.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"passCode": d.Code})
	return r.call(ctx, "verify", verify, string(body), "SUCCESS")
}

// call POSTs body (none when "") to u and checks the answer's factorResult.
func (r *mfaRunner) call(ctx context.Context, step, u, body, want string) error {
	name := StepChallenge
	if step == "verify" {
		name = StepVerify
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "SSWS "+r.o.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := r.o.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &flowError{step + ": transport error", fmt.Sprintf("%s: %v", step, err)}
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return &flowError{step + ": transport error", fmt.Sprintf("%s: reading the answer: %v", step, err)}
	}
	r.observe(name, time.Since(start))
	var out struct {
		FactorResult string `json:"factorResult"`
		ErrorCode    string `json:"errorCode"`
	}
	jerr := json.Unmarshal(raw, &out)
	if res.StatusCode != http.StatusOK {
		return &flowError{fmt.Sprintf("%s: HTTP %d %s", step, res.StatusCode, out.ErrorCode), fmt.Sprintf("%s: HTTP %d %s", step, res.StatusCode, strings.TrimSpace(string(raw)))}
	}
	if jerr != nil || out.FactorResult != want {
		return &flowError{fmt.Sprintf("%s: factorResult %q", step, out.FactorResult), fmt.Sprintf("%s: want factorResult %s: %s", step, want, strings.TrimSpace(string(raw)))}
	}
	return nil
}
