package sms_test

import (
	"context"
	"testing"
	"time"

	"smsmfa/internal/sms"
)

// fakeCaller is a fake that also places calls (recorded apart from texts).
type fakeCaller struct {
	fake
	placed []sms.Message
}

func (f *fakeCaller) CanCall() bool { return true }

func (f *fakeCaller) Call(ctx context.Context, msg sms.Message) (string, error) {
	f.mu.Lock()
	f.placed = append(f.placed, msg)
	f.mu.Unlock()
	return f.Send(ctx, msg)
}

func voiceMsg(to string) sms.Message {
	return sms.Message{ID: "v", To: to, Body: "Your code is: 1, 2, 3. Again: 1, 2, 3.", Code: "123", Channel: sms.ChannelVoice,
		Speech: sms.Speech{Language: "en-US", Parts: []string{"Your code is:", "1, 2, 3.", "Again:", "1, 2, 3."}}}
}

func TestCallsSkipProvidersThatCannotCallAndFailOver(t *testing.T) {
	texter := &fake{name: "texter"} // first by priority, but places no calls
	down := &fakeCaller{fake: fake{name: "down", answer: func(sms.Message) error { return sms.NewError(sms.ProviderDown, "503", "") }}}
	up := &fakeCaller{fake: fake{name: "up"}}
	r := sms.NewRouter([]sms.Route{{Name: "texter", Provider: texter, Priority: 1}, {Name: "down", Provider: down, Priority: 2}, {Name: "up", Provider: up, Priority: 3,
		Senders: []sms.RouteSender{{Value: "MG0123"}, {Value: "+15005550006"}}}}, nil, time.Now, nil)
	res, err := r.Send(context.Background(), voiceMsg("+442079460958"))
	if err != nil || res.Provider != "up" || len(res.Tries) != 2 || res.Tries[0].Provider != "down" {
		t.Fatalf("%+v %v", res, err)
	}
	if texter.count() != 0 {
		t.Fatal("a provider that places no calls was sent a call")
	}
	if len(up.placed) != 1 || up.placed[0].From != "+15005550006" || up.placed[0].Speech.Parts[1] != "1, 2, 3." {
		t.Fatalf("placed %+v", up.placed)
	}
	// A text still goes to the first provider, by Send.
	if res, err := r.Send(context.Background(), msg("+14155550123")); err != nil || res.Provider != "texter" {
		t.Fatalf("text: %+v %v", res, err)
	}
	if len(up.placed) != 1 {
		t.Fatal("a text was placed as a call")
	}
}

func TestCallsWithNoCallerFailForGood(t *testing.T) {
	r := sms.NewRouter([]sms.Route{{Name: "texter", Provider: &fake{name: "texter"}, Priority: 1}}, nil, time.Now, nil)
	_, err := r.Send(context.Background(), voiceMsg("+442079460958"))
	if sms.ReasonOf(err) != sms.NoProvider || sms.Classify(err) != sms.Permanent {
		t.Fatalf("got %v", err)
	}
}

func TestCallsOpenTheBreakerOfAFailingProvider(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	down := &fakeCaller{fake: fake{name: "down", answer: func(sms.Message) error { return sms.NewError(sms.ProviderDown, "503", "") }}}
	up := &fakeCaller{fake: fake{name: "up"}}
	r := sms.NewRouter([]sms.Route{{Name: "down", Provider: down, Priority: 1}, {Name: "up", Provider: up, Priority: 2}}, nil, c.now, nil)
	for range 20 {
		if _, err := r.Send(context.Background(), voiceMsg("+442079460958")); err != nil {
			t.Fatal(err)
		}
	}
	if !r.BreakerOpen("down") {
		t.Fatal("the failing provider's breaker stayed closed")
	}
	if down.count() >= 20 {
		t.Fatalf("the failing provider was asked %d times for 20 calls", down.count())
	}
}
