// Package keyrotate re-seals the values sealed at rest under the master key
// (provider credentials, queued message bodies, RADIUS client secrets and
// cached replies, OpenID Connect signing keys) from the previous master key
// to the current one: the work of `smsmfa key rotate`
// (docs/key-rotation.md).
package keyrotate

import (
	"context"
	"errors"
	"fmt"

	"smsmfa/internal/mfa"
	"smsmfa/internal/radius"
	"smsmfa/internal/secret"
	"smsmfa/internal/store"
)

// Store reads and replaces sealed values (*store.DB).
type Store interface {
	SealedBatch(ctx context.Context, c store.SealedColumn, after any, n int) ([]store.SealedRow, error)
	Reseal(ctx context.Context, c store.SealedColumn, vs []store.Resealed) (int, error)
}

// sealContexts returns the contexts a sealed value of column c in the row
// with key may be bound to.
func sealContexts(c store.SealedColumn, key any) []string {
	id, _ := key.(string)
	switch c.Table {
	case "providers":
		return []string{mfa.ProviderContext(id)}
	case "messages":
		return mfa.MessageContexts(id)
	case "radius_clients":
		return []string{mfa.RadiusSecretContext(id)}
	case "radius_requests":
		b, _ := key.([]byte)
		return []string{radius.ReplyContext(b)}
	case "oidc_keys":
		return []string{mfa.SigningKeyContext}
	case "key_material":
		return []string{materialContext(id)}
	case "factors":
		return []string{mfa.TOTPContext(id)}
	}
	panic("keyrotate: no seal context for " + c.Table) // store.SealedColumns grew: say how its values are bound
}

// Run re-seals, under the current master key, every value sealed at
// rest that opens under the previous one, batch values per transaction.
// Each value is replaced only if unchanged since read, and one already
// under the current key is left alone, so a run stopped midway (a crash)
// is finished by running it again, and a second run changes nothing.
func Run(ctx context.Context, db Store, keys *secret.Keys, batch int) (mfa.KeyRotation, error) {
	r := mfa.KeyRotation{To: keys.ID, From: "none", Tables: map[string]mfa.ResealCount{}}
	if keys.Previous != nil {
		r.From = keys.Previous.ID
	}
	cur := keys.Current()
	for _, c := range store.SealedColumns {
		var n mfa.ResealCount
		var after any
		for {
			rows, err := db.SealedBatch(ctx, c, after, batch)
			if err != nil {
				r.Tables[c.Table] = n
				return r, err
			}
			var todo []store.Resealed
			for _, row := range rows {
				switch v, ok := reseal(cur, keys.Previous, sealContexts(c, row.Key), row.Value); {
				case v != nil:
					todo = append(todo, store.Resealed{Key: row.Key, Old: row.Value, New: v})
				case ok:
					n.Current++
				default:
					n.Unreadable++
				}
			}
			if len(todo) > 0 {
				done, err := db.Reseal(ctx, c, todo)
				if err != nil {
					r.Tables[c.Table] = n
					return r, err
				}
				// A value changed meanwhile was written under the current key.
				n.Resealed += done
				n.Current += len(todo) - done
			}
			if len(rows) < batch {
				break
			}
			after = rows[len(rows)-1].Key
		}
		r.Tables[c.Table] = n
	}
	return r, nil
}

// reseal returns sealed re-sealed under cur when it opens under prev (with
// one of contexts, kept), nil and true when it already opens under cur,
// nil and false when under neither.
func reseal(cur, prev *secret.Keys, contexts []string, sealed []byte) ([]byte, bool) {
	for _, ctx := range contexts {
		if _, err := cur.Open(sealed, ctx); err == nil {
			return nil, true
		}
	}
	if prev == nil {
		return nil, false
	}
	for _, ctx := range contexts {
		if b, err := prev.Open(sealed, ctx); err == nil {
			return cur.Seal(b, ctx), true
		}
	}
	return nil, false
}

func materialContext(name string) string { return "key material:" + name }

// Pinner stores key material once (*store.DB).
type Pinner interface {
	PinKeyMaterial(ctx context.Context, name string, sealed []byte) ([]byte, error)
}

// PhoneIDKey returns the key of the phone number ids in the system log
// (mfa.PhoneID). It is the code MAC key of the master key in use when it
// was first asked for (what the ids were made with before it was pinned),
// kept sealed in the database: rotating the master key re-seals it and
// does not change it, so a number keeps its id and its history in the log.
func PhoneIDKey(ctx context.Context, db Pinner, keys *secret.Keys) ([]byte, error) {
	return Pinned(ctx, db, keys, "phone id", keys.CodeMAC)
}

// ErrUnpinned means the pinned key material does not open under the
// master key(s) given: not the deployment's key.
var ErrUnpinned = errors.New("keyrotate: pinned key does not open")

// Pinned returns the key material name kept in the database, storing
// initial (sealed under the current master key) when there is none yet.
// It is what must not change when the master key does; the rotation
// re-seals it. When the stored value opens under neither the current nor
// the previous master key (a wrong key), it returns initial and an error
// wrapping ErrUnpinned: the caller may go on, as with any other sealed
// value it cannot open, and should say so.
func Pinned(ctx context.Context, db Pinner, keys *secret.Keys, name string, initial []byte) ([]byte, error) {
	sealed, err := db.PinKeyMaterial(ctx, name, keys.Seal(initial, materialContext(name)))
	if err != nil {
		return nil, err
	}
	k, err := keys.Open(sealed, materialContext(name))
	if err != nil {
		return initial, fmt.Errorf("the %s key in the database does not open under the master key %s (nor a previous key): is this the master key every instance uses? %w (%w)", name, keys.ID, ErrUnpinned, err)
	}
	return k, nil
}
