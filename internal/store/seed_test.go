package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
)

func TestSeedSQLite(t *testing.T) { testSeed(t, storetest.NewSQLite(t)) }

func TestSeedPostgres(t *testing.T) {
	baseURL := os.Getenv("SMSMFA_TEST_POSTGRES")
	if baseURL == "" {
		t.Skip("SMSMFA_TEST_POSTGRES is not set: PostgreSQL seeding skipped")
	}
	testSeed(t, storetest.NewPostgres(t, baseURL))
}

// testSeed seeds more users and events than one statement takes, then
// reads them back through the ordinary store methods.
func testSeed(t *testing.T, db *store.DB) {
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)
	var users []store.SeedUser
	for i := range 5000 {
		users = append(users, store.SeedUser{ID: fmt.Sprintf("00u%017d", i), Login: fmt.Sprintf("user%d@example.com", i), FirstName: "Ann", LastName: "Lee",
			FactorID: fmt.Sprintf("mbl%017d", i), PhoneID: fmt.Sprintf("mbp%017d", i), Phone: fmt.Sprintf("+1415%07d", 2000000+i), Created: at})
	}
	users[1].Phone = users[0].Phone // a shared number: SeedPool takes one of them
	if err := db.SeedUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	storetest.MustInTx(t, db, func(tx mfa.Tx) error {
		u, err := tx.GetUserByLogin(ctx, "user4999@example.com")
		if err != nil {
			return err
		}
		if u.Status != mfa.UserActive || u.PasswordHash != "" || u.Admin || !u.Activated.Equal(at) || u.Email != u.Login {
			t.Errorf("seeded user: %+v", u)
		}
		f, err := tx.GetFactor(ctx, u.ID, "mbl00000000000004999")
		if err != nil {
			return err
		}
		p, err := tx.GetPhone(ctx, u.ID)
		if err != nil {
			return err
		}
		if f.Status != mfa.FactorActive || f.Type != mfa.FactorTypeSMS || f.PhoneNumber != "+14152004999" || p.Number != f.PhoneNumber || !p.Verified.Equal(at) {
			t.Errorf("seeded factor %+v, phone %+v", f, p)
		}
		return nil
	})
	if err := db.SeedUsers(ctx, users[:1]); !errors.Is(err, mfa.ErrConflict) {
		t.Errorf("seeding a user again: %v, want a conflict", err)
	}
	if n, err := db.CountPhones(ctx); err != nil || n != 5000 {
		t.Errorf("CountPhones = %d, %v", n, err)
	}

	storetest.MustInTx(t, db, func(tx mfa.Tx) error { // a code sent to user 2 a moment ago
		return tx.InsertChallenge(ctx, mfa.Challenge{ID: "chl1", UserID: users[2].ID, FactorID: users[2].FactorID, Purpose: mfa.PurposeVerify,
			PhoneNumber: users[2].Phone, CodeMAC: []byte{1}, Created: at.Add(time.Minute), Expires: at.Add(6 * time.Minute), MaxAttempts: 5})
	})
	pool, err := db.SeedPool(ctx, 6000, "mbl00000000000002500", at.Add(time.Minute), at.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(pool) != 4998 || pool[0].FactorID != "mbl00000000000002500" {
		t.Fatalf("SeedPool: %d users from %s, want 4998 (one number is shared, one user just had a code) from the given point", len(pool), pool[0].FactorID)
	}
	phones := map[string]bool{}
	for _, u := range pool {
		if phones[u.Phone] || u.ID == "" || u.PhoneID == "" || u.ID == users[2].ID {
			t.Fatalf("SeedPool: %+v (a number twice, fields missing, or a user who just had a code)", u)
		}
		phones[u.Phone] = true
	}

	var events []mfa.Event
	for i := range 4000 {
		events = append(events, mfa.Event{ID: fmt.Sprintf("evt%017d", i), Published: at.Add(time.Duration(i) * time.Second), Type: mfa.EvMFAVerify,
			Severity: mfa.SeverityInfo, Message: "Code verified", Actor: mfa.Party{ID: users[i].ID, Type: "User"}, Target: mfa.Party{ID: users[i].ID, Type: "User"},
			Outcome: mfa.OutcomeSuccess, Details: map[string]string{"phone": "+1 •••-•••-0123"}})
	}
	if err := db.SeedEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	storetest.MustInTx(t, db, func(tx mfa.Tx) error {
		got, err := tx.ListEvents(ctx, mfa.EventFilter{Limit: 2})
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != "evt00000000000003999" || got[0].Seq <= got[1].Seq || got[0].Details["phone"] != "+1 •••-•••-0123" {
			t.Errorf("newest seeded events: %+v", got)
		}
		return nil
	})
}
