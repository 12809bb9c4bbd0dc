package mfa

import (
	"context"
	"strconv"
	"time"
)

// Wrong codes are also counted per client address (a /64 for IPv6) over
// every user, per hour: the per-user lockouts bound the guesses at one
// account (30 with the defaults), this bounds guesses spread over many
// accounts from one address (limit_ip_failed_hour). Calls from a server
// without the end user's address are not counted (every user of that
// application shares it); the per-user lockouts still bound them.

// guessBucket is the counter of wrong codes from the request's address,
// or "" when the request has none.
func guessBucket(ctx context.Context) string {
	c := ClientFrom(ctx)
	if c.IP == "" || c.ServerSide {
		return ""
	}
	return "guess:" + AddressBucket(c.IP)
}

// checkGuesses refuses a verification from an address that sent the org's
// limit_ip_failed_hour wrong codes this hour (RGuessLimit).
func (s *core) checkGuesses(ctx context.Context, tx Tx, set Settings, now time.Time) error {
	bucket := guessBucket(ctx)
	if bucket == "" {
		return nil
	}
	w := windowStart(now, time.Hour)
	n, err := tx.Count(ctx, bucket, w)
	if err != nil || n < set.IPFailedPerHour {
		return err
	}
	end := w.Add(time.Hour)
	e := Errorf(ERateLimited, RGuessLimit, "Too many wrong codes were entered from your network. Try again in %s.", Duration(max(end.Sub(now).Round(time.Minute), time.Minute)))
	e.RetryAt, e.Limit = end, set.IPFailedPerHour
	return e
}

// countGuess counts a wrong code against the request's address; the one
// that reaches the limit is recorded in the system log.
func (s *core) countGuess(ctx context.Context, tx Tx, set Settings, now time.Time) error {
	bucket := guessBucket(ctx)
	if bucket == "" {
		return nil
	}
	n, err := tx.AddCount(ctx, bucket, windowStart(now, time.Hour), 1)
	if err != nil || n != set.IPFailedPerHour {
		return err
	}
	return s.record(ctx, tx, Event{Type: EvRateLimit, Target: SystemActor, Outcome: OutcomeDeny, Reason: string(RGuessLimit),
		Message: "Too many wrong codes from one address: its verifications are refused until the hour ends",
		Details: map[string]string{"rule": "guess_limit", "bucket": bucket[len("guess:"):], "limit": strconv.Itoa(set.IPFailedPerHour)}})
}
