package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store/storetest"
)

// BenchmarkUnitOfWork is the shape of a verification's unit of work on
// SQLite: read the settings, lock the user, read the factor and the newest
// challenge, count a request, write an event.
func BenchmarkUnitOfWork(b *testing.B) {
	db := storetest.NewSQLite(b)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if err := db.InTx(ctx, func(tx mfa.Tx) error {
		for i := range 100 {
			id := fmt.Sprintf("u%03d", i)
			if err := tx.InsertUser(ctx, mfa.User{ID: id, Login: id + "@example.com", Status: mfa.UserActive, Created: now, LastUpdated: now}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("u%03d", i%100)
		err := db.InTx(ctx, func(tx mfa.Tx) error {
			if _, err := tx.LoadSettings(ctx); err != nil {
				return err
			}
			if _, err := tx.LockUser(ctx, id); err != nil {
				return err
			}
			if _, err := tx.ListFactors(ctx, id); err != nil {
				return err
			}
			if _, err := tx.LatestChallenge(ctx, "f"+id, mfa.PurposeVerify, mfa.NoScope); err != nil && err != mfa.ErrNotFound {
				return err
			}
			if _, err := tx.AddCount(ctx, "bench:"+id, now, 1); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, &mfa.Event{ID: fmt.Sprintf("e%d", i), Published: now, Type: mfa.EvMFAVerify, Severity: mfa.SeverityInfo, Outcome: mfa.OutcomeSuccess})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
