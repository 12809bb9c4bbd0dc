package radius

import (
	"sync"
	"time"
)

// replayKey names one request: its source, Identifier and Request
// Authenticator (RFC 5080 §2.2.2).
type replayKey struct {
	from          string
	id            byte
	authenticator [16]byte
}

type replayEntry struct {
	reply []byte // nil while the request is being answered (or was dropped)
	at    time.Time
}

// replayCache remembers the replies of recent requests, so a retransmitted
// request is answered with the same bytes and sends no second SMS, counts
// no second try, without a trip to the database. It is per instance; the
// record in the database (Options.Requests) covers a retransmission that
// reaches another instance.
type replayCache struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[replayKey]*replayEntry
}

func newReplayCache(ttl time.Duration, max int) *replayCache {
	return &replayCache{ttl: ttl, max: max, m: map[replayKey]*replayEntry{}}
}

// begin reports whether k is new (and marks it in flight); otherwise it
// returns the reply given to it (nil while in flight, or when it got none).
func (c *replayCache) begin(k replayKey, now time.Time) (fresh bool, reply []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok && now.Sub(e.at) < c.ttl {
		return false, e.reply
	}
	if len(c.m) >= c.max {
		for key, e := range c.m {
			if now.Sub(e.at) >= c.ttl {
				delete(c.m, key)
			}
		}
		if len(c.m) >= c.max { // all live: a flood; forget the oldest half at random
			n := 0
			for key := range c.m {
				delete(c.m, key)
				if n++; n >= c.max/2 {
					break
				}
			}
		}
	}
	c.m[k] = &replayEntry{at: now}
	return true, nil
}

// finish records the reply to k.
func (c *replayCache) finish(k replayKey, reply []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.reply = reply
	}
}

// forget drops k, so its next copy is answered afresh.
func (c *replayCache) forget(k replayKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}
