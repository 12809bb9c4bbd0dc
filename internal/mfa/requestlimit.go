package mfa

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// CountRequest counts one request of kind by key (a client address or a
// token id) in the current minute, shared by every instance, and reports
// whether it is within the org's limit. A refusal is recorded in the
// system log once per minute and key.
//
// The count is not a database write per request: each instance leases
// units of the minute's budget from the shared counter, a few at a time
// (leaseSize: 1 for limits up to 99, 1/50th of the limit above, at most
// 100), and spends them in memory. Every unit is counted in the database
// before it is spent, so the cluster never admits more than the limit;
// units an instance leased and did not spend by the end of the minute are
// lost, so a key can be refused up to leaseSize-1 requests per instance
// early (under 2 % of the limit).
func (s *Org) CountRequest(ctx context.Context, kind RequestKind, key string) (Limit, error) {
	bucket := "authn:" + AddressBucket(key)
	if kind == APIRequest {
		bucket = "api:" + key
	}
	now := s.clock.Now()
	w := windowStart(now, time.Minute)
	l := s.leases.get(bucket, w)
	l.mu.Lock()
	defer l.mu.Unlock()
	version, set, ok := s.cache.latest()
	if !l.window.Equal(w) || !ok || l.version != version {
		l.window, l.left, l.total, l.over, l.version = w, 0, 0, false, version
	}
	if l.left == 0 && !l.over {
		if err := s.lease(ctx, kind, bucket, w, l); err != nil {
			return Limit{}, err
		}
		_, set, _ = s.cache.latest()
	}
	limit := set.AuthnPerMinute
	if kind == APIRequest {
		limit = set.APIPerMinute
	}
	reset := w.Add(time.Minute)
	if l.left == 0 {
		if kind == APIRequest {
			s.obs.Refusal("api_rate")
		} else {
			s.obs.Refusal("authn_rate")
		}
		return Limit{Limit: limit, Remaining: 0, Reset: reset, OK: false}, nil
	}
	l.left--
	return Limit{Limit: limit, Remaining: max(limit-(l.total-l.left), 0), Reset: reset, OK: true}, nil
}

// lease takes units for bucket's window w from the shared counter, reading
// the current settings in the same unit of work. l changes only once that
// unit of work committed: units the counter did not keep are never spent.
func (s *Org) lease(ctx context.Context, kind RequestKind, bucket string, w time.Time, l *requestLease) error {
	var got requestLease
	err := s.run(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		version, _, _ := s.cache.latest()
		limit := set.AuthnPerMinute
		if kind == APIRequest {
			limit = set.APIPerMinute
		}
		k := leaseSize(limit)
		total, err := tx.AddCount(ctx, "req:"+bucket, w, k)
		if err != nil {
			return err
		}
		before := total - k
		granted := min(max(limit-before, 0), k)
		got = requestLease{left: granted, total: total, over: granted < k, version: version}
		if before <= limit && total > limit { // this lease crossed the limit: once per key and minute, cluster-wide
			return s.record(ctx, tx, Event{Type: EvRateLimit, Target: SystemActor, Outcome: OutcomeDeny, Reason: "request_rate_limit",
				Message: "Request rate limit exceeded", Details: map[string]string{"bucket": bucket, "limit": strconv.Itoa(limit)}})
		}
		return nil
	})
	if err == nil {
		l.left, l.total, l.over, l.version = got.left, got.total, got.over, got.version
	}
	return err
}

// leaseSize is how many units of a per-minute limit an instance takes from
// the shared counter at a time.
func leaseSize(limit int) int { return min(max(limit/50, 1), 100) }

// requestLeases are one instance's leases of request-limit units for the
// current minute, by bucket; a new minute starts an empty map.
type requestLeases struct {
	mu     sync.Mutex
	window time.Time
	m      map[string]*requestLease
}

type requestLease struct {
	mu      sync.Mutex
	window  time.Time
	version int64 // the settings' version the lease was taken under
	left    int   // units leased and not yet spent
	total   int   // the shared count after the last lease
	over    bool  // the shared count passed the limit: refuse until the window ends
}

// maxLeases bounds the buckets an instance remembers in a minute (one per
// client address that signs in, one per token); past it a bucket's lease
// is not kept, so each of its requests leases on its own.
const maxLeases = 10000

func (r *requestLeases) get(bucket string, w time.Time) *requestLease {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || !r.window.Equal(w) {
		r.window, r.m = w, map[string]*requestLease{}
	}
	l := r.m[bucket]
	if l == nil {
		l = &requestLease{}
		if len(r.m) < maxLeases {
			r.m[bucket] = l
		}
	}
	return l
}
