package telephony

import (
	"sync"
	"time"

	"smsmfa/internal/mfa"
)

// Refused callbacks cost little and are told once: a source address that
// sent RefusedPerSource refused callbacks (bad or missing signature, too
// old, unknown provider) within a minute is answered 429 without its
// request being read until the minute ends (requests it sent at the same
// moment, already past the check, are still read: at most one more per
// connection in flight), and the refusals of each
// provider reach the system log (and the server log) at most once a
// minute, as one summary. Nothing is written per refused request. The
// counts live in this process: each instance of a cluster keeps its own.
const (
	RefusedPerSource = 20
	guardWindow      = time.Minute
	// maxSources bounds the addresses tracked per window (and named per
	// summary). Past it a new address is not limited, only counted: a
	// flood from many addresses cannot grow memory, nor get the address
	// of a real provider limited.
	maxSources = 4096
)

// guard holds the counts of refused callbacks.
type guard struct {
	mu      sync.Mutex
	window  time.Time      // start of the current per-source window
	sources map[string]int // refused callbacks per source in the window
	tallies map[string]*tally
}

// tally is what one provider's next summary will say.
type tally struct {
	reported time.Time // when the last summary was written (zero: never)
	r        mfa.RefusedCallbacks
}

// roll starts a new per-source window when the current one ended. g.mu is
// held.
func (g *guard) roll(now time.Time) {
	if g.sources == nil || !now.Before(g.window.Add(guardWindow)) {
		g.window, g.sources = now, map[string]int{}
	}
}

// over reports whether source sent RefusedPerSource refused callbacks in
// the current window, and how long until the window ends.
func (g *guard) over(source string, now time.Time) (time.Duration, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	return g.window.Add(guardWindow).Sub(now), g.sources[source] >= RefusedPerSource
}

// refuse counts a refused callback from source for provider ("" for a
// callback to no provider we run) and returns the summary to write now,
// if one is due: the first refusal after a quiet minute is told at once,
// the rest of the minute in the next summary (see due).
func (g *guard) refuse(provider, source, reason string, unread bool, now time.Time) *mfa.RefusedCallbacks {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	if _, ok := g.sources[source]; ok || len(g.sources) < maxSources {
		g.sources[source]++
	}
	if provider == "" {
		return nil
	}
	if g.tallies == nil {
		g.tallies = map[string]*tally{}
	}
	t := g.tallies[provider]
	if t == nil {
		t = &tally{}
		g.tallies[provider] = t
	}
	r := &t.r
	if r.Count == 0 {
		r.Provider, r.Since, r.Reasons, r.Sources = provider, now, map[string]int{}, map[string]int{}
	}
	r.Count++
	r.Reasons[reason]++
	if unread {
		r.Unread++
	}
	if _, ok := r.Sources[source]; ok || len(r.Sources) < maxSources {
		r.Sources[source]++
	} else {
		r.OtherSources++
	}
	return t.take(now)
}

// due returns the summaries whose minute has passed.
func (g *guard) due(now time.Time) []mfa.RefusedCallbacks {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []mfa.RefusedCallbacks
	for _, t := range g.tallies {
		if r := t.take(now); r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// take returns the tally as a summary and starts a new one, when it counts
// something and the last summary is a minute old.
func (t *tally) take(now time.Time) *mfa.RefusedCallbacks {
	if t.r.Count == 0 || (!t.reported.IsZero() && now.Before(t.reported.Add(guardWindow))) {
		return nil
	}
	r := t.r
	t.r, t.reported = mfa.RefusedCallbacks{}, now
	return &r
}
