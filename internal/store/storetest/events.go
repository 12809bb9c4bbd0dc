package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func newEvent(id, typ string, published time.Time) mfa.Event {
	return mfa.Event{ID: id, Published: published, Type: typ, Severity: mfa.SeverityInfo, Outcome: mfa.OutcomeSuccess}
}

// mustInsertEvents inserts events in order and returns them with their Seq.
func mustInsertEvents(tb testing.TB, db *store.DB, es ...mfa.Event) []mfa.Event {
	tb.Helper()
	MustInTx(tb, db, func(tx mfa.Tx) error {
		for i := range es {
			if err := tx.InsertEvent(context.Background(), &es[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return es
}

func mustListEvents(tb testing.TB, db *store.DB, f mfa.EventFilter) []mfa.Event {
	tb.Helper()
	var out []mfa.Event
	MustInTx(tb, db, func(tx mfa.Tx) error {
		var err error
		out, err = tx.ListEvents(context.Background(), f)
		return err
	})
	checkUTC(tb, out)
	return out
}

func eventIDs(es []mfa.Event) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// fiveEvents inserts e1…e5, one minute apart.
func fiveEvents(tb testing.TB, db *store.DB) []mfa.Event {
	tb.Helper()
	var es []mfa.Event
	for i := range 5 {
		es = append(es, newEvent(fmt.Sprintf("e%d", i+1), mfa.EvSignIn, at(time.Duration(i)*time.Minute)))
	}
	return mustInsertEvents(tb, db, es...)
}

func testEventsInsert(t *testing.T, db *store.DB) {
	full := mfa.Event{
		ID: "ev1", Published: at(time.Second), Type: mfa.EvMFAVerify, Severity: mfa.SeverityWarn,
		Message: "Authentication of user via MFA", Outcome: mfa.OutcomeFailure, Reason: "code_wrong",
		Actor:    mfa.Party{ID: "u1", Type: "User", AlternateID: "ada@example.com", DisplayName: "Ada Lovelace"},
		Target:   mfa.Party{ID: "f1", Type: "Factor", AlternateID: "+1 •••• ••01", DisplayName: "SMS"},
		ClientIP: "2001:db8::1", UserAgent: "Mozilla/5.0", RequestID: "req-1",
		Details: map[string]string{"remaining": "2", "provider": "twilio", "quote": `"<&>'`},
	}
	bare := newEvent("ev2", mfa.EvSignOut, at(2*time.Second))
	got := mustInsertEvents(t, db, full, bare)
	if got[0].Seq <= 0 || got[1].Seq <= got[0].Seq {
		t.Fatalf("Seq = %d, %d; want positive and increasing", got[0].Seq, got[1].Seq)
	}
	more := mustInsertEvents(t, db, newEvent("ev3", mfa.EvSignIn, at(0)))
	if more[0].Seq <= got[1].Seq {
		t.Errorf("Seq of a later insert = %d, want > %d", more[0].Seq, got[1].Seq)
	}
	listed := mustListEvents(t, db, mfa.EventFilter{OldestFirst: true})
	// Events without details may come back with an empty map.
	if diff := cmp.Diff(append(got, more...), listed, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListEvents round trip (-want +got):\n%s", diff)
	}
	err := db.InTx(context.Background(), func(tx mfa.Tx) error {
		dup := newEvent("ev1", mfa.EvSignIn, at(0))
		return tx.InsertEvent(context.Background(), &dup)
	})
	wantErr(t, "InsertEvent duplicate id", err, mfa.ErrConflict)
}

func testEventsOrder(t *testing.T, db *store.DB) {
	fiveEvents(t, db)
	if diff := cmp.Diff([]string{"e5", "e4", "e3", "e2", "e1"}, eventIDs(mustListEvents(t, db, mfa.EventFilter{}))); diff != "" {
		t.Errorf("default order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"e1", "e2", "e3", "e4", "e5"}, eventIDs(mustListEvents(t, db, mfa.EventFilter{OldestFirst: true}))); diff != "" {
		t.Errorf("OldestFirst (-want +got):\n%s", diff)
	}
}

func testEventsAfter(t *testing.T, db *store.DB) {
	es := fiveEvents(t, db)
	for _, tc := range []struct {
		name string
		f    mfa.EventFilter
		want []string
	}{
		{"NewestFirst", mfa.EventFilter{After: es[2].Seq}, []string{"e2", "e1"}},
		{"OldestFirst", mfa.EventFilter{After: es[2].Seq, OldestFirst: true}, []string{"e4", "e5"}},
		{"PageNewestFirst", mfa.EventFilter{After: es[4].Seq, Limit: 2}, []string{"e4", "e3"}},
		{"PageOldestFirst", mfa.EventFilter{After: es[0].Seq, Limit: 2, OldestFirst: true}, []string{"e2", "e3"}},
		{"PastTheEnd", mfa.EventFilter{After: es[4].Seq, OldestFirst: true}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, eventIDs(mustListEvents(t, db, tc.f))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func testEventsSinceUntil(t *testing.T, db *store.DB) {
	fiveEvents(t, db) // e1 at 0, e2 at 1m, … e5 at 4m
	for _, tc := range []struct {
		name string
		f    mfa.EventFilter
		want []string
	}{
		{"SinceInclusive", mfa.EventFilter{Since: at(3 * time.Minute)}, []string{"e5", "e4"}},
		{"SinceMicrosecondLater", mfa.EventFilter{Since: at(3*time.Minute + time.Microsecond)}, []string{"e5"}},
		{"UntilExclusive", mfa.EventFilter{Until: at(time.Minute)}, []string{"e1"}},
		{"Both", mfa.EventFilter{Since: at(time.Minute), Until: at(3 * time.Minute), OldestFirst: true}, []string{"e2", "e3"}},
		{"Empty", mfa.EventFilter{Since: at(time.Hour)}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, eventIDs(mustListEvents(t, db, tc.f))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func testEventsTypesOutcome(t *testing.T, db *store.DB) {
	deny := newEvent("e3", mfa.EvRateLimit, at(2*time.Minute))
	deny.Outcome = mfa.OutcomeDeny
	fail := newEvent("e4", mfa.EvMFAVerify, at(3*time.Minute))
	fail.Outcome = mfa.OutcomeFailure
	verified := newEvent("e2", mfa.EvMFAVerify, at(time.Minute))
	verified.Target = mfa.Party{ID: "u2", Type: "User", AlternateID: "two@example.com"}
	fail.Target = mfa.Party{ID: "u22", Type: "User", AlternateID: "twentytwo@example.com"}
	mustInsertEvents(t, db, newEvent("e1", mfa.EvSignIn, at(0)), verified, deny, fail)
	for _, tc := range []struct {
		name string
		f    mfa.EventFilter
		want []string
	}{
		{"OneType", mfa.EventFilter{Types: []string{mfa.EvMFAVerify}}, []string{"e4", "e2"}},
		{"TwoTypes", mfa.EventFilter{Types: []string{mfa.EvSignIn, mfa.EvRateLimit}}, []string{"e3", "e1"}},
		{"UnknownType", mfa.EventFilter{Types: []string{"nope"}}, []string{}},
		{"TypePrefixIsNotAMatch", mfa.EventFilter{Types: []string{"user."}}, []string{}},
		{"Outcome", mfa.EventFilter{Outcome: mfa.OutcomeDeny}, []string{"e3"}},
		{"Target", mfa.EventFilter{TargetID: "u2"}, []string{"e2"}}, // exact, not a prefix
		{"TypeAndOutcome", mfa.EventFilter{Types: []string{mfa.EvMFAVerify}, Outcome: mfa.OutcomeSuccess}, []string{"e2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, eventIDs(mustListEvents(t, db, tc.f))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func testEventsQuery(t *testing.T, db *store.DB) {
	e1 := newEvent("e1", mfa.EvSignIn, at(0))
	e1.Actor = mfa.Party{ID: "u1", Type: "User", AlternateID: "ada@example.com", DisplayName: "Ada Lovelace"}
	e2 := newEvent("e2", mfa.EvNumberBlocked, at(time.Minute))
	e2.Target = mfa.Party{ID: "n1", Type: "PhoneNumber", AlternateID: "+1 ••• •••• 0199", DisplayName: "Front desk"}
	e3 := newEvent("e3", mfa.EvSettingsUpdate, at(2*time.Minute))
	e3.Message = "Setting code.lifetime changed to 100%"
	e4 := newEvent("e4", mfa.EvRateLimit, at(3*time.Minute))
	e4.Reason = "ip_limit"
	e5 := newEvent("e5", mfa.EvSignIn, at(4*time.Minute))
	e5.Actor = mfa.Party{ID: "u5", Type: "User", AlternateID: "emilie@example.com", DisplayName: "Émilie du Châtelet"}
	mustInsertEvents(t, db, e1, e2, e3, e4, e5)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"ada@", []string{"e1"}},          // actor alternate id
		{"LOVELACE", []string{"e1"}},      // actor display name, any case
		{"front DESK", []string{"e2"}},    // target display name
		{"0199", []string{"e2"}},          // target alternate id
		{"lifetime", []string{"e3"}},      // message
		{"100%", []string{"e3"}},          // % is literal
		{"%", []string{"e3"}},             // … even alone
		{"_", []string{"e4"}},             // _ is literal (only "ip_limit" has one)
		{"ip_limit", []string{"e4"}},      // reason
		{"ÉMILIE DU CHÂ", []string{"e5"}}, // any case beyond ASCII too
		{"nothing like it", []string{}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := eventIDs(mustListEvents(t, db, mfa.EventFilter{Query: tc.query, OldestFirst: true}))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Query %q (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}

func testEventsLimit(t *testing.T, db *store.DB) {
	fiveEvents(t, db)
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{1, []string{"e5"}},
		{3, []string{"e5", "e4", "e3"}},
		{0, []string{"e5", "e4", "e3", "e2", "e1"}}, // no limit given: a default page
		{10, []string{"e5", "e4", "e3", "e2", "e1"}},
	} {
		got := eventIDs(mustListEvents(t, db, mfa.EventFilter{Limit: tc.limit}))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Limit %d (-want +got):\n%s", tc.limit, diff)
		}
	}
}

// A long user agent is cut to fit, never in the middle of a character, and
// bytes that are not UTF-8 are replaced: PostgreSQL refuses such text, and
// a client chooses its User-Agent.
func testEventsDeleteBefore(t *testing.T, db *store.DB) {
	fiveEvents(t, db) // e1 at 0, e2 at 1 min, …
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, err := tx.DeleteEventsBefore(context.Background(), at(2*time.Minute))
		if n != 2 {
			t.Errorf("DeleteEventsBefore deleted %d, want 2 (an event at the cut-off stays)", n)
		}
		return err
	})
	if diff := cmp.Diff([]string{"e3", "e4", "e5"}, eventIDs(mustListEvents(t, db, mfa.EventFilter{OldestFirst: true}))); diff != "" {
		t.Errorf("events after DeleteEventsBefore (-want +got):\n%s", diff)
	}
}

// A backlog larger than one purge statement takes is deleted whole, and
// nothing newer than the cut-off goes with it.
func testEventsDeleteBacklog(t *testing.T, db *store.DB) {
	var evs []mfa.Event
	for i := range 12001 {
		evs = append(evs, mfa.Event{ID: fmt.Sprintf("old%05d", i), Published: at(time.Duration(i) * time.Millisecond), Type: "user.session.start",
			Severity: "INFO", Outcome: "SUCCESS"})
	}
	evs = append(evs, mfa.Event{ID: "new", Published: at(time.Hour), Type: "user.session.start", Severity: "INFO", Outcome: "SUCCESS"})
	if err := db.SeedEvents(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, err := tx.DeleteEventsBefore(context.Background(), at(time.Minute))
		if n != 12001 {
			t.Errorf("DeleteEventsBefore deleted %d of a backlog of 12001", n)
		}
		return err
	})
	if diff := cmp.Diff([]string{"new"}, eventIDs(mustListEvents(t, db, mfa.EventFilter{OldestFirst: true}))); diff != "" {
		t.Errorf("events after the purge of a backlog (-want +got):\n%s", diff)
	}
}

// testTextStorable: text that PostgreSQL refuses (NUL, bytes that are not
// UTF-8) is stored with U+FFFD in their place on both engines, and a key
// holding them finds nothing instead of failing. The domain cleans or
// refuses such text first (mfa.CleanText, mfa.Field); this is the store's
// last line.
func testTextStorable(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"NUL", "ad\x00min", "ad\uFFFDmin"},
		{"NotUTF8", "Mozilla\xff\xfe/5.0 \xc3", "Mozilla\uFFFD/5.0 \uFFFD"},
		{"Plain", "Mozilla/5.0 (X11; Linux x86_64) é", "Mozilla/5.0 (X11; Linux x86_64) é"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEvent("e-"+tc.name, mfa.EvSignIn, at(0))
			e.UserAgent, e.Actor.AlternateID, e.Details = tc.in, tc.in, map[string]string{"v": tc.in}
			e = mustInsertEvents(t, db, e)[0]
			got := mustListEvents(t, db, mfa.EventFilter{After: e.Seq + 1, Limit: 1})
			if len(got) != 1 || got[0].ID != e.ID {
				t.Fatalf("ListEvents = %v, want %s", eventIDs(got), e.ID)
			}
			if g := got[0]; g.UserAgent != tc.want || g.Actor.AlternateID != tc.want || !utf8.ValidString(g.Details["v"]) {
				t.Errorf("stored %q, %q, %q; want %q", g.UserAgent, g.Actor.AlternateID, g.Details["v"], tc.want)
			}
			MustInTx(t, db, func(tx mfa.Tx) error {
				_, err := tx.GetUserByLogin(ctx, tc.in)
				wantErr(t, "GetUserByLogin", err, mfa.ErrNotFound)
				_, err = tx.ListEvents(ctx, mfa.EventFilter{Query: tc.in})
				return err
			})
		})
	}
}
