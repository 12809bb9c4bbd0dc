package twilio

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// ParseStatusCallback reads the form of a Twilio message status callback
// (MessageSid, MessageStatus, ErrorCode, To, From; the older SmsSid and
// SmsStatus names are accepted too). Twilio statuses map onto ours:
// accepted, scheduled and queued → queued; sending and sent → sent;
// delivered and read → delivered; undelivered and partially_delivered →
// undelivered; failed and canceled → failed. ErrorDetail describes a known
// ErrorCode. At comes from RawDlrDoneDate (YYMMDDhhmm, UTC) when Twilio
// sends it and is zero otherwise. Check the signature with VerifySignature
// first. It returns an error when MessageSid or MessageStatus is missing or
// the status is not one Twilio documents.
func ParseStatusCallback(form url.Values) (sms.Receipt, error) {
	id := first(form, "MessageSid", "SmsSid")
	raw := first(form, "MessageStatus", "SmsStatus")
	if err := smshttp.Without("twilio: status callback", []string{"MessageSid", "MessageStatus"}, id, raw); err != nil {
		return sms.Receipt{}, err
	}
	status, ok := mapStatus(raw)
	if !ok {
		return sms.Receipt{}, fmt.Errorf("twilio: status callback with unknown status %q", smshttp.Clip(raw))
	}
	r := sms.Receipt{
		ProviderMessageID: id,
		Status:            status,
		ErrorCode:         strings.TrimSpace(form.Get("ErrorCode")),
		To:                form.Get("To"),
		From:              form.Get("From"),
	}
	if r.ErrorCode != "" {
		if _, desc, ok := codeInfoString(r.ErrorCode); ok {
			r.ErrorDetail = desc
		}
	}
	if d := form.Get("RawDlrDoneDate"); d != "" {
		if t, err := time.Parse("0601021504", d); err == nil {
			r.At = t.UTC()
		}
	}
	return r, nil
}

// ParseInbound reads the form of a Twilio incoming-message webhook (From,
// To, Body, MessageSid; SmsMessageSid is accepted too) and classifies the
// body with sms.ClassifyKeyword. Check the signature with VerifySignature
// first. It returns an error when MessageSid or From is missing.
func ParseInbound(form url.Values) (sms.Inbound, error) {
	in := sms.Inbound{
		ProviderMessageID: first(form, "MessageSid", "SmsMessageSid", "SmsSid"),
		From:              form.Get("From"),
		To:                form.Get("To"),
		Body:              form.Get("Body"),
	}
	if err := smshttp.Without("twilio: inbound message", []string{"MessageSid", "From"}, in.ProviderMessageID, in.From); err != nil {
		return sms.Inbound{}, err
	}
	in.Keyword = sms.ClassifyKeyword(in.Body)
	return in, nil
}

// mapStatus maps a Twilio MessageStatus onto ours.
func mapStatus(s string) (sms.Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "accepted", "scheduled", "queued":
		return sms.StatusQueued, true
	case "sending", "sent":
		return sms.StatusSent, true
	case "delivered", "read":
		return sms.StatusDelivered, true
	case "undelivered", "partially_delivered":
		return sms.StatusUndelivered, true
	case "failed", "canceled":
		return sms.StatusFailed, true
	}
	return "", false
}

// codeInfoString is codeInfo for a code given as text.
func codeInfoString(code string) (sms.Reason, string, bool) {
	n, err := strconv.Atoi(code)
	if err != nil || strconv.Itoa(n) != code {
		return sms.Unknown, "", false
	}
	return codeInfo(n)
}

// first returns the first non-empty value among names.
func first(form url.Values, names ...string) string {
	for _, n := range names {
		if v := form.Get(n); v != "" {
			return v
		}
	}
	return ""
}
