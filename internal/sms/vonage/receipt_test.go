package vonage_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/vonage"
)

// dlr is a delivery receipt as Vonage sends it.
func dlr(kv ...string) url.Values {
	v := url.Values{
		"msisdn":            {"447700900001"},
		"to":                {"AcmeInc"},
		"network-code":      {"23410"},
		"messageId":         {"0A0000001234567B"},
		"price":             {"0.03330000"},
		"scts":              {"2611271205"},
		"api-key":           {testKey},
		"client-ref":        {"msg_01JD3"},
		"message-timestamp": {"2026-11-27 12:05:00"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestParseReceipt(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   url.Values
		want sms.Receipt
	}{
		{"OKDelivered", dlr("status", "delivered", "err-code", "0"), sms.Receipt{Status: sms.StatusDelivered}},
		{"OKAccepted", dlr("status", "accepted", "err-code", "0"), sms.Receipt{Status: sms.StatusSent}},
		{"OKBuffered", dlr("status", "buffered"), sms.Receipt{Status: sms.StatusSent}},
		{"OKUnknown", dlr("status", "unknown", "err-code", "1"), sms.Receipt{Status: sms.StatusSent, ErrorCode: "1", ErrorDetail: "unknown"}},
		{"OKExpired", dlr("status", "expired", "err-code", "2"), sms.Receipt{Status: sms.StatusUndelivered, ErrorCode: "2", ErrorDetail: "absent subscriber, temporary"}},
		{"OKFailed", dlr("status", "failed", "err-code", "6"), sms.Receipt{Status: sms.StatusFailed, ErrorCode: "6", ErrorDetail: "anti-spam rejection"}},
		{"OKRejected", dlr("status", "rejected", "err-code", "99"), sms.Receipt{Status: sms.StatusFailed, ErrorCode: "99", ErrorDetail: "general error"}},
		{"OKUnknownErrCode", dlr("status", "failed", "err-code", "77"), sms.Receipt{Status: sms.StatusFailed, ErrorCode: "77"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vonage.ParseReceipt(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ProviderMessageID = "0A0000001234567B"
			tc.want.To = "+447700900001"
			tc.want.From = "AcmeInc"
			tc.want.At = at
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("OKBadTimestampLeavesAtZero", func(t *testing.T) {
		got, err := vonage.ParseReceipt(dlr("status", "delivered", "message-timestamp", "yesterday"))
		if err != nil {
			t.Fatal(err)
		}
		if !got.At.IsZero() {
			t.Errorf("At = %v", got.At)
		}
	})

	for _, tc := range []struct {
		name    string
		in      url.Values
		wantErr string
	}{
		{"ErrNoMessageID", url.Values{"status": {"delivered"}}, "messageId"},
		{"ErrNoStatus", url.Values{"messageId": {"A"}}, "status"},
		{"ErrUnknownStatus", url.Values{"messageId": {"A"}, "status": {"teleported"}}, "teleported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vonage.ParseReceipt(tc.in)
			adaptertest.MustError(t, err, tc.wantErr)
		})
	}
}

func FuzzParseReceipt(f *testing.F) {
	f.Add("messageId=A&status=delivered&err-code=0&msisdn=447700900001&message-timestamp=2026-11-27+12%3A05%3A00")
	f.Add("status=%ff&messageId=")
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		vonage.ParseReceipt(v)
	})
}
