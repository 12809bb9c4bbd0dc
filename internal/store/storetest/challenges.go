package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testChallengesInsertGet(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	live := mfa.Challenge{
		ID: "c1", UserID: "u1", FactorID: "f1", Purpose: mfa.PurposeEnroll, PhoneNumber: "+15550100001",
		CodeMAC: []byte{0, 1, 2, 0xfe, 0xff, 0}, Created: at(0), Expires: at(5 * time.Minute),
		Attempts: 1, MaxAttempts: 5, MessageID: "m1", ClientIP: "2001:db8::1",
	}
	used := newChallenge("c2", "u1", "f1", "+15550100001", at(time.Second))
	used.Consumed, used.Dead = at(2*time.Second), at(3*time.Second)
	mustInsertChallenges(t, db, live, used)
	for _, want := range []mfa.Challenge{live, used} {
		if diff := cmp.Diff(want, mustGetChallenge(t, db, want.ID)); diff != "" {
			t.Errorf("GetChallenge(%s) mismatch (-want +got):\n%s", want.ID, diff)
		}
	}
	err := db.InTx(ctx, func(tx mfa.Tx) error {
		_, err := tx.GetChallenge(ctx, "nope")
		wantErr(t, "GetChallenge missing", err, mfa.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		return tx.InsertChallenge(ctx, newChallenge("c1", "u1", "f2", "+15550100002", at(time.Hour)))
	})
	wantErr(t, "InsertChallenge duplicate id", err, mfa.ErrConflict)
}

func testChallengesLatest(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	old := newChallenge("c-old", "u1", "f1", "+15550100001", at(0))
	newest := newChallenge("c-new", "u1", "f1", "+15550100001", at(2*time.Minute))
	middle := newChallenge("c-mid", "u1", "f1", "+15550100001", at(time.Minute))
	enroll := newChallenge("c-enroll", "u1", "f1", "+15550100001", at(3*time.Minute))
	enroll.Purpose = mfa.PurposeEnroll
	otherFactor := newChallenge("c-other", "u1", "f2", "+15550100001", at(4*time.Minute))
	// Microseconds apart: the order must survive the engine's precision.
	closeCall := newChallenge("c-close", "u1", "f3", "+15550100001", at(time.Microsecond))
	closeFirst := newChallenge("c-close-first", "u1", "f3", "+15550100001", at(0))
	// Newest of all, but in a sign-in's scope.
	scoped := newChallenge("c-scoped", "u1", "f1", "+15550100001", at(5*time.Minute))
	scoped.Scope = "atx1"
	mustInsertChallenges(t, db, old, newest, middle, enroll, otherFactor, closeFirst, closeCall, scoped)

	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, tc := range []struct {
			factor  string
			purpose mfa.Purpose
			scope   string
			want    mfa.Challenge
		}{
			{"f1", mfa.PurposeVerify, mfa.NoScope, newest},
			{"f1", mfa.PurposeVerify, "atx1", scoped},
			{"f1", mfa.PurposeEnroll, mfa.NoScope, enroll},
			{"f2", mfa.PurposeVerify, mfa.NoScope, otherFactor},
			{"f3", mfa.PurposeVerify, mfa.NoScope, closeCall},
		} {
			got, err := tx.LatestChallenge(ctx, tc.factor, tc.purpose, tc.scope)
			if err != nil {
				return err
			}
			checkUTC(t, got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LatestChallenge(%s, %s) (-want +got):\n%s", tc.factor, tc.purpose, diff)
			}
		}
		_, err := tx.LatestChallenge(ctx, "f2", mfa.PurposeEnroll, mfa.NoScope)
		wantErr(t, "LatestChallenge none", err, mfa.ErrNotFound)
		_, err = tx.LatestChallenge(ctx, "f1", mfa.PurposeVerify, "atx2")
		wantErr(t, "LatestChallenge of another scope", err, mfa.ErrNotFound)
		return nil
	})
}

