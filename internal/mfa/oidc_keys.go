package mfa

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"strconv"
	"sync"
	"time"
)

// Signing key rotation.
const (
	// KeyRotateAfter is the age at which the signing key is replaced by a
	// new one, automatically, at the next token signed.
	KeyRotateAfter = 30 * 24 * time.Hour
	// KeyPublishedAfterRetire is how long a retired key stays in the JWKS:
	// longer than any token it signed lives, and than a relying party
	// caches the key set.
	KeyPublishedAfterRetire = 24 * time.Hour
)

const keySealContext = "oidc signing key"

// keyCache holds opened private keys by id; a key never changes once
// made, so every instance may keep its own copy.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

func (c *keyCache) get(id string) *rsa.PrivateKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys[id]
}

func (c *keyCache) put(id string, k *rsa.PrivateKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = map[string]*rsa.PrivateKey{}
	}
	c.keys[id] = k
}

// open opens a stored key.
func (s *OIDC) open(k StoredKey) (SigningKey, error) {
	out := SigningKey{ID: k.ID, Created: k.Created, Retired: k.Retired}
	if out.Key = s.keys.get(k.ID); out.Key != nil {
		return out, nil
	}
	if s.opener == nil {
		return SigningKey{}, Internal("signing key", errNoOpener)
	}
	der, err := s.opener.Open(k.PrivateKey, keySealContext)
	if err != nil {
		return SigningKey{}, Internal("open signing key "+k.ID, err)
	}
	pk, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return SigningKey{}, Internal("parse signing key "+k.ID, err)
	}
	rk, ok := pk.(*rsa.PrivateKey)
	if !ok {
		return SigningKey{}, Internal("signing key "+k.ID, errNotRSA)
	}
	s.keys.put(k.ID, rk)
	out.Key = rk
	return out, nil
}

// SigningKeys returns the key that signs now and the keys published in
// the JWKS (it and the keys retired less than KeyPublishedAfterRetire
// ago). With no key yet, or one older than KeyRotateAfter, a new key is
// made first (one instance of a cluster does it; the others use it).
func (s *OIDC) SigningKeys(ctx context.Context) (SigningKey, []SigningKey, error) {
	stored, err := load(ctx, s.core, func(tx Tx) ([]StoredKey, error) { return tx.ListSigningKeys(ctx) })
	if err != nil {
		return SigningKey{}, nil, err
	}
	now := s.clock.Now()
	if len(stored) == 0 || !stored[0].Retired.IsZero() || now.Sub(stored[0].Created) >= KeyRotateAfter {
		if _, err := s.rotate(ctx, false); err != nil {
			return SigningKey{}, nil, err
		}
		if stored, err = load(ctx, s.core, func(tx Tx) ([]StoredKey, error) { return tx.ListSigningKeys(ctx) }); err != nil {
			return SigningKey{}, nil, err
		}
	}
	var cur SigningKey
	var pub []SigningKey
	for i, k := range stored {
		if !k.Retired.IsZero() && now.Sub(k.Retired) >= KeyPublishedAfterRetire {
			continue
		}
		sk, err := s.open(k)
		if err != nil {
			return SigningKey{}, nil, err
		}
		if i == 0 {
			cur = sk
		}
		pub = append(pub, sk)
	}
	return cur, pub, nil
}

// RotateSigningKey makes a new signing key at once; the previous one is
// retired and stays published for KeyPublishedAfterRetire.
func (s *OIDC) RotateSigningKey(ctx context.Context) (SigningKey, error) { return s.rotate(ctx, true) }

// rotate makes a new key under a lock held across the cluster. Unless
// force is set it does nothing when a live key younger than
// KeyRotateAfter exists (another instance made it meanwhile).
func (s *OIDC) rotate(ctx context.Context, force bool) (SigningKey, error) {
	if s.sealer == nil || s.opener == nil {
		return SigningKey{}, Internal("signing key", errNoOpener)
	}
	// The key is made before the unit of work: no slow work while it is open.
	pk, err := rsa.GenerateKey(s.rand, 2048)
	if err != nil {
		return SigningKey{}, Internal("generate signing key", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		return SigningKey{}, Internal("marshal signing key", err)
	}
	var out SigningKey
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, "smsmfa oidc keys"); err != nil {
			return err
		}
		now := s.clock.Now()
		if !force {
			ks, err := tx.ListSigningKeys(ctx)
			if err != nil {
				return err
			}
			if len(ks) > 0 && ks[0].Retired.IsZero() && now.Sub(ks[0].Created) < KeyRotateAfter {
				out, err = s.open(ks[0])
				return err
			}
		}
		k := StoredKey{ID: s.newID("key"), PrivateKey: s.sealer.Seal(der, keySealContext), Created: now}
		if err := tx.InsertSigningKey(ctx, k); err != nil {
			return err
		}
		if err := tx.RetireSigningKeys(ctx, k.ID, now); err != nil {
			return err
		}
		s.keys.put(k.ID, pk)
		out = SigningKey{ID: k.ID, Key: pk, Created: now}
		why := "automatic"
		if force {
			why = "requested"
		}
		return s.record(ctx, tx, Event{Type: EvOAuthKeyRotate, Target: Party{ID: k.ID, Type: "JsonWebKey"}, Outcome: OutcomeSuccess,
			Message: "Signing key rolled over (" + why + "); the previous key stays published for " + HumanDuration(KeyPublishedAfterRetire)})
	})
	return out, err
}

type keyError string

func (e keyError) Error() string { return string(e) }

const (
	errNoOpener keyError = "no key opener configured"
	errNotRSA   keyError = "not an RSA key"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
