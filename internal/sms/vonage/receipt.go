package vonage

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// timestampLayout is the layout of a receipt's message-timestamp (UTC).
const timestampLayout = "2006-01-02 15:04:05"

// ParseReceipt reads a Vonage SMS delivery receipt, whether it came as a
// query string or a form (messageId, status, err-code, msisdn, to,
// message-timestamp). Vonage statuses map onto ours: delivered →
// delivered; expired → undelivered; failed and rejected → failed;
// accepted, buffered and unknown → sent (no final answer). msisdn, the
// recipient, becomes To with a "+"; to, our sender, becomes From. err-code
// "0" means no error and is dropped; other codes keep Vonage's description
// in ErrorDetail. Check the signature with VerifySignature first when
// signed callbacks are on. It returns an error when messageId or status is
// missing or the status is not one Vonage documents.
func ParseReceipt(values url.Values) (sms.Receipt, error) {
	id := values.Get("messageId")
	raw := values.Get("status")
	if err := smshttp.Without("vonage: delivery receipt", []string{"messageId", "status"}, id, raw); err != nil {
		return sms.Receipt{}, err
	}
	status, ok := mapStatus(raw)
	if !ok {
		return sms.Receipt{}, fmt.Errorf("vonage: delivery receipt with unknown status %q", smshttp.Clip(raw))
	}
	r := sms.Receipt{
		ProviderMessageID: id,
		Status:            status,
		From:              values.Get("to"),
	}
	if m := values.Get("msisdn"); m != "" {
		r.To = "+" + strings.TrimPrefix(m, "+")
	}
	if code := strings.TrimSpace(values.Get("err-code")); code != "" && code != "0" {
		r.ErrorCode = code
		r.ErrorDetail = receiptErrorText(code)
	}
	if ts := values.Get("message-timestamp"); ts != "" {
		if t, err := time.Parse(timestampLayout, ts); err == nil {
			r.At = t
		}
	}
	return r, nil
}

// mapStatus maps a receipt status onto ours.
func mapStatus(s string) (sms.Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "delivered":
		return sms.StatusDelivered, true
	case "expired":
		return sms.StatusUndelivered, true
	case "failed", "rejected":
		return sms.StatusFailed, true
	case "accepted", "buffered", "unknown":
		return sms.StatusSent, true
	}
	return "", false
}

// receiptErrorText describes a receipt's err-code as Vonage's docs do.
func receiptErrorText(code string) string {
	switch code {
	case "1":
		return "unknown"
	case "2":
		return "absent subscriber, temporary"
	case "3":
		return "absent subscriber, permanent"
	case "4":
		return "call barred by user"
	case "5":
		return "portability error"
	case "6":
		return "anti-spam rejection"
	case "7":
		return "handset busy"
	case "8":
		return "network error"
	case "9":
		return "illegal number"
	case "10":
		return "illegal message"
	case "11":
		return "unroutable"
	case "12":
		return "destination unreachable"
	case "13":
		return "subscriber age restriction"
	case "14":
		return "number blocked by carrier"
	case "15":
		return "prepaid insufficient funds"
	case "16":
		return "gateway quota exceeded"
	case "50":
		return "entity filter"
	case "51":
		return "header filter"
	case "52":
		return "content filter"
	case "53":
		return "consent filter"
	case "54":
		return "regulation error"
	case "99":
		return "general error"
	}
	return ""
}
