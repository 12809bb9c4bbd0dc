package vonage

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

var _ sms.Caller = (*Provider)(nil)

// parsePrivateKey reads an application's RSA private key: PEM, PKCS#8 or
// PKCS#1; a key pasted with literal "\n" for its line breaks is accepted.
func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	s = strings.ReplaceAll(s, `\n`, "\n")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("vonage: private_key is not a PEM private key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("vonage: private_key is not an RSA private key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("vonage: private_key is not an RSA private key")
	}
	return rk, nil
}

// CanCall reports whether the account places calls: application_id,
// private_key and voice_from are configured.
func (p *Provider) CanCall() bool { return p.appID != "" && p.key != nil && p.voiceFrom != "" }

// jwt is the Voice API's bearer token: RS256 over {application_id, iat,
// exp (5 minutes), jti}, signed with the application's private key.
func (p *Provider) jwt() (string, error) {
	now := p.now().Unix()
	claims, _ := json.Marshal(map[string]any{"application_id": p.appID, "iat": now, "exp": now + 300, "jti": rand.Text()})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// talkSSML is the speech as one NCCO talk text: SSML, each phrase, a
// one-second break between phrases.
func talkSSML(s sms.Speech) string {
	var b strings.Builder
	b.WriteString("<speak>")
	for i, part := range s.Parts {
		if i > 0 {
			b.WriteString(`<break time="1s"/>`)
		}
		_ = xml.EscapeText(&b, []byte(part))
	}
	b.WriteString("</speak>")
	return b.String()
}

// call is the Voice API's create-call body with an inline NCCO.
type call struct {
	To   []endpoint `json:"to"`
	From endpoint   `json:"from"`
	NCCO []talk     `json:"ncco"`
}

type endpoint struct {
	Type       string `json:"type"`
	Number     string `json:"number"`
	DTMFAnswer string `json:"dtmfAnswer,omitempty"`
}

type talk struct {
	Action   string `json:"action"`
	Text     string `json:"text"`
	Language string `json:"language,omitempty"`
}

// Call creates a call (POST /v1/calls) with an NCCO of one talk action
// reading msg.Speech (SSML, in its language) and returns the call's uuid.
// The body carries to [{type phone, number (msg.To without "+"),
// dtmfAnswer (msg.Extension)}], from {type phone, number (msg.From when it
// is a number, else voice_from, without "+")}; the request carries
// Authorization: Bearer and the application's JWT. Errors: by HTTP status
// (401/403 BadCredentials, 429 Throttled with Retry-After, 5xx
// ProviderDown; a 400 about the number InvalidNumber); ProviderDown for an
// answer without a uuid; as for Send otherwise.
func (p *Provider) Call(ctx context.Context, msg sms.Message) (string, error) {
	if !p.CanCall() {
		return "", sms.NewError(sms.BadSender, "", "this account is not set up for calls (application_id, private_key, voice_from)")
	}
	from := p.voiceFrom
	if sms.IsE164(msg.From) {
		from = msg.From
	}
	body, _ := json.Marshal(call{
		To:   []endpoint{{Type: "phone", Number: strings.TrimPrefix(msg.To, "+"), DTMFAnswer: msg.Extension}},
		From: endpoint{Type: "phone", Number: strings.TrimPrefix(from, "+")},
		NCCO: []talk{{Action: "talk", Text: talkSSML(msg.Speech), Language: msg.Speech.Language}},
	})
	token, err := p.jwt()
	if err != nil {
		return "", sms.NewError(sms.BadCredentials, "", "cannot sign the Voice API token")
	}
	resp, raw, err := smshttp.Post(ctx, p.client, p.calls, "application/json", bytes.NewReader(body), func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+token)
	})
	if err != nil {
		return "", err
	}
	secrets := append(msg.Sensitive(), p.apiKey, p.apiSecret, token)
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var created struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal(raw, &created); err != nil || created.UUID == "" {
			return "", sms.NewError(sms.ProviderDown, "", "answer without a call uuid")
		}
		return created.UUID, nil
	}
	var problem struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(raw, &problem)
	detail := smshttp.Clean(strings.TrimSpace(problem.Title+": "+problem.Detail), secrets...)
	if resp.StatusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(problem.Detail), "number") {
		return "", sms.NewError(sms.InvalidNumber, "400", detail)
	}
	e := smshttp.StatusError(resp.StatusCode, resp.Header, p.now(), detail)
	if e.Code == "" {
		e.Code = fmt.Sprint(resp.StatusCode)
	}
	return "", e
}
