package mfa

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// EvMasterKeyRotate records a rotation of the master key: the values sealed
// at rest were re-sealed under the new key (key ids only, never a key).
const EvMasterKeyRotate = "system.master_key.rotate"

// ProviderContext is what a provider's sealed credentials are bound to.
func ProviderContext(id string) string { return "provider:" + id }

// MessageContexts are what a message's sealed content may be bound to: the
// current format, then the bare id of a body queued by an older version.
func MessageContexts(id string) []string { return []string{messageContext(id), id} }

// SigningKeyContext is what a sealed OpenID Connect signing key is bound to.
const SigningKeyContext = keySealContext

// KeyRotation is the outcome of one run of the master key rotation.
type KeyRotation struct {
	From, To string // key ids (fingerprints) of the previous and current master keys
	// Tables counts, per table, the values re-sealed, those already under
	// the current key, and those that open under neither key.
	Tables map[string]ResealCount
	// Stopped, when set, says why the run stopped before the end (it is
	// finished by running it again).
	Stopped string
}

// ResealCount counts the sealed values of one table in a rotation.
type ResealCount struct {
	Resealed, Current, Unreadable int
}

// Total adds up the counts of every table.
func (r KeyRotation) Total() ResealCount {
	var t ResealCount
	for _, c := range r.Tables {
		t.Resealed += c.Resealed
		t.Current += c.Current
		t.Unreadable += c.Unreadable
	}
	return t
}

// LogKeyRotation records a master key rotation in the system log: the key
// ids and the counts per table; a run that left unreadable values is a
// failure.
func (s *Org) LogKeyRotation(ctx context.Context, r KeyRotation) error {
	t := r.Total()
	e := Event{Type: EvMasterKeyRotate, Target: Party{ID: "key-" + r.To, Type: "MasterKey", AlternateID: r.To}, Outcome: OutcomeSuccess,
		Details: map[string]string{"previousKeyId": r.From, "keyId": r.To}}
	names := make([]string, 0, len(r.Tables))
	for n := range r.Tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		c := r.Tables[n]
		e.Details[n] = fmt.Sprintf("resealed=%d current=%d unreadable=%d", c.Resealed, c.Current, c.Unreadable)
		parts = append(parts, n+" "+strconv.Itoa(c.Resealed))
	}
	e.Message = fmt.Sprintf("Values at rest re-sealed under master key %s (from %s): %d re-sealed (%s), %d already current",
		r.To, r.From, t.Resealed, strings.Join(parts, ", "), t.Current)
	if t.Unreadable > 0 {
		e.Outcome, e.Severity = OutcomeFailure, SeverityError
		e.Reason = fmt.Sprintf("%d values open under neither key", t.Unreadable)
	}
	if r.Stopped != "" {
		e.Outcome, e.Severity = OutcomeFailure, SeverityError
		e.Reason = strings.TrimPrefix(e.Reason+"; ", "; ") + "stopped before the end (run it again): " + r.Stopped
	}
	return s.run(ctx, func(tx Tx) error { return s.record(ctx, tx, e) })
}
