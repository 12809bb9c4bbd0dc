// Package secret holds the server's master key and what is derived from it:
// the key that MACs one-time codes and the AEAD that encrypts message bodies
// and provider credentials at rest. The master key lives outside the
// database (a file or an environment variable), so a copy of the database
// alone reveals no code and no credential.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size of the master key in bytes.
const KeySize = 32

// Keys are the working keys derived from the master key.
type Keys struct {
	// CodeMAC keys the HMAC of one-time codes.
	CodeMAC []byte
	// ID is the key id: a short fingerprint of the master key (not a
	// secret: it reveals nothing of the key), for logs and the rotation.
	ID string
	// Previous, when set, are the keys of the previous master key during a
	// rotation: Open tries them after this key; Seal never uses them.
	Previous *Keys
	aead     cipher.AEAD
}

// Derive returns the working keys of a master key.
func Derive(master []byte) (*Keys, error) {
	if len(master) < KeySize {
		return nil, fmt.Errorf("secret: master key must be at least %d bytes, got %d", KeySize, len(master))
	}
	mac, err := hkdf.Key(sha256.New, master, nil, "smsmfa code mac v1", 32)
	if err != nil {
		return nil, err
	}
	enc, err := hkdf.Key(sha256.New, master, nil, "smsmfa at-rest encryption v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id, err := hkdf.Key(sha256.New, master, nil, "smsmfa key id v1", 4)
	if err != nil {
		return nil, err
	}
	return &Keys{CodeMAC: mac, ID: hex.EncodeToString(id), aead: aead}, nil
}

// WithPrevious returns the keys of k that also open what prev sealed: the
// keys of an instance during a rotation from prev to k. A nil prev, or
// one with the same id, gives k alone.
func (k *Keys) WithPrevious(prev *Keys) *Keys {
	if prev == nil || prev.ID == k.ID {
		return k
	}
	c := *k
	c.Previous = &Keys{CodeMAC: prev.CodeMAC, ID: prev.ID, aead: prev.aead}
	return &c
}

// Current returns k without its previous key: what opens only the values
// sealed under the current master key.
func (k *Keys) Current() *Keys {
	if k.Previous == nil {
		return k
	}
	c := *k
	c.Previous = nil
	return &c
}

// CodeMACs returns the code MAC keys a one-time code may have been made
// under: the current key's, then the previous key's.
func (k *Keys) CodeMACs() [][]byte {
	if k.Previous == nil {
		return [][]byte{k.CodeMAC}
	}
	return [][]byte{k.CodeMAC, k.Previous.CodeMAC}
}

// Seal encrypts plaintext, bound to context (e.g. the row id) so a sealed
// value cannot be moved to another row.
func (k *Keys) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

// ErrOpen means a sealed value was not made with this key and context.
var ErrOpen = errors.New("secret: cannot decrypt (wrong key or tampered data)")

// Open decrypts a value made by Seal with the same context, under the
// current master key or else the previous one.
func (k *Keys) Open(sealed []byte, context string) ([]byte, error) {
	out, _, err := k.OpenID(sealed, context)
	return out, err
}

// OpenID is Open that also says which key opened the value (its ID). The
// sealed format holds no key id (values sealed before rotation existed
// must keep opening, and older instances must read new values): the key
// that opens it is the one that sealed it, as AES-GCM authenticates.
func (k *Keys) OpenID(sealed []byte, context string) ([]byte, string, error) {
	out, err := k.open(sealed, context)
	if err == nil {
		return out, k.ID, nil
	}
	if k.Previous != nil {
		if out, err := k.Previous.open(sealed, context); err == nil {
			return out, k.Previous.ID, nil
		}
	}
	return nil, "", err
}

func (k *Keys) open(sealed []byte, context string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// ParseKey reads a master key written as base64 (standard or URL alphabet,
// padded or not) or as 64 hex digits.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("secret: the master key must be %d random bytes in base64 (e.g. from `openssl rand -base64 32`)", KeySize)
}

// LoadOrCreateFile reads the master key from path. When the file does not
// exist and create is true, it writes a new random key there (mode 0600).
func LoadOrCreateFile(path string, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return ParseKey(string(b))
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return nil, fmt.Errorf("secret: read master key: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process made it first
		return LoadOrCreateFile(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: create master key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, fmt.Errorf("secret: write master key: %w", err)
	}
	return key, nil
}

// HashToken returns SHA-256 of a high-entropy token (session id, state
// token, API token): enough to make a database leak useless, cheap to look up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
