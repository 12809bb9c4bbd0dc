package smstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/sms/webhook"
)

func mustGateway(t *testing.T) (*smstest.Gateway, *webhook.Provider) {
	t.Helper()
	g, err := smstest.NewGateway("gw-secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	p, err := webhook.New(webhook.Config{BaseURL: g.URL(), Secret: "gw-secret"})
	if err != nil {
		t.Fatal(err)
	}
	return g, p
}

func send(t *testing.T, p *webhook.Provider, to, code string) {
	t.Helper()
	if _, err := p.Send(context.Background(), sms.Message{ID: "sms" + code, To: to, Body: "Your code is " + code, Code: code}); err != nil {
		t.Fatal(err)
	}
}

// TestGatewayAwait: Await finds the message to one number sent after a
// given time, waiting for it when it has not come yet.
func TestGatewayAwait(t *testing.T) {
	g, p := mustGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	send(t, p, "+14155550100", "111111")
	since := time.Now()
	got := make(chan smstest.Received, 1)
	go func() {
		r, err := g.Await(ctx, "+14155550100", since)
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	time.Sleep(20 * time.Millisecond)
	send(t, p, "+14155550199", "999999") // another number: Await keeps waiting
	send(t, p, "+14155550100", "222222")
	if r := <-got; r.Code != "222222" || r.At.Before(since) {
		t.Errorf("Await: %+v, want the code sent after since", r)
	}
	if r, err := g.Await(ctx, "+14155550199", time.Time{}); err != nil || r.Code != "999999" {
		t.Errorf("Await of a message already there: %+v, %v", r, err)
	}

	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelShort()
	if _, err := g.Await(short, "+14155550100", time.Now()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Await with nothing coming: %v", err)
	}
}

// TestGatewayWithoutHistory keeps only the latest messages per number.
func TestGatewayWithoutHistory(t *testing.T) {
	g, p := mustGateway(t)
	g.SetHistory(false)
	for i := range 10 {
		send(t, p, "+14155550100", fmt.Sprintf("%06d", i))
	}
	if n := len(g.Received()); n != 0 {
		t.Errorf("Received without history: %d messages", n)
	}
	r, err := g.Await(context.Background(), "+14155550100", time.Time{})
	if err != nil || r.Code != "000006" {
		t.Errorf("oldest message kept: %+v, %v; want the 4th from last", r, err)
	}
}
