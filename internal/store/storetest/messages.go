package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testMessagesInsertGet(t *testing.T, db *store.DB) {
	ctx := context.Background()
	full := mfa.Message{
		ID: "m1", ChallengeID: "c1", UserID: "u1", To: "+15550100001", SealedBody: []byte{0, 1, 0xff, 0},
		State: mfa.MessageSent, Attempts: 2, NextAttempt: at(time.Second), LockedUntil: at(30 * time.Second),
		Created: at(0), Expires: at(5 * time.Minute), Sent: at(3 * time.Second), Provider: "twilio",
		Sender: "+15550199999", ProviderMessageID: "SM123", Error: "first try: 503",
	}
	queued := newMessage("m2", at(0))
	mustInsertMessages(t, db, full, queued)
	for _, want := range []mfa.Message{full, queued} {
		if diff := cmp.Diff(want, mustGetMessage(t, db, want.ID)); diff != "" {
			t.Errorf("DB.GetMessage(%s) (-want +got):\n%s", want.ID, diff)
		}
		MustInTx(t, db, func(tx mfa.Tx) error {
			got, err := tx.GetMessage(ctx, want.ID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Tx.GetMessage(%s) (-want +got):\n%s", want.ID, diff)
			}
			return err
		})
	}
	_, err := db.GetMessage(ctx, "nope")
	wantErr(t, "DB.GetMessage missing", err, mfa.ErrNotFound)
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetMessage(ctx, "nope")
		return err
	})
	wantErr(t, "Tx.GetMessage missing", err, mfa.ErrNotFound)
	err = db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertMessage(ctx, newMessage("m1", at(0))) })
	wantErr(t, "InsertMessage duplicate", err, mfa.ErrConflict)
}