func testChallengesLastAt(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	lastAt := func(userID string) time.Time {
		var tm time.Time
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			tm, err = tx.LastChallengeAt(ctx, userID, mfa.NoScope)
			return err
		})
		return tm
	}
	if got := lastAt("u1"); !got.IsZero() {
		t.Errorf("LastChallengeAt with none = %v, want zero", got)
	}
	mustInsertChallenges(t, db,
		newChallenge("c1", "u1", "f1", "+15550100001", at(time.Minute+time.Microsecond)),
		newChallenge("c2", "u1", "f1", "+15550100001", at(0)),
		newChallenge("c3", "u2", "f2", "+15550100002", at(time.Hour)),
	)
	inSignIn := newChallenge("c4", "u1", "f1", "+15550100001", at(time.Hour))
	inSignIn.Scope = "atx1"
	mustInsertChallenges(t, db, inSignIn)
	got := lastAt("u1")
	if !got.Equal(at(time.Minute+time.Microsecond)) || got.Location() != time.UTC {
		t.Errorf("LastChallengeAt = %v, want %v", got, at(time.Minute+time.Microsecond))
	}
}

func testChallengesKill(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := at(time.Minute)
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"))
	live := newChallenge("live", "u1", "f1", "+15550100001", at(0))
	live2 := newChallenge("live2", "u1", "f1", "+15550100001", at(30*time.Second))
	consumed := newChallenge("consumed", "u1", "f1", "+15550100001", at(0))
	consumed.Consumed = at(10 * time.Second)
	dead := newChallenge("dead", "u1", "f1", "+15550100001", at(0))
	dead.Dead = at(20 * time.Second)
	expired := newChallenge("expired", "u1", "f1", "+15550100001", at(-10*time.Minute))
	otherUser := newChallenge("other", "u2", "f2", "+15550100002", at(0))
	otherScope := newChallenge("scoped", "u1", "f1", "+15550100001", at(0))
	otherScope.Scope = "atx1"
	all := []mfa.Challenge{live, live2, consumed, dead, expired, otherUser, otherScope}
	mustInsertChallenges(t, db, all...)
	// Texts still queued: the one of a killed code is dropped, the others
	// stay; a text already on its way is not touched.
	queued := func(id, challenge string, state mfa.MessageState) mfa.Message {
		m := newMessage(id, at(0))
		m.ChallengeID, m.State = challenge, state
		return m
	}
	mustInsertMessages(t, db, queued("m-live", "live", mfa.MessageQueued), queued("m-live2", "live2", mfa.MessageSending),
		queued("m-scoped", "scoped", mfa.MessageQueued), queued("m-consumed", "consumed", mfa.MessageQueued))

	MustInTx(t, db, func(tx mfa.Tx) error { return tx.KillChallenges(ctx, "u1", mfa.NoScope, now) })
	for id, want := range map[string]mfa.MessageState{"m-live": mfa.MessageExpired, "m-live2": mfa.MessageSending,
		"m-scoped": mfa.MessageQueued, "m-consumed": mfa.MessageQueued} {
		m := mustGetMessage(t, db, id)
		if m.State != want || (want == mfa.MessageExpired) != (m.SealedBody == nil) {
			t.Errorf("text %s after KillChallenges: %s (body kept: %v), want %s", id, m.State, m.SealedBody != nil, want)
		}
	}
	live.Dead, live2.Dead = now, now
	for _, want := range []mfa.Challenge{live, live2, consumed, dead, expired, otherUser, otherScope} {
		if diff := cmp.Diff(want, mustGetChallenge(t, db, want.ID)); diff != "" {
			t.Errorf("challenge %s after KillChallenges (-want +got):\n%s", want.ID, diff)
		}
	}
	later := at(2 * time.Minute)
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.KillAllChallenges(ctx, "u1", later) })
	otherScope.Dead = later
	for _, want := range []mfa.Challenge{live, live2, consumed, dead, expired, otherUser, otherScope} {
		if diff := cmp.Diff(want, mustGetChallenge(t, db, want.ID)); diff != "" {
			t.Errorf("challenge %s after KillAllChallenges (-want +got):\n%s", want.ID, diff)
		}
	}
}

