package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
)

// fill puts rows in every table the copy must carry.
func fill(t *testing.T, db *store.DB) {
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 9, 0, 0, 123456000, time.UTC)
	storetest.MustInTx(t, db, func(tx mfa.Tx) error {
		for _, err := range []error{
			tx.InsertUser(ctx, mfa.User{ID: "00u1", Login: "a@example.com", Status: mfa.UserActive, Admin: true, PasswordHash: "$argon2id$x", Created: at, LastUpdated: at, LockedUntil: at.Add(time.Hour)}),
			tx.InsertFactor(ctx, mfa.Factor{ID: "mbl1", UserID: "00u1", Type: "sms", Status: mfa.FactorActive, PhoneNumber: "+14155550123", Created: at, LastUpdated: at}),
			tx.PutPhone(ctx, mfa.Phone{ID: "mbl2", UserID: "00u1", Number: "+14155550123", Verified: at, Created: at}),
			tx.InsertChallenge(ctx, mfa.Challenge{ID: "chl1", UserID: "00u1", FactorID: "mbl1", Purpose: mfa.PurposeVerify, PhoneNumber: "+14155550123", CodeMAC: []byte{1, 2}, Created: at, Expires: at.Add(5 * time.Minute), MaxAttempts: 5}),
			tx.InsertMessage(ctx, mfa.Message{ID: "sms1", ChallengeID: "chl1", UserID: "00u1", To: "+14155550123", SealedBody: []byte{9}, State: mfa.MessageSent, NextAttempt: at, Created: at, Expires: at.Add(5 * time.Minute)}),
			tx.SaveSetting(ctx, "sms_enabled", "true", "cli", at),
			tx.PutNumber(ctx, mfa.Number{Number: "+14155550199", Status: mfa.NumberTrusted, Updated: at}),
			tx.InsertToken(ctx, mfa.APIToken{ID: "tok1", Name: "ci", TokenHash: []byte{7}, Created: at}),
			tx.PutOptOut(ctx, mfa.OptOut{Number: "+14155550123", Sender: "+15557654321", Created: at}),
			tx.InsertOptOutEvent(ctx, mfa.OptOutEvent{Number: "+14155550123", Sender: "+15557654321", Keyword: "stop", At: at}),
			tx.PutTemplate(ctx, mfa.Template{Locale: "fr", Body: "Code : {code}", Updated: at}),
			tx.InsertProvider(ctx, mfa.StoredProvider{ProviderConfig: mfa.ProviderConfig{ID: "prv1", Name: "tw", Type: "twilio", Enabled: true, Created: at, Updated: at,
				Senders: []mfa.Sender{{ID: "snd1", ProviderID: "prv1", Value: "+15557654321", Kind: mfa.SenderNumber, CallingCodes: []int{1}}}}, SealedCredentials: []byte{3}}),
		} {
			if err != nil {
				return err
			}
		}
		if _, err := tx.AddCount(ctx, "budget", at, 3); err != nil {
			return err
		}
		for i := range 1200 { // more than one batch
			e := mfa.Event{ID: "evt" + string(rune('a'+i%26)) + time.Duration(i).String(), Published: at, Type: mfa.EvSignIn, Severity: "INFO", Outcome: "SUCCESS", Details: map[string]string{"n": "1"}}
			if err := tx.InsertEvent(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.FinishMessage(ctx, "sms1", "", mfa.MessageUpdate{}); err == nil {
		t.Fatal("finishing an unclaimed message must fail")
	}
	if err := db.Sessions().CommitCtx(ctx, "session-token", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// copyEnds returns a fresh SQLite database to copy from and a fresh
// PostgreSQL one to copy to; the test is skipped without PostgreSQL.
func copyEnds(t *testing.T) (src, dst *store.DB) {
	t.Helper()
	baseURL := os.Getenv("SMSMFA_TEST_POSTGRES")
	if baseURL == "" {
		t.Skip("SMSMFA_TEST_POSTGRES is not set: PostgreSQL copy test skipped")
	}
	return storetest.NewSQLite(t), storetest.NewPostgres(t, baseURL)
}

func TestCopySQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	src, dst := copyEnds(t)
	fill(t, src)
	// Key material: the source's replaces what an instance started on the
	// empty target pinned.
	for db, v := range map[*store.DB]string{src: "source key", dst: "target key"} {
		if _, err := db.PinKeyMaterial(ctx, "phone id", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	var last int64
	counts, err := src.CopyTo(ctx, dst, func(table string, copied, total int64) {
		if copied < last || copied > total {
			t.Errorf("progress went from %d to %d of %d", last, copied, total)
		}
		last = copied
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if c.Source != c.Target {
			t.Errorf("%s: %d → %d", c.Table, c.Source, c.Target)
		}
	}
	// Rows read back the same on both sides.
	read := func(db *store.DB) (u mfa.User, evs []mfa.Event, ps []mfa.StoredProvider) {
		storetest.MustInTx(t, db, func(tx mfa.Tx) (err error) {
			if u, err = tx.GetUser(ctx, "00u1"); err != nil {
				return err
			}
			if evs, err = tx.ListEvents(ctx, mfa.EventFilter{Limit: 1000}); err != nil {
				return err
			}
			ps, err = tx.ListProviders(ctx)
			return err
		})
		return
	}
	u1, e1, p1 := read(src)
	u2, e2, p2 := read(dst)
	if diff := cmp.Diff(u1, u2); diff != "" {
		t.Errorf("user (-sqlite +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(e1, e2); diff != "" {
		t.Errorf("events (-sqlite +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Errorf("providers (-sqlite +postgres):\n%s", diff)
	}
	if k, err := dst.PinKeyMaterial(ctx, "phone id", []byte("another")); err != nil || string(k) != "source key" {
		t.Errorf("key material after the copy: %q %v", k, err)
	}
	if _, found, _ := dst.Sessions().FindCtx(ctx, "session-token"); !found {
		t.Error("sessions were not carried over")
	}
	// New events continue after the copied ones.
	storetest.MustInTx(t, dst, func(tx mfa.Tx) error {
		e := mfa.Event{ID: "evt-new", Published: time.Now(), Type: mfa.EvSignIn, Severity: "INFO"}
		if err := tx.InsertEvent(ctx, &e); err != nil {
			return err
		}
		if e.Seq <= e1[0].Seq {
			t.Errorf("new event seq %d not after the copied %d", e.Seq, e1[0].Seq)
		}
		return nil
	})
	// A second copy into a database that has data is refused.
	if _, err := src.CopyTo(ctx, dst, nil); err == nil {
		t.Fatal("copied into a database that already holds data")
	}
}

// A SQLite database written before text was cleaned may hold NUL and bytes
// that are not UTF-8, which PostgreSQL refuses: the copy carries such text
// with U+FFFD in their place instead of failing.
func TestCopyCarriesTextPostgresRefuses(t *testing.T) {
	ctx := context.Background()
	src, dst := copyEnds(t)
	_, err := src.SQL().ExecContext(ctx, `INSERT INTO events (id, published, event_type, severity, message, actor_id, actor_type, actor_alternate_id,
		actor_display_name, target_id, target_type, target_alternate_id, target_display_name, client_ip, user_agent, request_id, outcome, reason, details)
		VALUES ('evt1', $1, 'user.session.start', 'WARN', 'Sign-in failed', 'unknown', 'User', $2, '', '', '', '', '', '', $3, '', 'FAILURE', '', '{}')`,
		time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), "ad\x00min", "curl\xff")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CopyTo(ctx, dst, nil); err != nil {
		t.Fatalf("CopyTo: %v", err)
	}
	var evs []mfa.Event
	storetest.MustInTx(t, dst, func(tx mfa.Tx) (err error) {
		evs, err = tx.ListEvents(ctx, mfa.EventFilter{})
		return err
	})
	if len(evs) != 1 || evs[0].Actor.AlternateID != "ad\uFFFDmin" || evs[0].UserAgent != "curl\uFFFD" {
		t.Fatalf("copied events = %+v", evs)
	}
}
