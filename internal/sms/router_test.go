package sms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/sms"
)

// fake is a provider that answers from a function and records its calls.
type fake struct {
	mu     sync.Mutex
	name   string
	answer func(msg sms.Message) error
	calls  []sms.Message
}

func (f *fake) Send(ctx context.Context, msg sms.Message) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, msg)
	n := len(f.calls)
	f.mu.Unlock()
	if f.answer != nil {
		if err := f.answer(msg); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s-%d", f.name, n), nil
}

func (f *fake) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.calls) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func msg(to string) sms.Message { return sms.Message{ID: "m", To: to, Body: "code"} }

func TestFailoverOnTransientAndConfigurationErrors(t *testing.T) {
	for _, reason := range []sms.Reason{sms.ProviderDown, sms.Throttled, sms.Timeout, sms.BadCredentials} {
		t.Run(string(reason), func(t *testing.T) {
			a := &fake{name: "a", answer: func(sms.Message) error { return sms.NewError(reason, "", "") }}
			b := &fake{name: "b"}
			r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "b", Provider: b, Priority: 2}}, nil, time.Now, nil)
			res, err := r.Send(context.Background(), msg("+14155550123"))
			if err != nil || res.Provider != "b" || len(res.Tries) != 2 || res.Tries[0].Err == nil || res.Tries[1].Err != nil {
				t.Fatalf("%+v %v", res, err)
			}
		})
	}
}

func TestNoFailoverOnPermanentRefusal(t *testing.T) {
	a := &fake{name: "a", answer: func(sms.Message) error { return sms.NewError(sms.InvalidNumber, "21211", "") }}
	b := &fake{name: "b"}
	r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "b", Provider: b, Priority: 2}}, nil, time.Now, nil)
	if _, err := r.Send(context.Background(), msg("+14155550123")); sms.ReasonOf(err) != sms.InvalidNumber || b.count() != 0 {
		t.Fatalf("err %v, b called %d times", err, b.count())
	}
}

// only serves the calling code cc alone.
func only(cc int) func(int) bool { return func(c int) bool { return c == cc } }

// countryRouter is one provider with an alphanumeric id (never for +1) and
// a number each for +1 and +44.
func countryRouter() *sms.Router {
	return sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}, Senders: []sms.RouteSender{
		{Value: "SMSMFA", Serves: func(cc int) bool { return cc != 1 }},
		{Value: "+15557654321", Serves: only(1)},
		{Value: "+447700900123", Serves: only(44)},
	}}}, nil, time.Now, nil)
}

func TestSendersByCountry(t *testing.T) {
	t.Run("US", func(t *testing.T) {
		r := countryRouter()
		for range 10 {
			res, err := r.Send(context.Background(), msg("+14155550123"))
			if err != nil || res.Sender != "+15557654321" {
				t.Fatalf("sender %q, %v (alphanumeric ids never go to +1)", res.Sender, err)
			}
		}
	})
	t.Run("UKRotatesAcrossEligible", func(t *testing.T) {
		r := countryRouter()
		seen := map[string]bool{}
		for range 10 {
			res, _ := r.Send(context.Background(), msg("+447911123456"))
			seen[res.Sender] = true
		}
		if !seen["SMSMFA"] || !seen["+447700900123"] || seen["+15557654321"] {
			t.Fatalf("UK senders used: %v (want both eligible ones, rotating)", seen)
		}
	})
	t.Run("FranceViaTheAlphanumericID", func(t *testing.T) {
		if res, err := countryRouter().Send(context.Background(), msg("+33612345678")); err != nil || res.Sender != "SMSMFA" {
			t.Fatalf("sender %q, %v", res.Sender, err)
		}
	})
	t.Run("ErrNoSenderForTheCountry", func(t *testing.T) {
		r := sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}, Senders: []sms.RouteSender{{Value: "+15557654321", Serves: only(1)}}}}, nil, time.Now, nil)
		if _, err := r.Send(context.Background(), msg("+447911123456")); sms.ReasonOf(err) != sms.BadSender {
			t.Fatalf("no sender for +44: %v", err)
		}
	})
}

func TestRotationAcrossEqualPriorityProviders(t *testing.T) {
	a, b := &fake{name: "a"}, &fake{name: "b"}
	r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "b", Provider: b, Priority: 1}}, nil, time.Now, nil)
	for range 10 {
		r.Send(context.Background(), msg("+14155550123"))
	}
	if a.count() != 5 || b.count() != 5 {
		t.Fatalf("a %d, b %d: want the pool shared", a.count(), b.count())
	}
}

func TestLowerPriorityUnusedWhileTheFirstWorks(t *testing.T) {
	a, lower := &fake{name: "a"}, &fake{name: "c"}
	r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "c", Provider: lower, Priority: 9}}, nil, time.Now, nil)
	for range 4 {
		r.Send(context.Background(), msg("+14155550123"))
	}
	if a.count() != 4 || lower.count() != 0 {
		t.Fatalf("a %d, c %d: a lower-priority provider was used while the first works", a.count(), lower.count())
	}
}

