package delivery

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// groups is a Store that records each group of outcomes it is given; the
// first group waits for gate. Outcomes of "lost-…" messages report a lost
// claim; a group holding "bad" fails as a whole.
type groups struct {
	mu      sync.Mutex
	seen    [][]string
	gate    chan struct{}
	inside  chan struct{}
	gate2   chan struct{} // when set, the second group waits for it
	inside2 chan struct{}
}

func (g *groups) ClaimDue(context.Context, time.Time, time.Time, int, string) ([]mfa.Message, error) {
	return nil, nil
}

func (g *groups) FinishMessages(_ context.Context, fs []mfa.MessageFinish) ([]bool, error) {
	g.mu.Lock()
	first, second := len(g.seen) == 0, len(g.seen) == 1
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	g.seen = append(g.seen, ids)
	g.mu.Unlock()
	if first {
		close(g.inside)
		<-g.gate
	}
	if second && g.gate2 != nil {
		close(g.inside2)
		<-g.gate2
	}
	if slices.Contains(ids, "bad") {
		return nil, errors.New("constraint failed")
	}
	lost := make([]bool, len(fs))
	for i, f := range fs {
		lost[i] = len(f.ID) > 5 && f.ID[:5] == "lost-"
	}
	return lost, nil
}

func TestOutcomesArrivingDuringAWriteAreWrittenTogether(t *testing.T) {
	st := &groups{gate: make(chan struct{}), inside: make(chan struct{})}
	g := &finisher{store: st}
	ids := []string{"m1", "m2", "lost-m3", "m4", "bad", "m6"}
	results := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	finish := func(id string) {
		err := g.finish(context.Background(), mfa.MessageFinish{ID: id, Claim: "c"})
		mu.Lock()
		results[id] = err
		mu.Unlock()
	}
	wg.Go(func() { finish("m0") })
	<-st.inside // m0 is being written
	for _, id := range ids {
		wg.Go(func() { finish(id) })
	}
	waitPending(g, len(ids)) // every later outcome waits for the writer
	close(st.gate)
	wg.Wait()

	// m0 alone, then the six in one group (which fails: "bad"), then each
	// of the six alone.
	if len(st.seen) != 2+len(ids) || len(st.seen[0]) != 1 || len(st.seen[1]) != len(ids) {
		t.Fatalf("groups written: %v", st.seen)
	}
	for id, err := range results {
		var want error
		switch id {
		case "lost-m3":
			want = mfa.ErrClaimLost
		case "bad":
			want = errors.New("constraint failed")
		}
		if (err == nil) != (want == nil) || (err != nil && err.Error() != want.Error()) {
			t.Errorf("outcome of %s: %v, want %v", id, err, want)
		}
	}
	if len(results) != 1+len(ids) {
		t.Errorf("%d outcomes answered, want %d", len(results), 1+len(ids))
	}
}

func TestAGroupWithoutAFailureIsOneWrite(t *testing.T) {
	st := &groups{gate: make(chan struct{}), inside: make(chan struct{})}
	g := &finisher{store: st}
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.finish(context.Background(), mfa.MessageFinish{ID: "m0"}) })
	<-st.inside
	for i := range 200 { // more than one group holds
		wg.Go(func() {
			_ = g.finish(context.Background(), mfa.MessageFinish{ID: "m" + string(rune('a'+i%26)) + string(rune('a'+i/26))})
		})
	}
	waitPending(g, 200)
	close(st.gate)
	wg.Wait()
	if len(st.seen) != 3 || len(st.seen[1]) != maxGroup || len(st.seen[2]) != 200-maxGroup {
		t.Fatalf("wrote %d groups of sizes %v, want 1, %d, %d", len(st.seen), sizes(st.seen), maxGroup, 200-maxGroup)
	}
}

func sizes(gs [][]string) []int {
	var out []int
	for _, g := range gs {
		out = append(out, len(g))
	}
	return out
}

// The caller that wrote a group has its answer at once: the next group is
// written by a caller of that group, not by the first writer.
func TestTheWriterDoesNotWaitForOthersGroups(t *testing.T) {
	st := &groups{gate: make(chan struct{}), inside: make(chan struct{}), gate2: make(chan struct{}), inside2: make(chan struct{})}
	g := &finisher{store: st}
	first := make(chan error, 1)
	go func() { first <- g.finish(context.Background(), mfa.MessageFinish{ID: "m0"}) }()
	<-st.inside
	var wg sync.WaitGroup
	for _, id := range []string{"m1", "m2"} {
		wg.Go(func() { _ = g.finish(context.Background(), mfa.MessageFinish{ID: id}) })
	}
	waitPending(g, 2)
	close(st.gate)
	<-st.inside2 // the second group is being written, and stays so
	if err := <-first; err != nil {
		t.Fatalf("first outcome: %v", err)
	}
	close(st.gate2)
	wg.Wait()
	if len(st.seen) != 2 || len(st.seen[1]) != 2 {
		t.Fatalf("groups written: %v", st.seen)
	}
}

// waitPending returns once n outcomes wait for the writer.
func waitPending(g *finisher, n int) {
	for {
		g.mu.Lock()
		k := len(g.pending)
		g.mu.Unlock()
		if k == n {
			return
		}
		runtime.Gosched()
	}
}
