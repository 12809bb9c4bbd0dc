package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/phone"
)

// ProviderKinds knows the provider types and the rules each adds to the
// domain's: the credentials it takes, the address it needs or accepts, the
// senders it can use, what its adapter accepts. Package telephony
// implements it over the adapter packages, each of which describes its
// type once; the domain asks it through CheckProvider.
type ProviderKinds interface {
	// Problems lists what p's type finds wrong with p (an unknown type is
	// one problem), each a phrase for the operator; none when p can go
	// into service.
	Problems(p ProviderConfig) []string
}

// SenderKind is what a sender is.
type SenderKind string

// Sender kinds.
const (
	SenderNumber       SenderKind = "number"       // an E.164 long number
	SenderShortCode    SenderKind = "shortcode"    // a 3–8 digit short code
	SenderAlphanumeric SenderKind = "alphanumeric" // an alphanumeric sender id (never for +1, see Sender.Serves)
	SenderService      SenderKind = "service"      // a provider-side pool, e.g. a Twilio Messaging Service SID
)

// Sender is one origination identity of a provider.
type Sender struct {
	ID           string
	ProviderID   string
	Value        string
	Kind         SenderKind
	CallingCodes []int // empty: every country it may serve
}

// Serves reports whether the sender may send to calling code cc. US and
// Canada (+1) never accept alphanumeric sender ids. It is the one place of
// that rule: ParseSender and the router (through telephony) ask it.
func (s Sender) Serves(cc int) bool {
	if s.Kind == SenderAlphanumeric && cc == 1 {
		return false
	}
	return len(s.CallingCodes) == 0 || slices.Contains(s.CallingCodes, cc)
}

// String is the sender as the command line writes it ("+15557654321:1").
func (s Sender) String() string {
	if len(s.CallingCodes) == 0 {
		return s.Value
	}
	var cc []string
	for _, c := range s.CallingCodes {
		cc = append(cc, strconv.Itoa(c))
	}
	return s.Value + ":" + strings.Join(cc, ",")
}

var (
	alnumSender = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	shortCode   = regexp.MustCompile(`^[0-9]{3,8}$`)
	serviceSID  = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// ParseSender reads "VALUE[:CC,CC…]": an E.164 number, a short code, an
// alphanumeric id (1–11 letters, digits or spaces, at least one letter) or
// a Twilio Messaging Service SID (MG…), optionally limited to calling codes.
func ParseSender(s string) (Sender, error) {
	value, ccs, _ := strings.Cut(strings.TrimSpace(s), ":")
	var out Sender
	switch {
	case strings.HasPrefix(value, "+"):
		n, err := phone.Parse(value, "")
		if err != nil {
			return out, fmt.Errorf("sender %q is not a phone number in E.164 form", value)
		}
		out.Value, out.Kind = n.E164, SenderNumber
	case shortCode.MatchString(value):
		out.Value, out.Kind = value, SenderShortCode
	case serviceSID.MatchString(value):
		out.Value, out.Kind = value, SenderService
	case alnumSender.MatchString(value) && strings.ContainsFunc(value, func(r rune) bool { return (r|0x20) >= 'a' && (r|0x20) <= 'z' }):
		out.Value, out.Kind = value, SenderAlphanumeric
	default:
		return out, fmt.Errorf("sender %q: use a number in E.164 form (+15557654321), a short code, an alphanumeric id of up to 11 characters, or a Messaging Service SID", value)
	}
	if ccs != "" {
		for _, f := range strings.Split(ccs, ",") {
			n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(f), "+"))
			if err != nil || n < 1 || n > 999 {
				return out, fmt.Errorf("sender %q: %q is not a calling code", s, f)
			}
			out.CallingCodes = append(out.CallingCodes, n)
		}
		slices.Sort(out.CallingCodes)
		out.CallingCodes = slices.Compact(out.CallingCodes)
	}
	if len(out.CallingCodes) > 0 && !slices.ContainsFunc(out.CallingCodes, out.Serves) {
		// Serves refuses a listed calling code only for an alphanumeric id to +1.
		return out, fmt.Errorf("sender %q: US and Canada (+1) do not accept alphanumeric sender ids", s)
	}
	return out, nil
}