func testChallengesAddAttempt(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	mustInsertChallenges(t, db, newChallenge("c1", "u1", "f1", "+15550100001", at(0))) // MaxAttempts 3
	type result struct {
		N  int
		OK bool
	}
	var got []result
	for range 5 {
		MustInTx(t, db, func(tx mfa.Tx) error {
			n, ok, err := tx.AddAttempt(ctx, "c1")
			got = append(got, result{n, ok})
			return err
		})
	}
	want := []result{{1, true}, {2, true}, {3, true}, {0, false}, {0, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddAttempt results (-want +got):\n%s", diff)
	}
	if c := mustGetChallenge(t, db, "c1"); c.Attempts != 3 {
		t.Errorf("Attempts = %d, want 3", c.Attempts)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, ok, err := tx.AddAttempt(ctx, "nope")
		if ok || n != 0 {
			t.Errorf("AddAttempt(missing) = %d, %v; want 0, false", n, ok)
		}
		return err
	})
}

func testChallengesConsume(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := at(time.Minute)
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	live := newChallenge("live", "u1", "f1", "+15550100001", at(0))
	expired := newChallenge("expired", "u1", "f1", "+15550100001", at(-10*time.Minute))
	expiresNow := newChallenge("expires-now", "u1", "f1", "+15550100001", now.Add(-5*time.Minute))
	dead := newChallenge("dead", "u1", "f1", "+15550100001", at(0))
	dead.Dead = at(time.Second)
	exhausted := newChallenge("exhausted", "u1", "f1", "+15550100001", at(0))
	exhausted.Attempts = exhausted.MaxAttempts
	lastTry := newChallenge("last-try", "u1", "f1", "+15550100001", at(0))
	lastTry.Attempts = lastTry.MaxAttempts - 1
	mustInsertChallenges(t, db, live, expired, expiresNow, dead, exhausted, lastTry)

	consume := func(id string) bool {
		var ok bool
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			ok, err = tx.ConsumeChallenge(ctx, id, now)
			return err
		})
		return ok
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"live", true},
		{"live", false}, // only once
		{"expired", false},
		{"expires-now", false}, // expiry is exclusive
		{"dead", false},
		{"exhausted", false},
		{"last-try", true},
		{"nope", false},
	} {
		if got := consume(tc.id); got != tc.want {
			t.Errorf("ConsumeChallenge(%s) = %v, want %v", tc.id, got, tc.want)
		}
	}
	live.Consumed = now
	if diff := cmp.Diff(live, mustGetChallenge(t, db, "live")); diff != "" {
		t.Errorf("consumed challenge (-want +got):\n%s", diff)
	}
	if c := mustGetChallenge(t, db, "expired"); !c.Consumed.IsZero() {
		t.Errorf("expired challenge Consumed = %v, want zero", c.Consumed)
	}
}

