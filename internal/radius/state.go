package radius

import (
	"bytes"
	"crypto/sha256"
	"strings"

	"smsmfa/internal/mfa"
)

// Sealer seals and opens values under the master key (secret.Keys).
type Sealer interface {
	Seal(plaintext []byte, context string) []byte
	Open(sealed []byte, context string) ([]byte, error)
}

const stateContext = "radius-state v1"

// loginTag binds a State to a login without carrying it.
func loginTag(login string) []byte {
	h := sha256.Sum256([]byte(mfa.NormalizeLogin(login)))
	return h[:16]
}

// sealState makes the State attribute of a challenge: the sign-in
// transaction's state token, the client it was given to and the login,
// sealed under the master key. It is opaque and unguessable, and any
// instance of a cluster can open it; the transaction itself lives in the
// database. It stays under the attribute's 253 bytes.
func sealState(s Sealer, clientID, login, stateToken string) []byte {
	var b bytes.Buffer
	b.WriteString(clientID)
	b.WriteByte(0)
	b.Write(loginTag(login))
	b.WriteString(stateToken)
	return s.Seal(b.Bytes(), stateContext)
}

// openState returns the state token of a State attribute given to
// clientID for login, or false.
func openState(s Sealer, state []byte, clientID, login string) (string, bool) {
	b, err := s.Open(state, stateContext)
	if err != nil {
		return "", false
	}
	id, rest, ok := strings.Cut(string(b), "\x00")
	if !ok || id != clientID || len(rest) < 16 || !bytes.Equal([]byte(rest[:16]), loginTag(login)) {
		return "", false
	}
	return rest[16:], true
}
