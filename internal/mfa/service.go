package mfa

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"
)

// PasswordHasher hashes and checks passwords (package password).
type PasswordHasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	// Verify checks pw against hash. With an empty hash it spends the same
	// time and returns false, so unknown users cannot be told apart.
	Verify(ctx context.Context, hash, pw string) (ok, rehash bool, err error)
}

// Sealer encrypts message bodies and provider credentials at rest
// (package secret).
type Sealer interface {
	Seal(plaintext []byte, context string) []byte
}

// Delivery is what became of a message right after it was queued.
type Delivery struct {
	// State is MessageSent when a provider accepted it, MessageQueued (or
	// MessageSending) when it is still on its way, MessageFailed when it can
	// never be delivered.
	State MessageState
	// Error describes the failure when State is MessageFailed; Reason is
	// the provider's reason (sms.Reason: invalid_number, opted_out, …).
	Error  string
	Reason string
}

// Deliverer hands a queued message to a provider without holding up the
// caller for longer than a short bound; whatever is not sent by then stays
// queued and is sent by a worker.
type Deliverer interface {
	Deliver(ctx context.Context, messageID string) Delivery
}

// Config holds a Service's dependencies.
type Config struct {
	Store   Store
	Clock   Clock
	Rand    io.Reader // crypto/rand.Reader when nil
	CodeKey []byte    // HMAC key for codes
	Sealer  Sealer
	Hasher  PasswordHasher
	Deliver Deliverer
	// Host is the host of the public base URL, for the WebOTP line.
	Host   string
	Logger *slog.Logger
}

// Service is the domain: every rule about users, the SMS factor, codes,
// sign-in transactions and org settings.
type Service struct {
	store   Store
	clock   Clock
	rand    io.Reader
	codeKey []byte
	sealer  Sealer
	hasher  PasswordHasher
	deliver Deliverer
	host    string
	log     *slog.Logger
}

// New returns a Service. It panics when a required dependency is missing,
// since that is a wiring bug.
func New(c Config) *Service {
	if c.Store == nil || c.Hasher == nil || c.Sealer == nil || c.Deliver == nil || len(c.CodeKey) == 0 {
		panic("mfa: Store, Hasher, Sealer, Deliver and CodeKey are required")
	}
	s := &Service{store: c.Store, clock: c.Clock, rand: c.Rand, codeKey: c.CodeKey, sealer: c.Sealer,
		hasher: c.Hasher, deliver: c.Deliver, host: c.Host, log: c.Logger}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.clock.Now() }

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString returns prefix followed by n uniformly random base-62
// characters (rejection sampling: bytes of 248 and above are skipped).
func (s *Service) randomString(prefix string, n int) string {
	out := make([]byte, 0, len(prefix)+n)
	out = append(out, prefix...)
	buf := make([]byte, n+n/4+4)
	for len(out) < len(prefix)+n {
		if _, err := io.ReadFull(s.rand, buf); err != nil {
			panic("mfa: randomness failed: " + err.Error())
		}
		for _, c := range buf {
			if c < 248 && len(out) < len(prefix)+n {
				out = append(out, idAlphabet[c%62])
			}
		}
	}
	return string(out)
}

// newID returns an Okta-style 20-character id: a 3-character prefix and 17
// random base-62 characters.
func (s *Service) newID(prefix string) string { return s.randomString(prefix, 20-len(prefix)) }

// newToken returns an opaque token of about 238 random bits.
func (s *Service) newToken(prefix string) string { return s.randomString(prefix, 40) }

// settings loads the org settings inside tx.
func (s *Service) settings(ctx context.Context, tx Tx) (Settings, error) {
	stored, err := tx.LoadSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	set, err := ParseSettings(stored)
	if err != nil {
		s.log.Warn("settings", "err", err)
	}
	return set, nil
}

// run executes fn in a unit of work. fn reports a refusal by returning it as
// the first value: the work done so far (counters, attempt counts, events)
// is committed and the refusal returned. A non-nil second value is an
// unexpected error: everything is rolled back.
func (s *Service) run(ctx context.Context, fn func(tx Tx) (*Error, error)) error {
	var refusal *Error
	err := s.store.InTx(ctx, func(tx Tx) error {
		r, err := fn(tx)
		refusal = r
		return err
	})
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return e
		}
		return Internal("store", err)
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// record adds an event to the system log inside tx, filling in its id, time
// and the request's client.
func (s *Service) record(ctx context.Context, tx Tx, e Event) error {
	c := ClientFrom(ctx)
	e.ID = s.newID("evt")
	e.Published = s.clock.Now()
	if e.Severity == "" {
		e.Severity = SeverityInfo
		if e.Outcome == OutcomeFailure || e.Outcome == OutcomeDeny {
			e.Severity = SeverityWarn
		}
	}
	if e.Actor.ID == "" {
		e.Actor = c.Actor
	}
	if e.Actor.ID == "" && e.Target.Type == "User" {
		e.Actor = e.Target // a user acting for themself
	}
	if e.Actor.ID == "" {
		e.Actor = SystemActor
	}
	e.ClientIP, e.UserAgent, e.RequestID = c.IP, c.UserAgent, c.RequestID
	return tx.InsertEvent(ctx, &e)
}

// userParty describes a user as an event party.
func userParty(u *User) Party {
	return Party{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.DisplayName()}
}
