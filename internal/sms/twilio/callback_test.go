package twilio_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/twilio"
)

func TestParseStatusCallback(t *testing.T) {
	base := func(kv ...string) url.Values {
		f := url.Values{
			"AccountSid": {testSID},
			"ApiVersion": {"2010-04-01"},
			"MessageSid": {"SM0123456789abcdef0123456789abcdef"},
			"SmsSid":     {"SM0123456789abcdef0123456789abcdef"},
			"To":         {"+15551234567"},
			"From":       {"+15557654321"},
		}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want sms.Receipt
	}{
		{"OKQueued", base("MessageStatus", "queued"), sms.Receipt{Status: sms.StatusQueued}},
		{"OKAccepted", base("MessageStatus", "accepted"), sms.Receipt{Status: sms.StatusQueued}},
		{"OKSending", base("MessageStatus", "sending"), sms.Receipt{Status: sms.StatusSent}},
		{"OKSent", base("MessageStatus", "sent"), sms.Receipt{Status: sms.StatusSent}},
		{"OKDelivered", base("MessageStatus", "delivered", "RawDlrDoneDate", "2611271205"),
			sms.Receipt{Status: sms.StatusDelivered, At: time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)}},
		{"OKRead", base("MessageStatus", "read"), sms.Receipt{Status: sms.StatusDelivered}},
		{"OKUndelivered", base("MessageStatus", "undelivered", "ErrorCode", "30003"),
			sms.Receipt{Status: sms.StatusUndelivered, ErrorCode: "30003", ErrorDetail: "unreachable destination handset"}},
		{"OKFailed", base("MessageStatus", "failed", "ErrorCode", "30007"),
			sms.Receipt{Status: sms.StatusFailed, ErrorCode: "30007", ErrorDetail: "message filtered by the carrier"}},
		{"OKFailedUnknownCode", base("MessageStatus", "failed", "ErrorCode", "39999"),
			sms.Receipt{Status: sms.StatusFailed, ErrorCode: "39999"}},
		{"OKCanceled", base("MessageStatus", "canceled"), sms.Receipt{Status: sms.StatusFailed}},
		{"OKLegacyNames", url.Values{"SmsSid": {"SM0123456789abcdef0123456789abcdef"}, "SmsStatus": {"sent"}, "To": {"+15551234567"}, "From": {"+15557654321"}},
			sms.Receipt{Status: sms.StatusSent}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := twilio.ParseStatusCallback(tc.form)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ProviderMessageID = "SM0123456789abcdef0123456789abcdef"
			tc.want.To = "+15551234567"
			tc.want.From = "+15557654321"
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}

	for _, tc := range []struct {
		name    string
		form    url.Values
		wantErr string
	}{
		{"ErrNoSid", url.Values{"MessageStatus": {"sent"}}, "MessageSid"},
		{"ErrNoStatus", url.Values{"MessageSid": {"SM1"}}, "MessageStatus"},
		{"ErrEmpty", url.Values{}, "MessageSid and MessageStatus"},
		{"ErrUnknownStatus", url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"exploded"}}, "exploded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := twilio.ParseStatusCallback(tc.form)
			adaptertest.MustError(t, err, tc.wantErr)
		})
	}
}

func TestParseInbound(t *testing.T) {
	form := func(body string) url.Values {
		return url.Values{
			"MessageSid":    {"SM99"},
			"SmsMessageSid": {"SM99"},
			"AccountSid":    {testSID},
			"From":          {"+15551234567"},
			"To":            {"+15557654321"},
			"Body":          {body},
			"NumMedia":      {"0"},
		}
	}
	for _, tc := range []struct {
		body string
		want sms.Keyword
	}{
		{"STOP", sms.KeywordStop},
		{" stop ", sms.KeywordStop},
		{"Unsubscribe", sms.KeywordStop},
		{"stopall", sms.KeywordStop},
		{"CANCEL", sms.KeywordStop},
		{"end", sms.KeywordStop},
		{"Quit!", sms.KeywordStop},
		{"START", sms.KeywordStart},
		{"yes", sms.KeywordStart},
		{"Unstop", sms.KeywordStart},
		{"HELP", sms.KeywordHelp},
		{"info", sms.KeywordHelp},
		{"stop sending me these", sms.KeywordNone},
		{"thanks", sms.KeywordNone},
		{"", sms.KeywordNone},
	} {
		t.Run(tc.body, func(t *testing.T) {
			got, err := twilio.ParseInbound(form(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			want := sms.Inbound{ProviderMessageID: "SM99", From: "+15551234567", To: "+15557654321", Body: tc.body, Keyword: tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("inbound (-want +got):\n%s", diff)
			}
		})
	}

	for _, tc := range []struct {
		name    string
		drop    []string
		wantErr string
	}{
		{"ErrNoSid", []string{"MessageSid", "SmsMessageSid"}, "MessageSid"},
		{"ErrNoFrom", []string{"From"}, "From"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := form("STOP")
			for _, k := range tc.drop {
				f.Del(k)
			}
			_, err := twilio.ParseInbound(f)
			adaptertest.MustError(t, err, tc.wantErr)
		})
	}
}

func TestReasonForCode(t *testing.T) {
	for code, want := range map[string]sms.Reason{
		"21211": sms.InvalidNumber, "21614": sms.Landline, "21610": sms.OptedOut,
		"30003": sms.Unreachable, "30004": sms.Blocked, "30006": sms.Landline,
		"30007": sms.Blocked, "30008": sms.Unknown, "20003": sms.BadCredentials,
		"21606": sms.BadSender, "20429": sms.Throttled,
	} {
		if got, ok := twilio.ReasonForCode(code); got != want || !ok {
			t.Errorf("ReasonForCode(%s) = %s, %v; want %s, true", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "x", "0021211", "99999"} {
		if got, ok := twilio.ReasonForCode(code); got != sms.Unknown || ok {
			t.Errorf("ReasonForCode(%q) = %s, %v; want unknown, false", code, got, ok)
		}
	}
}

func FuzzParseStatusCallback(f *testing.F) {
	f.Add("MessageSid=SM1&MessageStatus=delivered&ErrorCode=30003&RawDlrDoneDate=2611271205")
	f.Add("SmsSid=&SmsStatus=%ff")
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw)
		twilio.ParseStatusCallback(form)
	})
}

func FuzzParseInbound(f *testing.F) {
	f.Add("MessageSid=SM1&From=%2B15551234567&To=%2B15557654321&Body=STOP")
	f.Add("Body=%00%ff")
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw)
		twilio.ParseInbound(form)
	})
}
