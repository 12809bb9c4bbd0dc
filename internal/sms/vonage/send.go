package vonage

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// Vonage accepts a ttl of 20 s to 7 days, in milliseconds.
const (
	minTTL = 20_000
	maxTTL = 604_800_000
)

// maxClientRef is the longest client-ref Vonage accepts.
const maxClientRef = 100

// answer is the SMS API's JSON answer.
type answer struct {
	Messages []struct {
		Status    string `json:"status"`
		MessageID string `json:"message-id"`
		ErrorText string `json:"error-text"`
	} `json:"messages"`
}

// Send submits msg to the SMS API and returns Vonage's message-id. A long
// text that Vonage splits into parts yields one id per part; Send returns
// the first, and delivery receipts arrive per part.
//
// The form carries api_key, api_secret, from (msg.From, else the
// configured From; a leading "+" removed), to (msg.To without "+"), text,
// type=unicode when the text is not GSM-7, client-ref (msg.ID, when at most
// 100 characters), callback (msg.StatusCallback) and ttl (from msg.Expires,
// clamped to 20 s – 7 days).
//
// Errors are *sms.Error: BadSender when there is no sender at all; the
// reason of the first failing messages[].status (see ReasonForStatus), with
// the status as Code; by HTTP status for a non-200 answer (401/403
// BadCredentials, 429 Throttled with Retry-After, 5xx ProviderDown);
// ProviderDown for a refused connection or an answer without messages;
// Timeout when the client timeout or ctx's deadline passes first. A
// cancelled ctx is returned wrapped. No error holds the text, the code or a
// secret.
func (p *Provider) Send(ctx context.Context, msg sms.Message) (string, error) {
	form, err := p.form(msg)
	if err != nil {
		return "", err
	}
	resp, body, err := smshttp.Post(ctx, p.client, p.endpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", smshttp.StatusError(resp.StatusCode, resp.Header, p.now(), smshttp.Clean(string(body), append(msg.Sensitive(), p.apiKey, p.apiSecret)...))
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil || len(a.Messages) == 0 {
		return "", sms.NewError(sms.ProviderDown, "", "answer without messages")
	}
	for _, m := range a.Messages {
		if m.Status == "0" {
			continue
		}
		reason, _ := ReasonForStatus(m.Status, m.ErrorText)
		e := sms.NewError(reason, m.Status, smshttp.Clean(m.ErrorText, append(msg.Sensitive(), p.apiKey, p.apiSecret)...))
		if reason == sms.Throttled {
			e.RetryAfter = smshttp.RetryAfter(resp.Header, p.now())
		}
		return "", e
	}
	if a.Messages[0].MessageID == "" {
		return "", sms.NewError(sms.ProviderDown, "", "answer without a message-id")
	}
	return a.Messages[0].MessageID, nil
}

// form builds the request body for msg.
func (p *Provider) form(msg sms.Message) (url.Values, error) {
	from := msg.From
	if from == "" {
		from = p.from
	}
	if from == "" {
		return nil, sms.NewError(sms.BadSender, "", "no sender: the message has no From and none is configured")
	}
	form := url.Values{}
	form.Set("api_key", p.apiKey)
	form.Set("api_secret", p.apiSecret)
	form.Set("from", strings.TrimPrefix(from, "+"))
	form.Set("to", strings.TrimPrefix(msg.To, "+"))
	form.Set("text", msg.Body)
	if !sms.IsGSM7(msg.Body) {
		form.Set("type", "unicode")
	}
	if msg.ID != "" && len(msg.ID) <= maxClientRef {
		form.Set("client-ref", msg.ID)
	}
	if msg.StatusCallback != "" {
		form.Set("callback", msg.StatusCallback)
	}
	if !msg.Expires.IsZero() {
		ms := msg.Expires.Sub(p.now()).Milliseconds()
		form.Set("ttl", strconv.FormatInt(min(max(ms, minTTL), maxTTL), 10))
	}
	return form, nil
}
