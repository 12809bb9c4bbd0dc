package twilio

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

var _ sms.Caller = (*Provider)(nil)

// CanCall reports whether the account places calls: a VoiceFrom number is
// configured.
func (p *Provider) CanCall() bool { return p.voiceFrom != "" }

// Call creates a Call at Twilio (POST /2010-04-01/Accounts/{sid}/Calls.json)
// and returns its sid ("CA…"). The form carries To, From (msg.From when it
// is a number, else the configured VoiceFrom), Twiml (see TwiML),
// SendDigits (msg.Extension, after a "ww" wait: Twilio dials it once the
// call is answered) and StatusCallback (msg.StatusCallback, when set).
// Errors are as for Send.
func (p *Provider) Call(ctx context.Context, msg sms.Message) (string, error) {
	form := url.Values{}
	form.Set("To", msg.To)
	from := p.voiceFrom
	if sms.IsE164(msg.From) {
		from = msg.From
	}
	if from == "" {
		return "", sms.NewError(sms.BadSender, "", "no caller id: no voice_from number is configured")
	}
	form.Set("From", from)
	form.Set("Twiml", TwiML(msg.Speech))
	if msg.Extension != "" {
		form.Set("SendDigits", "ww"+msg.Extension)
	}
	if msg.StatusCallback != "" {
		form.Set("StatusCallback", msg.StatusCallback)
	}
	resp, body, err := smshttp.Post(ctx, p.client, p.callsEndpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
		func(req *http.Request) { req.SetBasicAuth(p.accountSID, p.authToken) })
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var created struct {
			SID string `json:"sid"`
		}
		if err := json.Unmarshal(body, &created); err != nil || created.SID == "" {
			return "", sms.NewError(sms.ProviderDown, "", "answer without a call sid")
		}
		return created.SID, nil
	}
	return "", p.apiError(resp, body, msg)
}

// TwiML is the call's instructions: each phrase of s in a <Say> with the
// speech's language, a one-second <Pause/> between phrases.
func TwiML(s sms.Speech) string {
	var b strings.Builder
	b.WriteString("<Response>")
	for i, part := range s.Parts {
		if i > 0 {
			b.WriteString(`<Pause length="1"/>`)
		}
		b.WriteString("<Say")
		if s.Language != "" {
			b.WriteString(` language="`)
			_ = xml.EscapeText(&b, []byte(s.Language))
			b.WriteString(`"`)
		}
		b.WriteString(">")
		_ = xml.EscapeText(&b, []byte(part))
		b.WriteString("</Say>")
	}
	b.WriteString("</Response>")
	return b.String()
}
