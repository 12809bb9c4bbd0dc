package mfa

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"
)

// Event types of RADIUS clients and RADIUS sign-ins.
const (
	EvRadiusClientAdd    = "system.radius_client.add"
	EvRadiusClientRemove = "system.radius_client.remove"
	// EvRadiusNoFactor is a RADIUS sign-in refused after the password
	// because the user has no SMS factor yet (a VPN cannot enroll one).
	EvRadiusNoFactor = "user.authentication.radius.factor_required"
)

// RadiusSecretMin and RadiusSecretMax bound a RADIUS shared secret: RFC
// 2865 §3 asks for at least 16 octets; 128 is more than any NAS accepts.
const (
	RadiusSecretMin = 16
	RadiusSecretMax = 128
)

// FieldRadiusClientName caps a RADIUS client's name.
var FieldRadiusClientName = Field{"name", "RADIUS client name", 64, Identifier}

// RadiusClient is a NAS (a VPN concentrator, a firewall) allowed to send
// RADIUS requests: requests from Prefix are checked with its shared secret.
type RadiusClient struct {
	ID      string
	Name    string
	Prefix  netip.Prefix // one address is a /32 (/128)
	Created time.Time
	// SealedSecret is the shared secret sealed under the master key, bound
	// to the id (RadiusSecretContext).
	SealedSecret []byte
	// Secret is the clear shared secret, filled in only by
	// RadiusClientsWithSecrets.
	Secret string
}

// RadiusClientTx stores RADIUS clients.
type RadiusClientTx interface {
	// InsertRadiusClient returns ErrConflict when the name or the prefix is
	// taken.
	InsertRadiusClient(ctx context.Context, c RadiusClient) error
	// ListRadiusClients returns every client, by name.
	ListRadiusClients(ctx context.Context) ([]RadiusClient, error)
	// DeleteRadiusClient deletes the client named name (or whose id is
	// name) and returns it; ErrNotFound when there is none.
	DeleteRadiusClient(ctx context.Context, name string) (RadiusClient, error)
}

// RadiusRequestTx remembers the RADIUS requests being answered and their
// replies, for retransmissions that reach any instance. key names a
// request; replies are stored sealed.
type RadiusRequestTx interface {
	// ClaimRadiusRequest marks key as being answered until expires and
	// returns true, when it is unknown or its record expired by now;
	// otherwise it returns the reply recorded (nil while the first copy is
	// being answered).
	ClaimRadiusRequest(ctx context.Context, key []byte, now, expires time.Time) (bool, []byte, error)
	// FinishRadiusRequest records the reply to key; a nil reply forgets
	// key, so a retransmission is answered afresh.
	FinishRadiusRequest(ctx context.Context, key, reply []byte) error
	// DeleteRadiusRequestsBefore deletes the records that expired before.
	DeleteRadiusRequestsBefore(ctx context.Context, before time.Time) (int64, error)
}

// ClaimRequest claims the RADIUS request key for ttl (see
// RadiusRequestTx.ClaimRadiusRequest): fresh when this instance is to
// answer it, or else the sealed reply already given (nil while another
// copy is being answered).
func (s *Radius) ClaimRequest(ctx context.Context, key []byte, ttl time.Duration) (fresh bool, sealedReply []byte, err error) {
	err = s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		fresh, sealedReply, err = tx.ClaimRadiusRequest(ctx, key, now, now.Add(ttl))
		return err
	})
	return fresh, sealedReply, err
}

// FinishRequest records the sealed reply to a claimed request; nil
// releases the claim (no reply was sent: a retransmission is answered
// afresh).
func (s *Radius) FinishRequest(ctx context.Context, key, sealedReply []byte) error {
	return s.run(ctx, func(tx Tx) error { return tx.FinishRadiusRequest(ctx, key, sealedReply) })
}

// RadiusSecretContext is the sealing context of a RADIUS client's secret.
func RadiusSecretContext(id string) string { return "radius-client:" + id }

// ParseRadiusAddress reads a RADIUS client's address: one IP address or a
// CIDR prefix, returned masked. Refusal: RInvalidInput.
func ParseRadiusAddress(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, Errorf(EInvalid, RInvalidInput, "address: %q is not an IP address or a CIDR prefix (e.g. 192.0.2.10 or 10.0.0.0/24).", s)
}

// Radius manages the RADIUS clients (the NASes allowed to ask). The
// sign-in itself goes through Signin.
type Radius struct{ *core }

// NewRadius returns the RADIUS client service; c needs a Sealer.
func NewRadius(c Config) *Radius {
	s := &Radius{newCore(c)}
	s.require("Radius", c.Sealer != nil)
	return s
}

