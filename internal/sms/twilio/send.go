package twilio

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// Twilio accepts a ValidityPeriod of 1 to 36000 seconds.
const (
	minValidity = 1
	maxValidity = 36000
)

// Send creates a Message at Twilio and returns its sid ("SM…").
//
// The sender is msg.From: a Messaging Service SID ("MG…") goes out as
// MessagingServiceSid, anything else as From; when msg.From is empty the
// configured MessagingServiceSID is used. msg.StatusCallback becomes
// StatusCallback and msg.Expires a ValidityPeriod (clamped to 1–36000 s).
//
// Errors are *sms.Error: BadSender when there is no sender at all; the
// reason of Twilio's error code (see ReasonForCode) when Twilio answers
// with one; otherwise by HTTP status (401/403 BadCredentials, 429
// Throttled with Retry-After, 5xx ProviderDown, other Unknown);
// ProviderDown for a refused connection or an answer without a sid;
// Timeout when the client timeout or ctx's deadline passes first. A
// cancelled ctx is returned wrapped. No error holds the body, the code, the
// token or the account SID.
func (p *Provider) Send(ctx context.Context, msg sms.Message) (string, error) {
	form, err := p.form(msg)
	if err != nil {
		return "", err
	}
	resp, body, err := smshttp.Post(ctx, p.client, p.endpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
		func(req *http.Request) { req.SetBasicAuth(p.accountSID, p.authToken) })
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var created struct {
			SID string `json:"sid"`
		}
		if err := json.Unmarshal(body, &created); err != nil || created.SID == "" {
			return "", sms.NewError(sms.ProviderDown, "", "answer without a message sid")
		}
		return created.SID, nil
	}
	return "", p.apiError(resp, body, msg)
}

// form builds the request body for msg.
func (p *Provider) form(msg sms.Message) (url.Values, error) {
	form := url.Values{}
	form.Set("To", msg.To)
	form.Set("Body", msg.Body)
	switch {
	case isServiceSID(msg.From):
		form.Set("MessagingServiceSid", msg.From)
	case msg.From != "":
		form.Set("From", msg.From)
	case p.messagingServiceSID != "":
		form.Set("MessagingServiceSid", p.messagingServiceSID)
	default:
		return nil, sms.NewError(sms.BadSender, "", "no sender: the message has no From and no messaging_service_sid is configured")
	}
	if msg.StatusCallback != "" {
		form.Set("StatusCallback", msg.StatusCallback)
	}
	if !msg.Expires.IsZero() {
		secs := math.Ceil(msg.Expires.Sub(p.now()).Seconds())
		secs = min(max(secs, minValidity), maxValidity)
		form.Set("ValidityPeriod", strconv.Itoa(int(secs)))
	}
	return form, nil
}

// isServiceSID reports whether s looks like a Messaging Service SID.
func isServiceSID(s string) bool {
	return len(s) == 34 && strings.HasPrefix(s, "MG")
}

// apiError turns a non-success answer into an *sms.Error.
func (p *Provider) apiError(resp *http.Response, body []byte, msg sms.Message) error {
	var te struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	_ = json.Unmarshal(body, &te) // a non-JSON answer leaves te empty
	detail := te.Message
	if te.Detail != "" {
		detail += ": " + te.Detail
	}
	detail = smshttp.Clean(detail, append(msg.Sensitive(), p.authToken, p.accountSID)...)
	if te.Code != 0 {
		if reason, desc, ok := codeInfo(te.Code); ok {
			if detail == "" {
				detail = desc
			}
			e := sms.NewError(reason, strconv.Itoa(te.Code), detail)
			if reason == sms.Throttled {
				e.RetryAfter = smshttp.RetryAfter(resp.Header, p.now())
			}
			return e
		}
	}
	e := smshttp.StatusError(resp.StatusCode, resp.Header, p.now(), detail)
	if te.Code != 0 {
		e.Code = strconv.Itoa(te.Code)
	}
	return e
}