func testOutboxClaimMessage(t *testing.T, db *store.DB) {
	ctx := context.Background()
	due := newMessage("due", at(0))
	future := newMessage("future", at(time.Minute))
	sent := newMessage("sent", at(0))
	sent.State = mfa.MessageSent
	mustInsertMessages(t, db, due, future, sent)
	now, lease := at(0), at(30*time.Second) // due exactly now

	m, ok, err := db.ClaimMessage(ctx, "due", now, lease, "w1")
	if err != nil || !ok {
		t.Fatalf("ClaimMessage(due) = %v, %v; want ok", ok, err)
	}
	want := due
	want.State, want.Attempts, want.LockedUntil, want.Claim = mfa.MessageSending, 1, lease, "w1"
	checkUTC(t, m)
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("claimed message (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, mustGetMessage(t, db, "due")); diff != "" {
		t.Errorf("stored claimed message (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		id  string
		now time.Time
	}{
		{"due", now},   // already claimed, lease running
		{"due", lease}, // lease ends exactly now: not yet
		{"sent", now},  // done
		{"nope", now},  // missing
	} {
		if _, ok, err := db.ClaimMessage(ctx, tc.id, tc.now, tc.now.Add(30*time.Second), "w1"); ok || err != nil {
			t.Errorf("ClaimMessage(%s, %v) = %v, %v; want false, nil", tc.id, tc.now, ok, err)
		}
	}
	// The request that queued a message claims it before it is due (the
	// workers' ClaimDue waits for next_attempt).
	if _, ok, err := db.ClaimMessage(ctx, "future", at(time.Second), at(time.Minute), "w1"); !ok || err != nil {
		t.Errorf("ClaimMessage(future) = %v, %v; want ok", ok, err)
	}
}

func testOutboxClaimExpiredLease(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertMessages(t, db, newMessage("m1", at(0)))
	if _, ok, err := db.ClaimMessage(ctx, "m1", at(0), at(30*time.Second), "w1"); !ok || err != nil {
		t.Fatalf("first ClaimMessage = %v, %v", ok, err)
	}
	if _, ok, err := db.ClaimMessage(ctx, "m1", at(10*time.Second), at(40*time.Second), "w1"); ok || err != nil {
		t.Errorf("ClaimMessage while the first lease runs = %v, %v; want not claimed", ok, err)
	}
	if got, err := db.ClaimDue(ctx, at(10*time.Second), at(40*time.Second), 10, "w2"); len(got) != 0 || err != nil {
		t.Errorf("ClaimDue while the lease runs = %d messages, %v; want 0", len(got), err)
	}
	// The worker crashed: after its lease the message is claimable again.
	m, ok, err := db.ClaimMessage(ctx, "m1", at(31*time.Second), at(61*time.Second), "w1")
	if !ok || err != nil {
		t.Fatalf("ClaimMessage after the lease = %v, %v; want ok", ok, err)
	}
	if m.Attempts != 2 || !m.LockedUntil.Equal(at(61*time.Second)) || m.State != mfa.MessageSending || m.Claim != store.LostPrefix+"w1" {
		t.Errorf("reclaimed: Attempts %d, LockedUntil %v, State %s, Claim %q; want 2, %v, sending, %q", m.Attempts, m.LockedUntil, m.State, m.Claim, at(61*time.Second), store.LostPrefix+"w1")
	}
	// And ClaimDue finds expired leases too.
	got, err := db.ClaimDue(ctx, at(62*time.Second), at(92*time.Second), 10, "w2")
	if err != nil || len(got) != 1 || got[0].ID != "m1" || got[0].Attempts != 3 {
		t.Errorf("ClaimDue after the second lease = %+v, %v; want m1 with 3 attempts", got, err)
	}
}

func ids(ms []mfa.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func testOutboxClaimDue(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var ms []mfa.Message
	// Five due (inserted out of order), two in the future, one already sent.
	for i, d := range []time.Duration{3, 1, 5, 2, 4} {
		ms = append(ms, newMessage(fmt.Sprintf("due%d", i), at(d*time.Second)))
	}
	ms = append(ms, newMessage("future1", at(time.Minute)), newMessage("future2", at(time.Hour)))
	sent := newMessage("sent", at(0))
	sent.State = mfa.MessageSent
	ms = append(ms, sent)
	mustInsertMessages(t, db, ms...)

	now, lease := at(10*time.Second), at(40*time.Second)
	claim := func(limit int) []mfa.Message {
		got, err := db.ClaimDue(ctx, now, lease, limit, "w2")
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		checkUTC(t, got)
		for _, m := range got {
			if m.State != mfa.MessageSending || m.Attempts != 1 || !m.LockedUntil.Equal(lease) {
				t.Errorf("claimed %s: State %s, Attempts %d, LockedUntil %v", m.ID, m.State, m.Attempts, m.LockedUntil)
			}
		}
		return got
	}
	first := ids(claim(3))
	slices.Sort(first)
	// Oldest due first: next_attempt 1s, 2s, 3s.
	if diff := cmp.Diff([]string{"due0", "due1", "due3"}, first); diff != "" {
		t.Errorf("first ClaimDue(3) (-want +got):\n%s", diff)
	}
	second := ids(claim(3))
	slices.Sort(second)
	if diff := cmp.Diff([]string{"due2", "due4"}, second); diff != "" {
		t.Errorf("second ClaimDue(3) (-want +got):\n%s", diff)
	}
	if got := claim(3); len(got) != 0 {
		t.Errorf("third ClaimDue = %v, want none", ids(got))
	}
	if m := mustGetMessage(t, db, "future1"); m.State != mfa.MessageQueued || m.Attempts != 0 {
		t.Errorf("future message touched: %+v", m)
	}
}

func testOutboxClaimDueConcurrent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const messages, workers = 30, 10
	var ms []mfa.Message
	for i := range messages {
		ms = append(ms, newMessage(fmt.Sprintf("m%02d", i), at(time.Duration(i)*time.Millisecond)))
	}
	mustInsertMessages(t, db, ms...)
	var (
		mu      sync.Mutex
		claimed = map[string]int{}
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			for {
				got, err := db.ClaimDue(ctx, at(time.Second), at(time.Minute), 2, "w2")
				if err != nil {
					t.Errorf("ClaimDue: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					claimed[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	want := map[string]int{}
	for _, m := range ms {
		want[m.ID] = 1
	}
	if diff := cmp.Diff(want, claimed); diff != "" {
		t.Errorf("times each message was claimed (-want +got):\n%s", diff)
	}
}

func testOutboxFinish(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertMessages(t, db, newMessage("retry", at(0)), newMessage("sent", at(0)))
	for _, id := range []string{"retry", "sent"} {
		if _, ok, err := db.ClaimMessage(ctx, id, at(0), at(30*time.Second), "w1"); !ok || err != nil {
			t.Fatalf("ClaimMessage(%s) = %v, %v", id, ok, err)
		}
	}

	// A failed attempt to be retried keeps its body.
	retry := mfa.MessageUpdate{State: mfa.MessageQueued, NextAttempt: at(time.Minute), Provider: "twilio",
		Error: "503 from provider", KeepBody: true}
	retry.Attempts = []mfa.Attempt{{Attempt: 1, Provider: "twilio", Sender: "+15550199999", Started: at(0), Latency: 120 * time.Millisecond, Outcome: "transient", Error: "503 from provider"}}
	if err := db.FinishMessage(ctx, "retry", "w1", retry); err != nil {
		t.Fatal(err)
	}
	want := newMessage("retry", at(time.Minute))
	want.Attempts, want.Provider, want.Error, want.Claim = 1, "twilio", "503 from provider", "w1"
	if diff := cmp.Diff(want, mustGetMessage(t, db, "retry")); diff != "" {
		t.Errorf("after retry FinishMessage (-want +got):\n%s", diff)
	}

	// A sent message loses its body.
	done := mfa.MessageUpdate{State: mfa.MessageSent, Sent: at(2 * time.Second), Provider: "vonage",
		Sender: "smsmfa", ProviderMessageID: "abc-123"}
	if err := db.FinishMessage(ctx, "sent", "w1", done); err != nil {
		t.Fatal(err)
	}
	got := mustGetMessage(t, db, "sent")
	if got.SealedBody != nil {
		t.Errorf("SealedBody after FinishMessage without KeepBody = %x, want nil", got.SealedBody)
	}
	want = newMessage("sent", at(0))
	want.SealedBody, want.State, want.Attempts, want.Sent = nil, mfa.MessageSent, 1, at(2*time.Second)
	want.Provider, want.Sender, want.ProviderMessageID, want.Claim = "vonage", "smsmfa", "abc-123", "w1"
	want.NextAttempt = got.NextAttempt // no retry: the value does not matter
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after sent FinishMessage (-want +got):\n%s", diff)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM messages WHERE id = $1 AND sealed_body IS NULL`, "sent").Scan(&n); err != nil || n != 1 {
		t.Errorf("sealed_body IS NULL rows = %d, %v; want 1", n, err)
	}

	wantErr(t, "FinishMessage missing", db.FinishMessage(ctx, "nope", "w1", done), store.ErrClaimLost)
	// Recording twice, or under another worker's claim, does not change
	// the message.
	wantErr(t, "FinishMessage again", db.FinishMessage(ctx, "sent", "w1", retry), store.ErrClaimLost)
	if m := mustGetMessage(t, db, "sent"); m.State != mfa.MessageSent {
		t.Errorf("a finished message was changed: %s", m.State)
	}
	var recs []mfa.DeliveryRecord
	MustInTx(t, db, func(tx mfa.Tx) error {
		as, err := tx.ListAttempts(ctx, []string{"retry", "sent"})
		for _, a := range as {
			recs = append(recs, mfa.DeliveryRecord{Attempts: []mfa.Attempt{a}})
		}
		return err
	})
	// retry's attempt, and the attempts of the refused second FinishMessage
	// (they happened, so they are kept).
	if len(recs) != 2 || recs[0].Attempts[0].Latency != 120*time.Millisecond || recs[0].Attempts[0].Outcome != "transient" {
		t.Errorf("attempts: %+v", recs)
	}
}

func testOutboxFinishGroup(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertMessages(t, db, newMessage("g1", at(0)), newMessage("g2", at(0)), newMessage("g3", at(0)))
	for _, id := range []string{"g1", "g2", "g3"} {
		if _, ok, err := db.ClaimMessage(ctx, id, at(0), at(30*time.Second), "w1"); !ok || err != nil {
			t.Fatalf("ClaimMessage(%s) = %v, %v", id, ok, err)
		}
	}
	sent := func(pid string) mfa.MessageUpdate {
		return mfa.MessageUpdate{State: mfa.MessageSent, Sent: at(time.Second), Provider: "twilio", ProviderMessageID: pid,
			Attempts: []mfa.Attempt{{Attempt: 1, Provider: "twilio", Started: at(0), Outcome: "sent"}}}
	}
	// g2's outcome comes under a claim that no longer holds: only g2 is
	// left as it was (its attempt is kept), the others are recorded.
	lost, err := db.FinishMessages(ctx, []mfa.MessageFinish{{ID: "g1", Claim: "w1", Update: sent("P1")},
		{ID: "g2", Claim: "w0", Update: sent("P2")}, {ID: "g3", Claim: "w1", Update: sent("P3")}})
	if err != nil || !slices.Equal(lost, []bool{false, true, false}) {
		t.Fatalf("FinishMessages = %v, %v; want [false true false]", lost, err)
	}
	for id, want := range map[string]mfa.MessageState{"g1": mfa.MessageSent, "g2": mfa.MessageSending, "g3": mfa.MessageSent} {
		if got := mustGetMessage(t, db, id); got.State != want || (want == mfa.MessageSent) != (got.ProviderMessageID != "") {
			t.Errorf("%s: state %s, provider id %q; want %s", id, got.State, got.ProviderMessageID, want)
		}
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		as, err := tx.ListAttempts(ctx, []string{"g1", "g2", "g3"})
		if len(as) != 3 {
			t.Errorf("attempts recorded: %d, want 3", len(as))
		}
		return err
	})
}

func testOutboxTakeOver(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertMessages(t, db, newMessage("m1", at(0)))
	if _, ok, err := db.ClaimMessage(ctx, "m1", at(0), at(30*time.Second), "a"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// Worker a is slow; its lease ends and worker b takes the message.
	m, ok, err := db.ClaimMessage(ctx, "m1", at(31*time.Second), at(61*time.Second), "b")
	if !ok || err != nil || m.Claim != store.LostPrefix+"b" {
		t.Fatalf("take over: %v %v %q", ok, err, m.Claim)
	}
	wantErr(t, "FinishMessage by the worker that lost it", db.FinishMessage(ctx, "m1", "a", mfa.MessageUpdate{State: mfa.MessageFailed}), store.ErrClaimLost)
	if err := db.FinishMessage(ctx, "m1", m.Claim, mfa.MessageUpdate{State: mfa.MessageSent, Sent: at(32 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if got := mustGetMessage(t, db, "m1"); got.State != mfa.MessageSent {
		t.Errorf("state %s", got.State)
	}
}

func testOutboxReleaseLeases(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertMessages(t, db, newMessage("m1", at(0)), newMessage("m2", at(0)))
	if _, ok, err := db.ClaimMessage(ctx, "m1", at(0), at(time.Hour), "dead"); !ok || err != nil {
		t.Fatalf("ClaimMessage = %v, %v", ok, err)
	}
	n, err := db.ReleaseLeases(ctx, at(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("ReleaseLeases = %d, %v", n, err)
	}
	got, err := db.ClaimDue(ctx, at(time.Second), at(time.Minute), 10, "new")
	if err != nil || len(got) != 2 {
		t.Fatalf("after release: %d messages, %v", len(got), err)
	}
	for _, m := range got {
		if (m.ID == "m1") != (m.Claim == store.LostPrefix+"new") {
			t.Errorf("%s: claim %q", m.ID, m.Claim)
		}
	}
}

func testOutboxReceipts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	m := newMessage("m1", at(0))
	m.State, m.Provider, m.ProviderMessageID = mfa.MessageSent, "tw", "SM1"
	q := newMessage("m2", at(0))
	mustInsertMessages(t, db, m, q)
	apply := func(provider, pid string, st mfa.MessageState) bool {
		var found bool
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			found, err = tx.ApplyReceipt(ctx, provider, pid, st, "detail", at(time.Minute))
			return err
		})
		return found
	}
	if apply("other", "SM1", mfa.MessageDelivered) || apply("tw", "SM9", mfa.MessageDelivered) {
		t.Fatal("receipt matched another provider's or an unknown message")
	}
	if !apply("tw", "SM1", mfa.MessageUndelivered) {
		t.Fatal("receipt not found")
	}
	got := mustGetMessage(t, db, "m1")
	if got.State != mfa.MessageUndelivered || got.ReceiptError != "detail" || !got.ReceiptAt.Equal(at(time.Minute)) {
		t.Fatalf("after receipt: %+v", got)
	}
	apply("tw", "SM1", mfa.MessageDelivered) // a later delivered wins
	apply("tw", "SM1", mfa.MessageSent)      // never backwards
	if got := mustGetMessage(t, db, "m1"); got.State != mfa.MessageDelivered {
		t.Fatalf("state %s", got.State)
	}
	var ms []mfa.Message
	MustInTx(t, db, func(tx mfa.Tx) error {
		var err error
		ms, err = tx.ListMessages(ctx, mfa.MessageFilter{Provider: "tw"})
		return err
	})
	if len(ms) != 1 || ms[0].ID != "m1" {
		t.Fatalf("ListMessages by provider: %v", ids(ms))
	}
}

// The outbox's depth counts the texts waiting (queued or being sent), and
// its oldest is the oldest of those; sent and failed texts are not waiting.
func testOutboxStats(t *testing.T, db *store.DB) {
	ctx := context.Background()
	n, oldest, err := db.OutboxStats(ctx)
	if err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("empty outbox: %d, %v, %v", n, oldest, err)
	}
	old, waiting, sending, sent := newMessage("m1", at(0)), newMessage("m2", at(0)), newMessage("m3", at(0)), newMessage("m4", at(0))
	old.State, old.Created = mfa.MessageSent, at(-time.Hour) // older, but sent
	waiting.Created = at(-90*time.Second + 250*time.Millisecond)
	sending.Created = at(-30 * time.Second)
	sent.State = mfa.MessageFailed
	mustInsertMessages(t, db, old, waiting, sending, sent)
	if _, ok, err := db.ClaimMessage(ctx, "m3", at(0), at(time.Minute), "w"); !ok || err != nil {
		t.Fatalf("ClaimMessage = %v, %v", ok, err)
	}
	n, oldest, err = db.OutboxStats(ctx)
	if err != nil || n != 2 || !oldest.Equal(waiting.Created) || oldest.Location() != time.UTC {
		t.Fatalf("outbox: %d waiting, oldest %v, %v; want 2, %v", n, oldest, err, waiting.Created)
	}
}
