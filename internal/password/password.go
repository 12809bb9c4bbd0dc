// Package password hashes passwords with argon2id (RFC 9106) into PHC
// strings and checks them in constant time. A semaphore bounds how many
// hashes run at once, since each takes tens of MiB of memory, and a bounded
// queue how many wait: past it a check is refused at once (ErrBusy) rather
// than queued without end.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// RFC9106 is the second recommended option of RFC 9106 §4: 64 MiB, 3 passes,
// 4 lanes. (The first option needs 2 GiB per hash.)
var RFC9106 = Params{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}

// Fast are tiny parameters for tests only.
var Fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Hasher hashes and verifies passwords.
type Hasher struct {
	p     Params
	sem   chan struct{} // hashes running
	queue chan struct{} // hashes running or waiting
	dummy string
}

// NewHasher returns a Hasher with params, running at most GOMAXPROCS hashes
// at a time with up to three times as many waiting.
func NewHasher(p Params) *Hasher { return NewHasherQueue(p, 4*runtime.GOMAXPROCS(0)) }

// NewHasherQueue returns a Hasher with params, running at most GOMAXPROCS
// hashes at a time and refusing (ErrBusy) a hash when queue are already
// running or waiting.
func NewHasherQueue(p Params, queue int) *Hasher {
	running := runtime.GOMAXPROCS(0)
	h := &Hasher{p: p, sem: make(chan struct{}, running), queue: make(chan struct{}, max(queue, running))}
	h.dummy = h.dummyHash()
	return h
}

// dummyHash returns a PHC string with the Hasher's parameters, a random
// salt and a random key: checking a password against it costs exactly one
// hash and never matches (a 2^-256 chance). It is made without hashing, so
// starting a server does not take a hash's memory (64 MiB in production).
func (h *Hasher) dummyHash() string {
	salt, key := make([]byte, h.p.SaltLen), make([]byte, h.p.KeyLen)
	rand.Read(salt)
	rand.Read(key)
	return h.phc(salt, key)
}

// ErrMalformed means a stored hash is not a PHC argon2id string.
var ErrMalformed = errors.New("password: malformed hash")

// ErrBusy means so many hashes are running and waiting that another would
// only wait too: try again in a moment.
var ErrBusy = errors.New("password: too many password checks at once")

// Hash returns the PHC string of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	return h.hash(ctx, pw)
}

func (h *Hasher) hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := h.derive(ctx, pw, salt, h.p)
	if err != nil {
		return "", err
	}
	return h.phc(salt, key), nil
}

// phc is the PHC string of a key derived with the Hasher's parameters.
func (h *Hasher) phc(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func (h *Hasher) derive(ctx context.Context, pw string, salt []byte, p Params) ([]byte, error) {
	select {
	case h.queue <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-h.queue }()
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// Verify reports whether pw matches the PHC string hash. When hash is empty
// (unknown user, no password) it still spends the time of one hash and
// returns false, so callers cannot be timed to tell users apart. rehash is
// true when the hash was made with other parameters than the Hasher's.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (ok, rehash bool, err error) {
	if hash == "" {
		hash = h.dummy
		defer func() { ok, rehash = false, false }()
	}
	p, salt, key, err := parse(hash)
	if err != nil {
		return false, false, err
	}
	got, err := h.derive(ctx, pw, salt, p)
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != h.p, nil
}

func parse(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return Params{}, nil, nil, ErrMalformed
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return Params{}, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// CheckPolicy returns a user-safe reason when pw is too weak, or "".
func CheckPolicy(pw, login string) string {
	switch {
	case len([]rune(pw)) < 8:
		return "Passwords must be at least 8 characters long."
	case len(pw) > 256:
		return "Passwords must be at most 256 characters long."
	case login != "" && strings.EqualFold(pw, login):
		return "The password must not be the same as the username."
	}
	return ""
}
