package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// Send POSTs msg as a telephony hook event and returns the transactionId of
// the receiver's SUCCESSFUL or PENDING action (PENDING counts as accepted;
// the id may be empty when the receiver gives none).
//
// The event carries eventId (fresh per call), eventTime, the configured
// requestType and source, data.context.request.id = msg.ID (the receiver's
// idempotency key: a retried message keeps it), and messageProfile with
// msgTemplate = msg.Body, phoneNumber = msg.To, otpExpires = msg.Expires
// (when set), deliveryChannel "SMS", otpCode = msg.Code (when set: a
// provider test message has none) and locale.
//
// Errors are *sms.Error: a FAILED action is ProviderDown (code "FAILED");
// an error object is InvalidNumber or OptedOut when its summary or causes
// clearly say so and ProviderDown otherwise (code "error"); a non-200
// answer is BadCredentials for 401/403, Throttled for 429 (with
// Retry-After), ProviderDown for 5xx, Unknown otherwise; an answer that is
// not the documented JSON (Okta would skip the hook) is ProviderDown;
// ProviderDown for a refused connection; Timeout when the client timeout
// or ctx's deadline passes first. A cancelled ctx is returned wrapped. No
// error holds the body, the code or the secret.
func (p *Provider) Send(ctx context.Context, msg sms.Message) (string, error) {
	return p.post(ctx, msg, channelSMS)
}

// CanCall is true: Okta's telephony hook carries voice calls too, and a
// receiver that cannot place them answers FAILED (the next provider is
// tried).
func (p *Provider) CanCall() bool { return true }

// Call POSTs msg as a telephony hook event with deliveryChannel
// "Voice call": msgTemplate is the text to read out (msg.Body), otpCode
// the code. Errors are as for Send.
func (p *Provider) Call(ctx context.Context, msg sms.Message) (string, error) {
	return p.post(ctx, msg, channelVoice)
}

var _ sms.Caller = (*Provider)(nil)

// post sends msg on channel.
func (p *Provider) post(ctx context.Context, msg sms.Message, channel string) (string, error) {
	now := p.now()
	ev := event{
		EventID:           p.newID(),
		EventTime:         now.UTC().Format(timeLayout),
		EventType:         eventType,
		EventTypeVersion:  "1.0",
		ContentType:       "application/json",
		CloudEventVersion: "0.1",
		Source:            p.source,
		RequestType:       p.requestType,
		Data: eventData{
			Context: eventContext{Request: eventRequest{ID: msg.ID}},
			MessageProfile: messageProfile{
				MsgTemplate:     msg.Body,
				PhoneNumber:     msg.To,
				DeliveryChannel: channel,
				OTPCode:         msg.Code,
				Locale:          p.locale,
			},
		},
	}
	if !msg.Expires.IsZero() {
		ev.Data.MessageProfile.OTPExpires = msg.Expires.UTC().Format(timeLayout)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return "", sms.NewError(sms.Unknown, "", "cannot encode the event")
	}
	resp, raw, err := smshttp.Post(ctx, p.client, p.url, "application/json", bytes.NewReader(body), func(req *http.Request) {
		req.Header.Set(p.header, p.secret)
		req.Header.Set(SignatureHeader, Sign(p.secret, body, now))
	})
	if err != nil {
		return "", err
	}
	secrets := append(msg.Sensitive(), p.secret)
	if resp.StatusCode != http.StatusOK {
		return "", smshttp.StatusError(resp.StatusCode, resp.Header, p.now(), smshttp.Clean(string(raw), secrets...))
	}
	return p.result(raw, secrets)
}

// result reads a 200 answer.
func (p *Provider) result(raw []byte, secrets []string) (string, error) {
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", sms.NewError(sms.ProviderDown, "", "answer is not JSON")
	}
	if a.Error != nil {
		return "", hookFailure(a.Error, secrets)
	}
	for _, c := range a.Commands {
		if c.Type != actionType || len(c.Value) == 0 {
			continue
		}
		act := c.Value[0]
		switch strings.ToUpper(act.Status) {
		case "SUCCESSFUL", "PENDING":
			return act.TransactionID, nil
		case "FAILED":
			detail := strings.TrimSpace(act.Provider + " " + act.TransactionMetadata)
			return "", sms.NewError(sms.ProviderDown, "FAILED", smshttp.Clean(detail, secrets...))
		default:
			return "", sms.NewError(sms.ProviderDown, "", "action with an invalid status")
		}
	}
	return "", sms.NewError(sms.ProviderDown, "", "answer without a "+actionType+" command or an error")
}

// hookFailure maps the receiver's error object. Its text is free-form, so
// only clear statements about the number change the default ProviderDown.
func hookFailure(e *hookError, secrets []string) *sms.Error {
	texts := []string{e.ErrorSummary}
	for _, c := range e.ErrorCauses {
		texts = append(texts, c.ErrorSummary, c.Reason)
	}
	all := strings.ToLower(strings.Join(texts, " | "))
	reason := sms.ProviderDown
	switch {
	case containsAny(all, "invalid phone", "invalid number", "invalid_phone", "invalid_number",
		"not a valid phone", "not a valid number", "invalid destination"):
		reason = sms.InvalidNumber
	case containsAny(all, "opted out", "opted-out", "opted_out", "unsubscribed"):
		reason = sms.OptedOut
	}
	detail := e.ErrorSummary
	if len(e.ErrorCauses) > 0 && e.ErrorCauses[0].ErrorSummary != "" {
		detail += ": " + e.ErrorCauses[0].ErrorSummary
	}
	if detail == "" {
		detail = "the callback service returned an error"
	}
	return sms.NewError(reason, "error", smshttp.Clean(detail, secrets...))
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