// ProviderConfig is one configured SMS provider account.
type ProviderConfig struct {
	ID       string
	Name     string
	Type     string
	BaseURL  string // empty: the provider's public API
	Priority int    // lower is tried first
	Enabled  bool
	// Credentials are in clear text only in memory; at rest they are
	// sealed under the master key.
	Credentials map[string]string
	Senders     []Sender
	Created     time.Time
	Updated     time.Time
	// FromEnv marks the provider configured by SMSMFA_PROVIDER_*
	// variables: not stored, not editable in the console.
	FromEnv bool
}

// MaskedCredentials shows credentials the way the console does: names, and
// of each value only its last four characters.
func (p ProviderConfig) MaskedCredentials() map[string]string {
	out := map[string]string{}
	for k, v := range p.Credentials {
		if k == "header" || k == "region" {
			out[k] = v
			continue
		}
		if len(v) <= 4 {
			out[k] = "••••"
		} else {
			out[k] = "••••" + v[len(v)-4:]
		}
	}
	return out
}

// CheckProvider normalises p (name and URL trimmed) and checks it against
// the domain's rules (name, priority) and, through kinds, the rules of its
// type. The refusal is RInvalidInput naming every problem, sorted.
func CheckProvider(p *ProviderConfig, kinds ProviderKinds) error {
	problems := kinds.Problems(*p) // before the URL is trimmed: "/" is no address
	return providerRefusal(append(problems, normaliseProvider(p)...))
}

// normaliseProvider trims p's name and URL and lists what breaks the
// domain's own rules.
func normaliseProvider(p *ProviderConfig) []string {
	p.Name = strings.TrimSpace(p.Name)
	p.BaseURL = strings.TrimSuffix(p.BaseURL, "/")
	errs := providerTextProblems(*p)
	if p.Priority < 0 || p.Priority > 1000 {
		errs = append(errs, "priority: 0 to 1000")
	}
	return errs
}

// providerRefusal is the refusal naming problems, or nil when there are none.
func providerRefusal(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return Errorf(EInvalid, RInvalidInput, "provider: %s", strings.Join(problems, "; "))
}

// Opener decrypts what a Sealer sealed.
type Opener interface {
	Open(sealed []byte, context string) ([]byte, error)
}

// SealCredentials seals a provider's credentials, bound to its id.
func SealCredentials(s Sealer, id string, creds map[string]string) []byte {
	b, _ := json.Marshal(creds) // a map of strings always encodes
	return s.Seal(b, ProviderContext(id))
}

// OpenCredentials opens sealed credentials of provider id.
func OpenCredentials(o Opener, id string, sealed []byte) (map[string]string, error) {
	b, err := o.Open(sealed, ProviderContext(id))
	if err != nil {
		return nil, err
	}
	var creds map[string]string
	return creds, json.Unmarshal(b, &creds)
}

// ProviderTx stores providers and their senders. Credentials are stored
// sealed; the store never sees them in clear.
type ProviderTx interface {
	ListProviders(ctx context.Context) ([]StoredProvider, error)
	InsertProvider(ctx context.Context, p StoredProvider) error
	UpdateProvider(ctx context.Context, p StoredProvider) error
	DeleteProvider(ctx context.Context, name string) error
}

// StoredProvider is a provider as stored: credentials sealed.
type StoredProvider struct {
	ProviderConfig
	SealedCredentials []byte
}

// Telephony is the org's SMS configuration and what providers tell us:
// providers and senders, message templates, opt-outs, delivery receipts
// and the delivery log. It needs no Deliverer, so the delivery path can be
// built on it.
type Telephony struct {
	*core
	kinds ProviderKinds
}

// NewTelephony returns the telephony service; c needs a Sealer, a CodeKey
// (for the ids of phone numbers in the system log) and the ProviderKinds.
func NewTelephony(c Config) *Telephony {
	s := &Telephony{newCore(c), c.ProviderKinds}
	s.require("Telephony", c.Sealer != nil, len(c.CodeKey) > 0, c.ProviderKinds != nil)
	return s
}

