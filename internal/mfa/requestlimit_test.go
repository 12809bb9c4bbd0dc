package mfa_test

import (
	"fmt"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// Per-minute request limits hold at their boundary across instances: two
// instances on one database together never admit more than the limit, and
// at most leaseSize-1 fewer per instance; the refusal is logged once.
func TestRequestLimitHoldsAcrossInstances(t *testing.T) {
	for _, limit := range []int{10, 100, 1000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			a := newEnv(t)
			b := newEnvOn(t, a.db) // another instance, its clock at the same time
			if err := a.svc.Org.UpdateSettings(a.ctx, map[string]string{"limit_api_minute": fmt.Sprint(limit)}); err != nil {
				t.Fatal(err)
			}
			ok := 0
			for i := range limit + limit/2 {
				e := a
				if i%3 == 0 {
					e = b
				}
				l, err := e.svc.Org.CountRequest(e.ctx, mfa.APIRequest, "tok1")
				if err != nil {
					t.Fatal(err)
				}
				if l.OK {
					ok++
				}
				if l.Limit != limit {
					t.Fatalf("limit reported %d, want %d", l.Limit, limit)
				}
			}
			lease := min(max(limit/50, 1), 100)
			if ok > limit || ok < limit-2*(lease-1) {
				t.Fatalf("%d requests admitted in a minute by two instances, want between %d and %d", ok, limit-2*(lease-1), limit)
			}
			n := 0
			for _, ev := range a.events(t, mfa.EvRateLimit) {
				if ev.Reason == "request_rate_limit" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d refusal events, want 1", n)
			}
			// The next minute starts afresh.
			a.clock.Advance(time.Minute)
			b.clock.Advance(time.Minute)
			if l, err := b.svc.Org.CountRequest(b.ctx, mfa.APIRequest, "tok1"); err != nil || !l.OK {
				t.Fatalf("next minute: %+v %v", l, err)
			}
		})
	}
}
