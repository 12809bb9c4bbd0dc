// Package passkeytest is a software WebAuthn authenticator for tests: an
// ECDSA P-256 key per credential, "none" attestation, authenticator data
// with the user present and user verified flags, and a sign counter. It
// answers the options the server gives as a browser would, so tests drive
// the real ceremonies end to end.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"

	"github.com/fxamacker/cbor/v2"
)

// Flags of the authenticator data.
const (
	FlagUP = 0x01 // user present
	FlagUV = 0x04 // user verified
	FlagAT = 0x40 // attested credential data included
)

// Authenticator holds one credential.
type Authenticator struct {
	Key    *ecdsa.PrivateKey
	ID     []byte // credential id
	Count  uint32 // signature counter, incremented by each Get
	AAGUID [16]byte
	// NoUV leaves the user verified flag out (an authenticator that did
	// not verify the user).
	NoUV bool
}

// New returns an authenticator with a fresh key and credential id.
func New() *Authenticator {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		panic(err)
	}
	a := &Authenticator{Key: k, ID: id}
	copy(a.AAGUID[:], "smsmfa-softkey01")
	return a
}

func (a *Authenticator) flags() byte {
	f := byte(FlagUP)
	if !a.NoUV {
		f |= FlagUV
	}
	return f
}

// ClientData returns a clientDataJSON of typ ("webauthn.create" or
// "webauthn.get") for challenge from origin.
func ClientData(typ string, challenge []byte, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": base64.RawURLEncoding.EncodeToString(challenge), "origin": origin, "crossOrigin": false})
	return b
}

func (a *Authenticator) cosePublicKey() []byte {
	x, y := make([]byte, 32), make([]byte, 32)
	pub, err := a.Key.PublicKey.Bytes() // uncompressed: 0x04 | X | Y
	if err != nil {
		panic(err)
	}
	copy(x, pub[1:33])
	copy(y, pub[33:65])
	b, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		panic(err)
	}
	return b
}

// Create answers a registration for rpID with challenge from origin: it
// returns the clientDataJSON and the attestationObject ("none").
func (a *Authenticator) Create(rpID, origin string, challenge []byte) (clientData, attestationObject []byte) {
	clientData = ClientData("webauthn.create", challenge, origin)
	h := sha256.Sum256([]byte(rpID))
	ad := append([]byte{}, h[:]...)
	ad = append(ad, a.flags()|FlagAT)
	ad = binary.BigEndian.AppendUint32(ad, a.Count)
	ad = append(ad, a.AAGUID[:]...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(a.ID)))
	ad = append(ad, a.ID...)
	ad = append(ad, a.cosePublicKey()...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		panic(err)
	}
	return clientData, att
}

// Get answers a sign-in for rpID with challenge from origin: it returns
// the clientDataJSON, the authenticator data and the signature. The
// counter goes up by one first.
func (a *Authenticator) Get(rpID, origin string, challenge []byte) (clientData, authData, signature []byte) {
	a.Count++
	return a.Sign(rpID, ClientData("webauthn.get", challenge, origin))
}

// Sign signs clientData for rpID at the current counter.
func (a *Authenticator) Sign(rpID string, clientData []byte) (cd, authData, signature []byte) {
	h := sha256.Sum256([]byte(rpID))
	authData = append([]byte{}, h[:]...)
	authData = append(authData, a.flags())
	authData = binary.BigEndian.AppendUint32(authData, a.Count)
	ch := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, authData...), ch[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.Key, digest[:])
	if err != nil {
		panic(err)
	}
	return clientData, authData, sig
}
