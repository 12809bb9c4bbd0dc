package telephony_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/vonage"
	"smsmfa/internal/telephony"
)

// clock is a settable time for the pool.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// vonageSecret signs the test's Vonage receipts.
const vonageSecret = "vonage-signature-secret"

// vonageSent adds a Vonage provider (its SMS API a stub that accepts every
// message as "VID1") and sends a user a code through it.
func vonageSent(t *testing.T, e *env) string {
	t.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"message-count":"1","messages":[{"status":"0","message-id":"VID1"}]}`)
	}))
	t.Cleanup(api.Close)
	e.add(t, mfa.ProviderConfig{Name: "vo", Type: vonage.Type, BaseURL: api.URL,
		Credentials: map[string]string{"api_key": "k", "api_secret": "s", "signature_secret": vonageSecret},
		Senders:     []mfa.Sender{{Value: "+15557654399", Kind: mfa.SenderNumber}}})
	u := e.user(t, "vo@example.com")
	if _, sent, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550161"}); err != nil || sent.Delivery.State != mfa.MessageSent {
		t.Fatalf("enroll through Vonage: %v %+v", err, sent)
	}
	return u.ID
}

// vonageReceipt is Vonage's "delivered" receipt for VID1, signed at at.
func vonageReceipt(at time.Time) url.Values {
	v := url.Values{"messageId": {"VID1"}, "status": {"delivered"}, "err-code": {"0"}, "msisdn": {"14155550161"}, "to": {"15557654399"},
		"message-timestamp": {at.UTC().Format("2006-01-02 15:04:05")}, "timestamp": {strconv.FormatInt(at.Unix(), 10)}}
	v.Set("sig", vonage.Sign(vonageSecret, v))
	return v
}

// TestReplayedVonageReceiptIsRefused: a correctly signed receipt signed 6
// minutes ago (a replay) or too far ahead changes nothing and is in the
// system log; the same receipt signed now is taken.
func TestReplayedVonageReceiptIsRefused(t *testing.T) {
	e := newEnv(t)
	uid := vonageSent(t, e)
	hook := e.hooks.URL + "/hooks/vonage/vo/receipt?"
	for _, c := range []struct {
		name string
		at   time.Time
		want int
	}{
		{"SixMinutesOld", time.Now().Add(-6 * time.Minute), http.StatusForbidden},
		{"TwoMinutesAhead", time.Now().Add(2 * time.Minute), http.StatusForbidden},
	} {
		res, err := http.Get(hook + vonageReceipt(c.at).Encode())
		if err != nil || res.StatusCode != c.want {
			t.Fatalf("%s: %v %v, want HTTP %d", c.name, res.StatusCode, err, c.want)
		}
		res.Body.Close()
		if r := e.log(t, uid)[0]; r.State != mfa.MessageSent {
			t.Fatalf("%s: the receipt was applied: %+v", c.name, r.Message)
		}
	}
	evs := mustEvents(t, e, mfa.EvCallbackRefused)
	if len(evs) != 1 || evs[0].Target.ID != "vo" || !strings.Contains(evs[0].Reason, "signed more than 5 minutes ago") {
		t.Fatalf("system log %+v, want the replay summarised once", evs)
	}
	res, err := http.Get(hook + vonageReceipt(time.Now()).Encode())
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("fresh receipt: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	if r := e.log(t, uid)[0]; r.State != mfa.MessageDelivered {
		t.Fatalf("the fresh receipt was not applied: %+v", r.Message)
	}
}

// TestForgedCallbackBurst: 1,000 forged receipts from one address are
// answered at once (403, then 429 unread past the limit), write one event
// at the start and one summary a minute later, and leave real callbacks
// from elsewhere working.
func TestForgedCallbackBurst(t *testing.T) {
	clk := &clock{t: time.Now()}
	e := newEnv(t, func(o *telephony.Options) { o.Now = clk.Now })
	tw := e.twilio(t, "tw", "+15557654321")
	u := e.user(t, "burst@example.com")
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550162"}); err != nil {
		t.Fatal(err)
	}
	m := tw.Messages()[0]

	const burst = 1000
	var forbidden, limited, other atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < burst; i += 8 {
				res, err := tw.StatusCallback(m, "delivered", "", "forged-token")
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusForbidden:
					forbidden.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("%d forged callbacks answered in %v (%.0f/s): %d × 403, %d × 429", burst, took, burst/took.Seconds(), forbidden.Load(), limited.Load())
	// RefusedPerSource get a full check; requests already past the check
	// when the count reached it (at most one per concurrent sender) too.
	if f := forbidden.Load(); f < telephony.RefusedPerSource || f > telephony.RefusedPerSource+8 || f+limited.Load() != burst || other.Load() != 0 || took > 10*time.Second {
		t.Fatalf("answers: %d × 403, %d × 429, %d other in %v", forbidden.Load(), limited.Load(), other.Load(), took)
	}
	if r := e.log(t, u.ID)[0]; r.State != mfa.MessageSent {
		t.Fatalf("a forged receipt was applied: %+v", r.Message)
	}
	if evs := mustEvents(t, e, mfa.EvCallbackRefused); len(evs) != 1 || evs[0].Message != "1 forged callback from 127.0.0.1 (1)" {
		t.Fatalf("events during the burst: %+v", evs)
	}

	// A real receipt from another address is still read.
	f := url.Values{"MessageSid": {m.SID}, "MessageStatus": {"delivered"}, "To": {m.To}, "From": {m.From}, "AccountSid": {tw.AccountSID}}
	req := httptest.NewRequest("POST", m.StatusCallback, strings.NewReader(f.Encode()))
	req.RemoteAddr = "203.0.113.9:4431"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(tw.AuthToken, m.StatusCallback, f))
	rec := httptest.NewRecorder()
	e.pool.Hooks().ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("a real receipt from another address: HTTP %d %s", rec.Code, rec.Body)
	}

	// A minute on, the rest of the burst is summarised once.
	clk.Add(61 * time.Second)
	ctx, stop := context.WithCancel(e.ctx)
	defer stop()
	go e.pool.Run(ctx, 5*time.Millisecond)
	var evs []mfa.Event
	for range 400 {
		if evs = mustEvents(t, e, mfa.EvCallbackRefused); len(evs) >= 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if len(evs) != 2 || !strings.HasPrefix(evs[0].Message, fmt.Sprintf("%d forged callbacks from 127.0.0.1", burst-1)) || evs[0].Details["unread"] != strconv.FormatInt(limited.Load(), 10) { // every 429 (up to 8 more of the burst may have had a full check)
		t.Fatalf("events a minute on: %+v", evs)
	}
}

// TestProviderTestEventHoldsNoNumber: a provider whose error echoes the
// number (as Twilio's do) does not put it in the system log.
func TestProviderTestEventHoldsNoNumber(t *testing.T) {
	e := newEnv(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":21211,"message":"The 'To' number +14155550163 is not a valid phone number.","status":400}`)
	}))
	t.Cleanup(api.Close)
	e.add(t, mfa.ProviderConfig{Name: "tw", Type: twilio.Type, BaseURL: api.URL,
		Credentials: map[string]string{"account_sid": "AC" + strings.Repeat("1", 32), "auth_token": "token"},
		Senders:     []mfa.Sender{{Value: "+15557654321", Kind: mfa.SenderNumber}}})
	if _, err := e.pool.SendTest(e.ctx, "tw", "+14155550163"); err == nil {
		t.Fatal("the test SMS was not refused")
	}
	evs := mustEvents(t, e, mfa.EvProviderTest)
	if len(evs) != 1 || evs[0].Outcome != mfa.OutcomeFailure || strings.Contains(fmt.Sprint(evs[0]), "4155550163") {
		t.Fatalf("provider test event %+v", evs)
	}
}
