package password

import (
	"context"
	"errors"
	"testing"
)

// A check that would only wait behind a full queue is refused at once, and
// works again as soon as a place is free.
func TestFullQueueRefusesAtOnce(t *testing.T) {
	h := NewHasherQueue(Fast, 3)
	hash, err := h.Hash(context.Background(), "Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(h.queue) { // every place taken by checks still running or waiting
		h.queue <- struct{}{}
	}
	if _, _, err := h.Verify(context.Background(), hash, "Correct-Horse-9"); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: %v, want ErrBusy", err)
	}
	if _, _, err := h.Verify(context.Background(), "", "guess"); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue, unknown user: %v, want ErrBusy", err)
	}
	<-h.queue
	if ok, _, err := h.Verify(context.Background(), hash, "Correct-Horse-9"); err != nil || !ok {
		t.Fatalf("a place free: %v %v", ok, err)
	}
}
