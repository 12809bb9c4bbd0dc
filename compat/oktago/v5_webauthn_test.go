package oktago

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// softKey is a minimal software authenticator (ECDSA P-256, "none"
// attestation, user present and verified): smsmfa's own
// (internal/passkeytest) cannot be imported from this module.
type softKey struct {
	key   *ecdsa.PrivateKey
	id    []byte
	count uint32
}

func newSoftKey(t *testing.T) *softKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &softKey{key: k, id: id}
}

// Just enough CBOR for a COSE key and an attestation object.
func cborHead(major byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 256:
		return []byte{major<<5 | 24, byte(n)}
	}
	return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
}
func cborInt(v int) []byte {
	if v < 0 {
		return cborHead(1, -1-v)
	}
	return cborHead(0, v)
}
func cborBytes(b []byte) []byte { return append(cborHead(2, len(b)), b...) }
func cborText(s string) []byte  { return append(cborHead(3, len(s)), s...) }

func clientData(typ string, challenge []byte, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": base64.RawURLEncoding.EncodeToString(challenge), "origin": origin})
	return b
}

func (k *softKey) authData(rpID string, flags byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	return binary.BigEndian.AppendUint32(append(h[:], flags), k.count)
}

func (k *softKey) create(rpID, origin string, challenge []byte) (cd, att []byte) {
	pub, _ := k.key.PublicKey.Bytes()
	cose := append(cborHead(5, 5), cborInt(1)...)
	cose = append(cose, cborInt(2)...)
	cose = append(append(cose, cborInt(3)...), cborInt(-7)...)
	cose = append(append(cose, cborInt(-1)...), cborInt(1)...)
	cose = append(append(cose, cborInt(-2)...), cborBytes(pub[1:33])...)
	cose = append(append(cose, cborInt(-3)...), cborBytes(pub[33:65])...)
	ad := k.authData(rpID, 0x01|0x04|0x40)
	ad = append(ad, make([]byte, 16)...) // AAGUID
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(k.id)))
	ad = append(append(ad, k.id...), cose...)
	att = append(cborHead(5, 3), cborText("fmt")...)
	att = append(att, cborText("none")...)
	att = append(append(att, cborText("attStmt")...), cborHead(5, 0)...)
	att = append(append(att, cborText("authData")...), cborBytes(ad)...)
	return clientData("webauthn.create", challenge, origin), att
}

func (k *softKey) get(rpID, origin string, challenge []byte) (cd, ad, sig []byte) {
	k.count++
	cd = clientData("webauthn.get", challenge, origin)
	ad = k.authData(rpID, 0x01|0x04)
	ch := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), ch[:]...))
	sig, _ = ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	return cd, ad, sig
}

func challengeIn(t *testing.T, what string, m map[string]interface{}) []byte {
	t.Helper()
	s, _ := m["challenge"].(string)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 16 {
		t.Fatalf("%s: challenge %q (%v) in %v", what, s, err, m)
	}
	return b
}

// TestV5WebAuthnFactorLifecycle: the webauthn factor (provider FIDO)
// through okta-sdk-golang v5: EnrollFactor → PENDING_ACTIVATION with
// _embedded.activation, ActivateFactor with attestation and clientData →
// ACTIVE with profile.credentialId, VerifyFactor challenge then answer →
// SUCCESS, the same answer again → 403 E0000068, ListFactors and
// UnenrollFactor.
func TestV5WebAuthnFactorLifecycle(t *testing.T) {
	s := sharedServer(t, "webauthn", append([]string{"webauthn_enabled=true"}, roomy...)...)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	u, _ := url.Parse(s.url)
	rpID, origin := u.Hostname(), s.url

	body := okta.NewUserFactorWebAuthn()
	body.FactorType = "webauthn"
	body.SetProvider("FIDO")
	res, resp, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(okta.UserFactorWebAuthnAsListFactors200ResponseInner(body)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(webauthn): %v %s", err, errBody(err))
	}
	f := res.UserFactorWebAuthn
	if resp.StatusCode != http.StatusOK || f == nil || f.GetStatus() != "PENDING_ACTIVATION" || f.GetProvider() != "FIDO" {
		t.Fatalf("EnrollFactor(webauthn): HTTP %d %+v", resp.StatusCode, res)
	}
	fid := f.GetId()
	act := f.Embedded["activation"]
	key := newSoftKey(t)
	cd, att := key.create(rpID, origin, challengeIn(t, "activation", act))

	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{
		"attestation": base64.StdEncoding.EncodeToString(att), "clientData": base64.StdEncoding.EncodeToString(cd)}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor(webauthn): %v %s", err, errBody(err))
	}
	if a := res.UserFactorWebAuthn; a == nil || a.GetStatus() != "ACTIVE" || a.Profile == nil || a.Profile.GetCredentialId() != base64.RawURLEncoding.EncodeToString(key.id) {
		t.Fatalf("ActivateFactor(webauthn): %+v", res)
	}
	list, _, err := c.UserFactorAPI.ListFactors(ctx, uid).Execute()
	if err != nil || len(list) != 1 || list[0].UserFactorWebAuthn == nil || list[0].UserFactorWebAuthn.GetId() != fid {
		t.Fatalf("ListFactors: %v %+v", err, list)
	}

	vr, _, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Execute()
	if err != nil || vr.GetFactorResult() != "CHALLENGE" {
		t.Fatalf("VerifyFactor(challenge): %v %s %+v", err, errBody(err), vr)
	}
	cd, ad, sig := key.get(rpID, origin, challengeIn(t, "challenge", vr.Embedded["challenge"]))
	answer := map[string]interface{}{"clientData": base64.StdEncoding.EncodeToString(cd),
		"authenticatorData": base64.StdEncoding.EncodeToString(ad), "signatureData": base64.StdEncoding.EncodeToString(sig)}
	vr, _, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(answer).Execute()
	if err != nil || vr.GetFactorResult() != "SUCCESS" {
		t.Fatalf("VerifyFactor(answer): %v %s %+v", err, errBody(err), vr)
	}
	_, resp, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(answer).Execute()
	checkV5Error(t, "VerifyFactor(the same answer again)", err, resp, http.StatusForbidden, "E0000068", -1)

	if resp, err := c.UserFactorAPI.UnenrollFactor(ctx, uid, fid).Execute(); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("UnenrollFactor: %v", err)
	}
}
