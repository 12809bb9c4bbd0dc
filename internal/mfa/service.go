package mfa

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"smsmfa/internal/randid"
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
//
// The request that queues a message sends it itself: the message is
// written already claimed (Claim) in the unit of work that creates its code,
// and handed over (Deliver) once that commits, so sending takes no
// separate claim. The workers leave a claimed message alone until its
// lease ends (and then send it, should the request's process have stopped).
type Deliverer interface {
	// Claim returns the claim and the lease's end under which a message
	// about to be queued at now is written.
	Claim(now time.Time) (claim string, leaseUntil time.Time)
	// Deliver sends m, written under a claim from Claim.
	Deliver(ctx context.Context, m Message) Delivery
}

// Config holds the domain's dependencies. Each service takes the ones it
// needs; Deliver is needed only by Signin and Factors, so the telephony
// service (which the delivery path itself depends on) can be built first.
type Config struct {
	Store   Store
	Clock   Clock
	Rand    io.Reader // crypto/rand.Reader when nil
	CodeKey []byte    // HMAC key for codes
	// PreviousCodeKey is the code HMAC key of the previous master key
	// while keys are rotated: a code sent by an instance still on the old
	// key verifies on one already on the new key. New codes use CodeKey.
	PreviousCodeKey []byte
	// PhoneIDKey keys the ids of phone numbers in the system log
	// (PhoneID); CodeKey when nil. It must outlive master key rotations
	// (keyrotate.PhoneIDKey).
	PhoneIDKey []byte
	Sealer     Sealer
	// Opener opens what Sealer sealed (the OpenID Provider's signing
	// keys); only the OIDC service needs it.
	Opener  Opener
	Hasher  PasswordHasher
	Deliver Deliverer
	// Host is the host of the public base URL, for the WebOTP line.
	Host string
	// Origin is the scheme and host of the public base URL
	// ("https://mfa.example.com"): passkeys are bound to it (its host is
	// the WebAuthn RP ID). "http://" + Host when empty.
	Origin string
	Logger *slog.Logger
	// ProviderKinds knows the SMS provider types and their rules
	// (telephony.AllKinds); the Telephony service needs it.
	ProviderKinds ProviderKinds
	// Settings caches the org settings across the services built from
	// this Config (New makes one when nil; give services built one by one
	// the same cache).
	Settings *SettingsCache
	// Observer is told the security decisions (metrics); may be nil.
	Observer Observer
}

// core holds the dependencies and the helpers every service shares: the
// unit of work, the system log, ids and the org settings.
type core struct {
	store   Store
	clock   Clock
	rand    io.Reader
	codeKey []byte
	prevKey []byte // previous code key during a key rotation, else nil
	phoneID []byte // key of PhoneID
	sealer  Sealer
	hasher  PasswordHasher
	deliver Deliverer
	host    string
	origin  string
	log     *slog.Logger
	cache   *SettingsCache
	obs     Observer

	// busy refusals of password checks not yet told to the system log
	busyMu      sync.Mutex
	busyRefused int
	busyLogged  time.Time
}

