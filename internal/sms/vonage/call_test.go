package vonage_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/vonage"
)

const testApp = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"

// voiceEmulator is the Voice API's POST /v1/calls: it checks the bearer
// JWT (RS256 with the application's public key, its application_id and
// times) and records each call it accepts.
type voiceEmulator struct {
	t     *testing.T
	pub   *rsa.PublicKey
	calls adaptertest.Recorder[map[string]any]
}

func (e *voiceEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/calls" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if !e.authorized(r.Header.Get("Authorization")) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"type":"https://developer.nexmo.com/api-errors#unauthorized","title":"Unauthorized","detail":"Invalid token"}`)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"title":"Bad Request","detail":"Invalid JSON"}`)
		return
	}
	e.calls.Record(body)
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, `{"uuid":"63f61863-4a51-4f6b-86e1-46edebcf9356","status":"started","direction":"outbound","conversation_uuid":"CON-1"}`)
}

func (e *voiceEmulator) authorized(h string) bool {
	tok, ok := strings.CutPrefix(h, "Bearer ")
	parts := strings.Split(tok, ".")
	if !ok || len(parts) != 3 {
		return false
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(e.pub, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	var head struct{ Alg string }
	var claims struct {
		ApplicationID string `json:"application_id"`
		Iat, Exp      int64
		Jti           string
	}
	hb, _ := enc.DecodeString(parts[0])
	cb, _ := enc.DecodeString(parts[1])
	if json.Unmarshal(hb, &head) != nil || json.Unmarshal(cb, &claims) != nil {
		return false
	}
	now := adaptertest.Now.Unix()
	return head.Alg == "RS256" && claims.ApplicationID == testApp && claims.Jti != "" && claims.Iat <= now && claims.Exp > now
}

func testKeyPEM(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestCall(t *testing.T) {
	key, keyPEM := testKeyPEM(t)
	emu := &voiceEmulator{t: t, pub: &key.PublicKey}
	base := adaptertest.Serve(t, emu)
	msg := sms.Message{ID: "msg_v", To: "+442079460958", Code: "123456", Channel: sms.ChannelVoice, Extension: "42", Expires: adaptertest.Now.Add(5 * time.Minute),
		Body:   "Your code is: 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6.",
		Speech: sms.Speech{Language: "en-US", Parts: []string{"Your code is:", "1, 2, 3, 4, 5, 6.", "Again:", "1, 2, 3, 4, 5, 6."}}}

	if p := newProvider(t, base, nil); p.CanCall() {
		t.Fatal("an account without an application says it places calls")
	}
	p := newProvider(t, base, func(c *vonage.Config) {
		c.ApplicationID, c.PrivateKey, c.VoiceFrom = testApp, strings.ReplaceAll(keyPEM, "\n", `\n`), "+447700900000"
	})
	if !p.CanCall() {
		t.Fatal("CanCall is false with an application, its key and a number")
	}
	id, err := p.Call(t.Context(), msg)
	if err != nil || id != "63f61863-4a51-4f6b-86e1-46edebcf9356" {
		t.Fatalf("%q %v", id, err)
	}
	want := map[string]any{
		"to":   []any{map[string]any{"type": "phone", "number": "442079460958", "dtmfAnswer": "42"}},
		"from": map[string]any{"type": "phone", "number": "447700900000"},
		"ncco": []any{map[string]any{"action": "talk", "language": "en-US",
			"text": `<speak>Your code is:<break time="1s"/>1, 2, 3, 4, 5, 6.<break time="1s"/>Again:<break time="1s"/>1, 2, 3, 4, 5, 6.</speak>`}},
	}
	if diff := cmp.Diff(want, emu.calls.Last(t)); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}

	// A key that is not the application's: refused, as configuration.
	_, otherPEM := testKeyPEM(t)
	bad := newProvider(t, base, func(c *vonage.Config) {
		c.ApplicationID, c.PrivateKey, c.VoiceFrom = testApp, otherPEM, "+447700900000"
	})
	if _, err := bad.Call(t.Context(), msg); sms.ReasonOf(err) != sms.BadCredentials || strings.Contains(err.Error(), "1, 2, 3") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestBadPrivateKey(t *testing.T) {
	if _, err := vonage.New(vonage.Config{APIKey: testKey, APISecret: testSecret, PrivateKey: "not a key"}); err == nil {
		t.Fatal("a private key that is not PEM was accepted")
	}
}