// AddRadiusClient registers a RADIUS client: a unique name, the address or
// prefix it sends from, and its shared secret (16 to 128 printable
// characters), sealed under the master key. Refusals: RInvalidInput (with
// the field), EConflict when the name or the address is taken.
func (s *Radius) AddRadiusClient(ctx context.Context, name, address, sharedSecret string) (RadiusClient, error) {
	name, prefix, err := CheckRadiusClient(name, address, sharedSecret)
	if err != nil {
		return RadiusClient{}, err
	}
	c := RadiusClient{ID: s.newID("rad"), Name: name, Prefix: prefix, Created: s.clock.Now()}
	c.SealedSecret = s.sealer.Seal([]byte(sharedSecret), RadiusSecretContext(c.ID))
	err = s.run(ctx, func(tx Tx) error {
		err := tx.InsertRadiusClient(ctx, c)
		if errors.Is(err, ErrConflict) {
			return rollback(Errorf(EConflict, RInvalidInput, "name: A RADIUS client named %q or with the address %s already exists.", name, prefix))
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvRadiusClientAdd, Target: radiusParty(c), Outcome: OutcomeSuccess,
			Message: "RADIUS client added", Details: map[string]string{"address": prefix.String()}})
	})
	if err != nil {
		return RadiusClient{}, err
	}
	return c, nil
}

// RemoveRadiusClient removes the RADIUS client named name (or with that
// id); its requests are dropped from then on. Refusal: ENotFound.
func (s *Radius) RemoveRadiusClient(ctx context.Context, name string) error {
	return s.run(ctx, func(tx Tx) error {
		c, err := tx.DeleteRadiusClient(ctx, strings.TrimSpace(name))
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENotFound, RInvalidInput, "name: There is no RADIUS client %q.", name)
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvRadiusClientRemove, Target: radiusParty(c), Outcome: OutcomeSuccess,
			Message: "RADIUS client removed", Details: map[string]string{"address": c.Prefix.String()}})
	})
}

// RadiusClients lists the RADIUS clients by name, secrets sealed.
func (s *Radius) RadiusClients(ctx context.Context) ([]RadiusClient, error) {
	return load(ctx, s.core, func(tx Tx) ([]RadiusClient, error) { return tx.ListRadiusClients(ctx) })
}

// RadiusClientsWithSecrets lists the RADIUS clients with their secrets
// opened with o, for the RADIUS server. A secret that does not open (a
// different master key) is an internal error: the server must not run
// with a client it cannot check.
func (s *Radius) RadiusClientsWithSecrets(ctx context.Context, o Opener) ([]RadiusClient, error) {
	cs, err := s.RadiusClients(ctx)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		b, err := o.Open(cs[i].SealedSecret, RadiusSecretContext(cs[i].ID))
		if err != nil {
			return nil, Internal("open the secret of RADIUS client "+cs[i].Name, err)
		}
		cs[i].Secret = string(b)
	}
	return cs, nil
}

func radiusParty(c RadiusClient) Party {
	return Party{ID: c.ID, Type: "RadiusClient", AlternateID: c.Name, DisplayName: c.Name}
}

// TxnRefuseNoFactor ends a transaction at MFA_ENROLL that a client which
// cannot enroll a factor (RADIUS) started, and records why in the system
// log. Refusals: as txnStep (RInvalidToken, RWrongState).
func (s *Signin) TxnRefuseNoFactor(ctx context.Context, stateToken, via string) error {
	_, err := s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnroll}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		t.Status = TxnCancelled
		return s.record(ctx, tx, Event{Type: EvRadiusNoFactor, Target: userParty(u), Outcome: OutcomeDeny, Reason: "no SMS factor",
			Message: "Sign-in through " + via + " refused: the user must set up Text Message Code first"})
	})
	return err
}

// CheckRadiusClient checks a RADIUS client's name, address and shared
// secret (16 to 128 printable characters) and returns the trimmed name and
// the address as a prefix. Refusal: RInvalidInput naming the field.
func CheckRadiusClient(name, address, sharedSecret string) (string, netip.Prefix, error) {
	name, err := FieldRadiusClientName.Check(strings.TrimSpace(name))
	if err != nil {
		return "", netip.Prefix{}, err
	}
	if name == "" {
		return "", netip.Prefix{}, Errorf(EInvalid, RInvalidInput, "name: A RADIUS client needs a name of 1 to %d characters.", FieldRadiusClientName.Max)
	}
	prefix, err := ParseRadiusAddress(address)
	if err != nil {
		return "", netip.Prefix{}, err
	}
	if n := utf8.RuneCountInString(sharedSecret); n < RadiusSecretMin || n > RadiusSecretMax || len(sharedSecret) > RadiusSecretMax || !printable(sharedSecret, true) {
		return "", netip.Prefix{}, Errorf(EInvalid, RInvalidInput, "secret: The shared secret must be %d to %d printable characters (RFC 2865 asks for at least 16).", RadiusSecretMin, RadiusSecretMax)
	}
	return name, prefix, nil
}