// newCore checks c for the dependencies every service needs; the services
// that need more check those themselves. A missing one is a wiring bug, so
// it panics.
func newCore(c Config) *core {
	if c.Store == nil {
		panic("mfa: Store is required")
	}
	s := &core{store: c.Store, clock: c.Clock, rand: c.Rand, codeKey: c.CodeKey, prevKey: c.PreviousCodeKey, phoneID: c.PhoneIDKey, sealer: c.Sealer,
		hasher: c.Hasher, deliver: c.Deliver, host: c.Host, origin: c.Origin, log: c.Logger, cache: c.Settings, obs: c.Observer}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.cache == nil {
		s.cache = NewSettingsCache()
	}
	if s.phoneID == nil {
		s.phoneID = s.codeKey
	}
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

// require panics unless every named dependency is set (a wiring bug).
func (s *core) require(service string, deps ...bool) {
	for _, ok := range deps {
		if !ok {
			panic("mfa: " + service + " is missing a dependency (see its constructor)")
		}
	}
}

// Services is every domain service, built from one Config.
type Services struct {
	Signin    *Signin
	Factors   *Factors
	Users     *Users
	Tokens    *Tokens
	Telephony *Telephony
	Org       *Org
	Radius    *Radius
	OIDC      *OIDC
	Config    *Configs
}

// New builds every service from c, which must have every dependency.
func New(c Config) Services {
	if c.Settings == nil {
		c.Settings = NewSettingsCache()
	}
	return Services{Signin: NewSignin(c), Factors: NewFactors(c), Users: NewUsers(c), Tokens: NewTokens(c),
		Telephony: NewTelephony(c), Org: NewOrg(c), Radius: NewRadius(c), OIDC: NewOIDC(c), Config: NewConfigs(c)}
}

// Now returns the domain's current time.
func (s *core) Now() time.Time { return s.clock.Now() }

// newID returns an Okta-style 20-character id: a 3-character prefix and 17
// random base-62 characters.
func (s *core) newID(prefix string) string { return randid.New(s.rand).ID(prefix) }

// newRowID returns an id that sorts by time (randid.SortableID), for the
// rows written all the time: events, codes and their texts.
func (s *core) newRowID(prefix string) string {
	return randid.New(s.rand).SortableID(prefix, s.clock.Now())
}

// newToken returns an opaque token of about 238 random bits.
func (s *core) newToken(prefix string) string { return randid.New(s.rand).Token(prefix) }

// settings loads the org settings inside tx.
func (s *core) settings(ctx context.Context, tx Tx) (Settings, error) {
	v, err := tx.SettingsVersion(ctx)
	if err != nil {
		return Settings{}, err
	}
	return s.settingsAt(ctx, tx, v)
}

// settingsAt returns the settings of version v (read with another
// statement), from the cache when it holds them.
func (s *core) settingsAt(ctx context.Context, tx Tx, v int64) (Settings, error) {
	if set, ok := s.cache.get(v); ok {
		return set, nil
	}
	stored, err := tx.LoadSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	set, err := ParseSettings(stored)
	if err != nil {
		s.log.WarnContext(ctx, "settings", "err", err)
	}
	if set.templates, err = tx.ListTemplates(ctx); err != nil {
		return Settings{}, err
	}
	s.cache.put(v, set)
	return set, nil
}

// SettingsCache holds the org settings (and message templates) last read,
// with their version, for
// every service built from one Config: a unit of work reads one row (the
// version) instead of every setting while nothing changed.
type SettingsCache struct {
	mu      sync.RWMutex
	version int64
	set     Settings
}

// NewSettingsCache returns an empty cache.
func NewSettingsCache() *SettingsCache { return &SettingsCache{} }

func (c *SettingsCache) get(version int64) (Settings, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version == 0 || c.version != version {
		return Settings{}, false
	}
	return c.set.clone(), true
}

// latest returns the settings last read, with their version; ok is false
// before any was read.
func (c *SettingsCache) latest() (int64, Settings, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.version, c.set.clone(), c.version != 0
}

func (c *SettingsCache) put(version int64, set Settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version >= c.version {
		c.version, c.set = version, set.clone()
	}
}

// run executes fn in a unit of work. A refusal (*Error that is not
// EInternal) returned by fn commits the work done so far (wrong-code
// counts, lockouts, rate-limit counters, events) and is returned; any other
// error rolls everything back. A refusal wrapped with rollback rolls back
// too (for a statement the database has already aborted).
func (s *core) run(ctx context.Context, fn func(tx Tx) error) error {
	var refusal *Error
	var otx *observedTx
	err := s.store.InTx(ctx, func(tx Tx) error {
		refusal = nil // InTx may run fn again after a lost connection
		otx = &observedTx{Tx: tx}
		err := fn(otx)
		if IsRefusal(err) {
			refusal, _ = errors.AsType[*Error](err)
			return nil
		}
		return err
	})
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return e
		}
		return Internal("store", err)
	}
	if otx != nil {
		s.observe(otx.events, refusal)
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// load runs read in a read-only unit of work (see view) and returns what
// it read.
func load[T any](ctx context.Context, s *core, read func(tx Tx) (T, error)) (T, error) {
	var v T
	err := s.view(ctx, func(tx Tx) error {
		var err error
		v, err = read(tx)
		return err
	})
	return v, err
}

// rolledBack is a refusal whose unit of work must not commit.
type rolledBack struct{ e *Error }

func (r *rolledBack) Error() string { return r.e.Error() }
func (r *rolledBack) Unwrap() error { return r.e }

// rollback returns e so that run rolls the unit of work back and then
// returns e: for a refusal found by a failed statement, after which
// PostgreSQL accepts no further statement in the transaction.
func rollback(e *Error) error { return &rolledBack{e} }

// record adds an event to the system log inside tx, filling in its id, time
// and the request's client. Every text of the event is cleaned and cut to
// the system log's caps (FieldEvent*): a login typed at sign-in reaches
// the log whatever it is, so the log never holds more than the caps allow.
func (s *core) record(ctx context.Context, tx Tx, e Event) error {
	c := ClientFrom(ctx)
	e.ID = s.newRowID("evt")
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
	e.clip()
	return tx.InsertEvent(ctx, &e)
}

// userParty describes a user as an event party.
func userParty(u *User) Party {
	return Party{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.DisplayName()}
}

// view runs fn in a read-only unit of work and returns its error as run
// would (a refusal as it is, anything else as an internal error). fn must
// not write.
func (s *core) view(ctx context.Context, fn func(tx Tx) error) error {
	return s.reading(s.store.View(ctx, fn))
}

// glance is view for a read of one statement, outside a transaction (see
// Store.Glance).
func (s *core) glance(ctx context.Context, fn func(tx Tx) error) error {
	return s.reading(s.store.Glance(ctx, fn))
}

// reading returns the error of a read: a refusal as it is, anything else
// as an internal error.
func (s *core) reading(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return Internal("store", err)
}
