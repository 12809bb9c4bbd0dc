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

// An unknown user costs one hash with the production parameters, and the
// dummy behind it was made without one.
func TestDummyHashHasTheParameters(t *testing.T) {
	h := NewHasher(Fast)
	p, salt, key, err := parse(h.dummy)
	if err != nil || p.Memory != Fast.Memory || p.Time != Fast.Time || p.Threads != Fast.Threads || len(salt) != int(Fast.SaltLen) || len(key) != int(Fast.KeyLen) {
		t.Fatalf("dummy %q: %+v, %v", h.dummy, p, err)
	}
	if ok, _, err := h.Verify(context.Background(), "", "anything"); ok || err != nil {
		t.Fatalf("unknown user: %v %v", ok, err)
	}
	if other := NewHasher(Fast); other.dummy == h.dummy {
		t.Fatal("two hashers made the same dummy")
	}
}
