package mfa

import (
	"context"
	"time"
)

// Attempt is one try at handing a message to a provider.
type Attempt struct {
	MessageID string
	Attempt   int // the message's attempt number (claims)
	Provider  string
	Sender    string
	Started   time.Time
	Latency   time.Duration
	// Outcome is sent, transient, permanent, configuration, or lost (the
	// process stopped before it recorded the provider's answer, so the
	// provider may have sent the message).
	Outcome string
	Error   string
}

// MessageFilter selects messages of the delivery log.
type MessageFilter struct {
	State    MessageState
	Provider string
	Number   string // E.164, exact
	UserID   string
	Since    time.Time
	Until    time.Time
	// Before is a cursor: messages created before this message (newest first).
	Before string
	Limit  int
}

// DeliveryRecord is a message with its attempts.
type DeliveryRecord struct {
	Message
	Attempts []Attempt
}

// DeliveryLogTx reads the delivery log and applies receipts.
type DeliveryLogTx interface {
	ListMessages(ctx context.Context, f MessageFilter) ([]Message, error)
	ListAttempts(ctx context.Context, messageIDs []string) ([]Attempt, error)
	// ApplyReceipt moves the message a provider knows as providerMessageID
	// to state (only forward: sent → delivered / undelivered / failed);
	// found is false when no such message exists.
	ApplyReceipt(ctx context.Context, provider, providerMessageID string, state MessageState, detail string, at time.Time) (found bool, err error)
	// CopyVerifiedBefore copies onto their messages when the codes of the
	// challenges that expired before t were entered (before the purge
	// deletes those challenges), and returns how many it copied.
	CopyVerifiedBefore(ctx context.Context, t time.Time) (int64, error)
	// EachTraffic calls fn with every message created at or after since,
	// oldest first, with when its code was entered (from its challenge,
	// or from the message once the challenge is purged), and stops at
	// fn's first error.
	EachTraffic(ctx context.Context, since time.Time, fn func(TrafficRow) error) error
}

// TrafficRow is what the dashboard reads of one message.
type TrafficRow struct {
	To        string
	State     MessageState
	Provider  string
	Created   time.Time
	Sent      time.Time
	ReceiptAt time.Time
	Verified  time.Time
}

// DeliveryLog returns messages with their attempts, newest first.
func (s *Telephony) DeliveryLog(ctx context.Context, f MessageFilter) ([]DeliveryRecord, error) {
	var out []DeliveryRecord
	err := s.view(ctx, func(tx Tx) error {
		ms, err := tx.ListMessages(ctx, f)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(ms))
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		as, err := tx.ListAttempts(ctx, ids)
		if err != nil {
			return err
		}
		byMsg := map[string][]Attempt{}
		for _, a := range as {
			byMsg[a.MessageID] = append(byMsg[a.MessageID], a)
		}
		for _, m := range ms {
			m.SealedBody = nil
			out = append(out, DeliveryRecord{Message: m, Attempts: byMsg[m.ID]})
		}
		return nil
	})
	return out, err
}

// ApplyReceipt records a provider's delivery receipt. An unknown provider
// message id is reported as not found (the provider may be calling for a
// message of another system).
func (s *Telephony) ApplyReceipt(ctx context.Context, provider, providerMessageID string, state MessageState, detail string) (bool, error) {
	var applied bool
	err := s.run(ctx, func(tx Tx) error {
		var err error
		applied, err = tx.ApplyReceipt(ctx, provider, providerMessageID, state, detail, s.clock.Now())
		return err
	})
	return applied, err
}