func testChallengesConsumeConcurrent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	mustInsertChallenges(t, db, newChallenge("c1", "u1", "f1", "+15550100001", at(0)))
	const workers = 20
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		oks   = make(chan bool, workers)
		errs  = make(chan error, workers)
	)
	for range workers {
		wg.Go(func() {
			<-start
			err := db.InTx(ctx, func(tx mfa.Tx) error {
				ok, err := tx.ConsumeChallenge(ctx, "c1", at(time.Minute))
				oks <- ok && err == nil
				return err
			})
			if err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(oks)
	close(errs)
	for err := range errs {
		t.Errorf("InTx: %v", err)
	}
	n := 0
	for ok := range oks {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of %d concurrent ConsumeChallenge calls got ok, want exactly 1", n, workers)
	}
}

func testPhonesNumberVerifiers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const shared, other = "+15550100001", "+15550100002"
	mustInsertUsers(t, db, newUser("u1", "one@x"), newUser("u2", "two@x"), newUser("u3", "three@x"), newUser("u4", "four@x"))
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, p := range []mfa.Phone{
			{ID: "p1", UserID: "u1", Number: shared, Verified: at(0), Created: at(0)},
			{ID: "p2", UserID: "u2", Number: shared, Verified: at(time.Minute), Created: at(0)},
			{ID: "p3", UserID: "u3", Number: shared, Verified: at(-time.Hour), Created: at(-time.Hour)},
			{ID: "p4", UserID: "u4", Number: other, Verified: at(time.Hour), Created: at(0)},
		} {
			if err := tx.PutPhone(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, tc := range []struct {
			number, except string
			since          time.Time
			want           int
		}{
			{shared, "", at(-2 * time.Hour), 3},
			{shared, "", at(0), 2}, // since is inclusive
			{shared, "u1", at(0), 1},
			{shared, "u2", at(time.Microsecond), 0},
			{shared, "", at(time.Minute + time.Microsecond), 0},
			{other, "", at(0), 1},
			{"+15550100003", "", at(-2 * time.Hour), 0},
		} {
			got, err := tx.CountNumberVerifiers(ctx, tc.number, tc.except, tc.since)
			if err != nil {
				return err
			}
			if got != tc.want {
				t.Errorf("CountNumberVerifiers(%s, except %q, %v) = %d, want %d", tc.number, tc.except, tc.since, got, tc.want)
			}
		}
		users, err := tx.NumberUsers(ctx, shared, 2)
		if err != nil {
			return err
		}
		if len(users) != 2 || users[0].Login != "one@x" || users[1].Login != "three@x" {
			t.Errorf("NumberUsers(%s, 2) = %v, want one@x and three@x (by login, at most 2)", shared, users)
		}
		return nil
	})
}

func testChallengesDeleteBefore(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "one@x"))
	mustInsertChallenges(t, db,
		newChallenge("c1", "u1", "f1", "+15550100001", at(-time.Hour)),      // expires at -55m
		newChallenge("c2", "u1", "f1", "+15550100001", at(-10*time.Minute)), // expires at -5m
		newChallenge("c3", "u1", "f1", "+15550100001", at(0)),               // expires at +5m
	)
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, err := tx.DeleteChallengesBefore(ctx, at(-5*time.Minute)) // strictly before: c2 stays
		if n != 1 {
			t.Errorf("DeleteChallengesBefore deleted %d, want 1", n)
		}
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for id, want := range map[string]error{"c1": mfa.ErrNotFound, "c2": nil, "c3": nil} {
			_, err := tx.GetChallenge(ctx, id)
			if !errors.Is(err, want) {
				wantErr(t, "GetChallenge("+id+")", err, want)
			}
		}
		return nil
	})
}

func testKillDropsQueuedMessages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "a@example.com"))
	mustInsertChallenges(t, db, newChallenge("c1", "u1", "f1", "+15550100001", at(0)), newChallenge("c2", "u1", "f1", "+15550100001", at(time.Second)))
	queued, sent := newMessage("m1", at(0)), newMessage("m2", at(0))
	queued.ChallengeID, sent.ChallengeID = "c1", "c2"
	sent.State = mfa.MessageSent
	mustInsertMessages(t, db, queued, sent)
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.KillChallenges(ctx, "u1", mfa.NoScope, at(2*time.Second)) })
	if m := mustGetMessage(t, db, "m1"); m.State != mfa.MessageExpired || m.SealedBody != nil {
		t.Errorf("the queued message of a killed code: %s (body kept: %v)", m.State, m.SealedBody != nil)
	}
	if m := mustGetMessage(t, db, "m2"); m.State != mfa.MessageSent {
		t.Errorf("a sent message was changed: %s", m.State)
	}
}

func testDeleteChallenge(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustInsertUsers(t, db, newUser("u1", "a@example.com"))
	mustInsertChallenges(t, db, newChallenge("c1", "u1", "f1", "+15550100001", at(0)))
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.DeleteChallenge(ctx, "c1") })
	err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.DeleteChallenge(ctx, "c1") })
	wantErr(t, "delete twice", err, mfa.ErrNotFound)
	MustInTx(t, db, func(tx mfa.Tx) error {
		if at, err := tx.LastChallengeAt(ctx, "u1", mfa.NoScope); err != nil || !at.IsZero() {
			t.Errorf("LastChallengeAt after delete = %v, %v", at, err)
		}
		return nil
	})
}
