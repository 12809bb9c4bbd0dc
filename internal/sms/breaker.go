package sms

import (
	"sync"
	"time"
)

// breaker is a per-provider circuit breaker: after Threshold failures in a
// row it opens and the router skips the provider for Cooldown; then it lets
// one message through (half-open) and closes on success.
type breaker struct {
	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

// Breaker settings.
const (
	BreakerThreshold = 3
	BreakerCooldown  = 30 * time.Second
)

// allow reports whether a message may go to the provider now; in the
// half-open state only one caller is let through at a time.
func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < BreakerThreshold {
		return true
	}
	if now.Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

func (b *breaker) success() {
	b.mu.Lock()
	b.failures, b.probing = 0, false
	b.mu.Unlock()
}

func (b *breaker) failure(now time.Time) {
	b.mu.Lock()
	b.failures++
	b.probing = false
	if b.failures >= BreakerThreshold {
		b.openUntil = now.Add(BreakerCooldown)
	}
	b.mu.Unlock()
}

// open reports whether the breaker skips the provider now.
func (b *breaker) open(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= BreakerThreshold && now.Before(b.openUntil)
}
