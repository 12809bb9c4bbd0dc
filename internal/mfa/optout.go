package mfa

import (
	"context"
	"errors"
	"time"
)

// OptOut is a recipient's standing STOP to one sender.
type OptOut struct {
	Number   string // E.164 of the recipient
	Sender   string // our sender they replied to
	Provider string
	Created  time.Time
}

// OptOutEvent is one STOP, START or HELP received, kept as evidence.
type OptOutEvent struct {
	ID                int64
	Number            string
	Sender            string
	Provider          string
	Keyword           string // stop, start, help
	At                time.Time
	ProviderMessageID string
}

// OptOutTx stores opt-outs and their evidence.
type OptOutTx interface {
	PutOptOut(ctx context.Context, o OptOut) error
	DeleteOptOut(ctx context.Context, number, sender string) error
	OptedOutSenders(ctx context.Context, number string) ([]string, error)
	ListOptOuts(ctx context.Context, limit int) ([]OptOut, error)
	InsertOptOutEvent(ctx context.Context, e OptOutEvent) error
	ListOptOutEvents(ctx context.Context, number string, limit int) ([]OptOutEvent, error)
}

// RecordKeyword records an inbound STOP / START / HELP from number to our
// sender. STOP adds an opt-out for that sender, START removes it; every
// keyword is kept as evidence with its time and sender. MFA codes still go
// out after a STOP (they are transactional): the router prefers another
// sender, and the user is never refused for having opted out.
func (s *Telephony) RecordKeyword(ctx context.Context, provider, number, sender, keyword, providerMessageID string) error {
	return s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		if err := tx.InsertOptOutEvent(ctx, OptOutEvent{Number: number, Sender: sender, Provider: provider, Keyword: keyword, At: now, ProviderMessageID: providerMessageID}); err != nil {
			return err
		}
		target := s.phoneParty(number)
		details := map[string]string{"sender": sender, "provider": provider, "keyword": keyword}
		switch keyword {
		case "stop":
			if err := tx.PutOptOut(ctx, OptOut{Number: number, Sender: sender, Provider: provider, Created: now}); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvOptOut, Actor: target, Target: target, Outcome: OutcomeSuccess, Message: "Recipient opted out from a sender", Details: details})
		case "start":
			if err := tx.DeleteOptOut(ctx, number, sender); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvOptIn, Actor: target, Target: target, Outcome: OutcomeSuccess, Message: "Recipient opted back in to a sender", Details: details})
		}
		return nil
	})
}

// OptedOutSenders lists the senders number has opted out from.
func (s *Telephony) OptedOutSenders(ctx context.Context, number string) ([]string, error) {
	return load(ctx, s.core, func(tx Tx) ([]string, error) { return tx.OptedOutSenders(ctx, number) })
}

// OptOuts lists standing opt-outs and the newest keyword events.
func (s *Telephony) OptOuts(ctx context.Context, limit int) ([]OptOut, []OptOutEvent, error) {
	var outs []OptOut
	var evs []OptOutEvent
	err := s.view(ctx, func(tx Tx) error {
		var err error
		if outs, err = tx.ListOptOuts(ctx, limit); err != nil {
			return err
		}
		evs, err = tx.ListOptOutEvents(ctx, "", limit)
		return err
	})
	return outs, evs, err
}