// AddProvider validates and stores a provider with its senders. Refusals:
// RInvalidInput (with every problem), RConflict when the name is taken.
func (s *Telephony) AddProvider(ctx context.Context, p ProviderConfig) (*ProviderConfig, error) {
	if p.Credentials == nil {
		p.Credentials = map[string]string{}
	}
	if err := CheckProvider(&p, s.kinds); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	p.ID, p.Created, p.Updated, p.Enabled = s.newID("prv"), now, now, true
	for i := range p.Senders {
		p.Senders[i].ID, p.Senders[i].ProviderID = s.newID("snd"), p.ID
	}
	err := s.run(ctx, func(tx Tx) error {
		err := tx.InsertProvider(ctx, StoredProvider{ProviderConfig: p, SealedCredentials: SealCredentials(s.sealer, p.ID, p.Credentials)})
		if errors.Is(err, ErrConflict) {
			return rollback(Errorf(EConflict, RInvalidInput, "provider: a provider named %q already exists", p.Name))
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvProviderAdd, Target: Party{ID: p.ID, Type: "SmsProvider", AlternateID: p.Name}, Outcome: OutcomeSuccess,
			Message: "SMS provider added", Details: map[string]string{"type": p.Type, "senders": strconv.Itoa(len(p.Senders)), "priority": strconv.Itoa(p.Priority)}})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Providers returns the stored providers in priority order, credentials
// opened with o.
func (s *Telephony) Providers(ctx context.Context, o Opener) ([]ProviderConfig, error) {
	var out []ProviderConfig
	err := s.view(ctx, func(tx Tx) error {
		ps, err := tx.ListProviders(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			c := p.ProviderConfig
			if c.Credentials, err = OpenCredentials(o, p.ID, p.SealedCredentials); err != nil {
				return fmt.Errorf("provider %s: credentials cannot be decrypted (was the master key changed?): %w", p.Name, err)
			}
			out = append(out, c)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority < out[j].Priority
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// UpdateProvider changes a stored provider: priority, enabled, URL,
// senders, and the credentials given (others are kept).
func (s *Telephony) UpdateProvider(ctx context.Context, name string, change func(*ProviderConfig), o Opener) (*ProviderConfig, error) {
	ps, err := s.Providers(ctx, o)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ps, func(p ProviderConfig) bool { return p.Name == name })
	if i < 0 {
		return nil, Errorf(ENotFound, RInvalidInput, "provider: no provider named %q", name)
	}
	p := ps[i]
	change(&p)
	p.Name = name
	if err := CheckProvider(&p, s.kinds); err != nil {
		return nil, err
	}
	p.Updated = s.clock.Now()
	for i := range p.Senders {
		if p.Senders[i].ID == "" {
			p.Senders[i].ID = s.newID("snd")
		}
		p.Senders[i].ProviderID = p.ID
	}
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.UpdateProvider(ctx, StoredProvider{ProviderConfig: p, SealedCredentials: SealCredentials(s.sealer, p.ID, p.Credentials)}); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvProviderUpdate, Target: Party{ID: p.ID, Type: "SmsProvider", AlternateID: p.Name}, Outcome: OutcomeSuccess,
			Message: "SMS provider changed", Details: map[string]string{"enabled": boolText(p.Enabled), "priority": strconv.Itoa(p.Priority), "senders": strconv.Itoa(len(p.Senders))}})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// RemoveProvider deletes a provider and its senders.
func (s *Telephony) RemoveProvider(ctx context.Context, name string) error {
	return s.run(ctx, func(tx Tx) error {
		err := tx.DeleteProvider(ctx, name)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENotFound, RInvalidInput, "provider: no provider named %q", name)
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvProviderRemove, Target: Party{ID: name, Type: "SmsProvider", AlternateID: name}, Outcome: OutcomeSuccess, Message: "SMS provider removed"})
	})
}

// RecordProviderTest records a test message sent from the console.
func (s *Telephony) RecordProviderTest(ctx context.Context, name, to, from string, sendErr error) {
	outcome, reason := OutcomeSuccess, ""
	if sendErr != nil {
		outcome, reason = OutcomeFailure, sendErr.Error()
	}
	err := s.run(ctx, func(tx Tx) error {
		return s.record(ctx, tx, Event{Type: EvProviderTest, Target: Party{ID: name, Type: "SmsProvider", AlternateID: name}, Outcome: outcome, Reason: reason,
			Message: "Test SMS sent through a provider", Details: map[string]string{"to": phone.Mask(to), "sender": from}})
	})
	if err != nil {
		s.log.ErrorContext(ctx, "record provider test", "err", err)
	}
}