func TestOptedOutSenderAvoidedButNeverRefused(t *testing.T) {
	stops := func(context.Context, string) ([]string, error) { return []string{"+15557654321"}, nil }
	t.Run("AnotherSenderPreferred", func(t *testing.T) {
		r := sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}, Senders: []sms.RouteSender{{Value: "+15557654321"}, {Value: "+15557654322"}}}}, stops, time.Now, nil)
		for range 6 {
			if res, err := r.Send(context.Background(), msg("+14155550123")); err != nil || res.Sender != "+15557654322" {
				t.Fatalf("sender %q, %v: want the one not opted out", res.Sender, err)
			}
		}
	})
	t.Run("OnlySenderStillUsed", func(t *testing.T) {
		// With no other sender, the code still goes out (MFA is transactional).
		r := sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}, Senders: []sms.RouteSender{{Value: "+15557654321"}}}}, stops, time.Now, nil)
		if res, err := r.Send(context.Background(), msg("+14155550123")); err != nil || res.Sender != "+15557654321" {
			t.Fatalf("only sender opted out: %q %v", res.Sender, err)
		}
	})
	t.Run("NoPoolNoLookup", func(t *testing.T) {
		// Providers without a pool of senders choose the sender themselves:
		// the opt-outs cannot change the route, so they are not read.
		asked := 0
		count := func(context.Context, string) ([]string, error) { asked++; return nil, nil }
		r := sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}}, {Name: "q", Provider: &fake{name: "q"}}}, count, time.Now, nil)
		if _, err := r.Send(context.Background(), msg("+14155550123")); err != nil || asked != 0 {
			t.Fatalf("send: %v; opt-outs read %d times, want 0", err, asked)
		}
		pooled := sms.NewRouter([]sms.Route{{Name: "p", Provider: &fake{name: "p"}, Senders: []sms.RouteSender{{Value: "+15557654321"}}}}, count, time.Now, nil)
		if _, err := pooled.Send(context.Background(), msg("+14155550123")); err != nil || asked != 1 {
			t.Fatalf("send with a pool: %v; opt-outs read %d times, want 1", err, asked)
		}
	})
	t.Run("ProviderRefusalTriesAnotherSender", func(t *testing.T) {
		refuse := &fake{name: "q", answer: func(m sms.Message) error {
			if m.From == "+15557654399" {
				return sms.NewError(sms.OptedOut, "21610", "")
			}
			return nil
		}}
		r := sms.NewRouter([]sms.Route{{Name: "q", Provider: refuse, Senders: []sms.RouteSender{{Value: "+15557654399"}, {Value: "+15557654398"}}}}, nil, time.Now, nil)
		for range 4 {
			if res, err := r.Send(context.Background(), msg("+14155550123")); err != nil || res.Sender != "+15557654398" {
				t.Fatalf("after an opt-out refusal: %q %v", res.Sender, err)
			}
		}
	})
}

// failing is a provider that refuses every message as down.
func failing(name string) *fake {
	return &fake{name: name, answer: func(sms.Message) error { return sms.NewError(sms.ProviderDown, "503", "") }}
}

func TestCircuitBreaker(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	down := true
	a := &fake{name: "a", answer: func(sms.Message) error {
		if down {
			return sms.NewError(sms.ProviderDown, "503", "")
		}
		return nil
	}}
	b := &fake{name: "b"}
	r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "b", Provider: b, Priority: 2}}, nil, c.now, nil)
	for range 3 {
		r.Send(context.Background(), msg("+14155550123"))
	}
	if !r.BreakerOpen("a") || a.count() != 3 {
		t.Fatalf("after 3 failures: open %v, a called %d", r.BreakerOpen("a"), a.count())
	}
	for range 5 {
		if res, _ := r.Send(context.Background(), msg("+14155550123")); len(res.Tries) != 1 || res.Provider != "b" {
			t.Fatalf("open breaker still tried: %+v", res)
		}
	}
	c.t = c.t.Add(sms.BreakerCooldown)
	down = false
	if res, _ := r.Send(context.Background(), msg("+14155550123")); res.Provider != "a" {
		t.Fatalf("half-open probe went to %s", res.Provider)
	}
	if r.BreakerOpen("a") {
		t.Fatal("breaker still open after a successful probe")
	}
}

func TestEveryBreakerOpenEveryProviderStillTried(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	a, b := failing("a"), failing("b")
	r := sms.NewRouter([]sms.Route{{Name: "a", Provider: a, Priority: 1}, {Name: "b", Provider: b, Priority: 2}}, nil, c.now, nil)
	for range 3 {
		r.Send(context.Background(), msg("+14155550123"))
	}
	if !r.BreakerOpen("a") || !r.BreakerOpen("b") {
		t.Fatalf("after 3 failures each: a open %v, b open %v", r.BreakerOpen("a"), r.BreakerOpen("b"))
	}
	if res, err := r.Send(context.Background(), msg("+14155550123")); err == nil || len(res.Tries) != 2 || a.count() != 4 || b.count() != 4 {
		t.Fatalf("all open: %+v %v (a called %d, b %d times)", res, err, a.count(), b.count())
	}
}
