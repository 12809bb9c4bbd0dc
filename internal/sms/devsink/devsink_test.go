package devsink_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/devsink"
)

func TestSinkRecordsTheCode(t *testing.T) {
	s := devsink.New(10, nil)
	msg := sms.Message{ID: "sms1", To: "+14155550123", From: "+15557654321", Body: "Your code is 482913.", Code: "482913"}
	if _, err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 1 || got[0].Code != "482913" || got[0].Body != msg.Body || got[0].To != msg.To || got[0].From != msg.From {
		t.Fatalf("Messages = %+v", got)
	}
	// The JSON of /dev/sms/messages: the documented fields, and the code.
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"body", "code", "created", "from", "id", "to"}; !slices.Equal(keys, want) || fields["code"] != "482913" {
		t.Fatalf("JSON %s: keys %v, want %v", b, keys, want)
	}
}

func TestSinkKeepsTheNewest(t *testing.T) {
	s := devsink.New(2, nil)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.Send(context.Background(), sms.Message{ID: id, To: "+14155550123", Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Messages(); len(got) != 2 || got[0].ID != "dev2-b" || got[1].ID != "dev3-c" {
		t.Fatalf("Messages = %+v", got)
	}
}
