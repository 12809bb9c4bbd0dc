package mfa

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EvCallbackRefused summarises the provider callbacks (delivery receipts,
// inbound STOP / START) refused for one provider: forged, replayed or
// unsigned. The telephony hooks write at most one a minute per provider.
const EvCallbackRefused = "system.sms.callback.refused"

// RefusedCallbacks counts the callbacks refused for one provider since
// the last summary.
type RefusedCallbacks struct {
	Provider string
	Since    time.Time
	// Count is every refused callback; Unread of them were answered 429
	// without being read, their source being over its limit.
	Count  int
	Unread int
	// Reasons counts the refusals by cause (bad signature, too old, …).
	Reasons map[string]int
	// Sources counts the refusals by source address; OtherSources those
	// from addresses past the ones kept.
	Sources      map[string]int
	OtherSources int
}

// namedSources is how many source addresses a summary names.
const namedSources = 3

// RecordRefusedCallbacks writes r to the system log as one warning:
// "N forged callbacks from ADDRESS (n), …".
func (s *Telephony) RecordRefusedCallbacks(ctx context.Context, r RefusedCallbacks) error {
	from := countsText(r.Sources, namedSources)
	if others := r.OtherSources + rest(r.Sources, namedSources); others > 0 {
		from += fmt.Sprintf(" and %d from other addresses", others)
	}
	return s.run(ctx, func(tx Tx) error {
		return s.record(ctx, tx, Event{Type: EvCallbackRefused, Severity: SeverityWarn, Outcome: OutcomeDeny,
			Target:  Party{ID: r.Provider, Type: "SmsProvider", AlternateID: r.Provider},
			Message: plural(r.Count, "forged callback") + " from " + from, Reason: countsText(r.Reasons, len(r.Reasons)),
			Details: map[string]string{"count": strconv.Itoa(r.Count), "unread": strconv.Itoa(r.Unread), "since": r.Since.UTC().Format(time.RFC3339)}})
	})
}

// countsText lists the n largest counts of m as "key (count), …", largest
// first.
func countsText(m map[string]int, n int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// rest sums the counts of m past its n largest.
func rest(m map[string]int, n int) int {
	counts := slices.Sorted(maps.Values(m))
	sum := 0
	for _, c := range counts[:max(len(counts)-n, 0)] {
		sum += c
	}
	return sum
}
