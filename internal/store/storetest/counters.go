package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testCountersAdd(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w1, w2 := at(0).Truncate(time.Hour), at(time.Hour).Truncate(time.Hour)
	steps := []struct {
		bucket string
		window time.Time
		n      int
		want   int
	}{
		{"ip:192.0.2.1", w1, 1, 1},
		{"ip:192.0.2.1", w1, 1, 2},
		{"ip:192.0.2.1", w1, 3, 5},
		{"ip:192.0.2.1", w2, 1, 1}, // another window
		{"user:u1", w1, 2, 2},      // another bucket
		{"ip:192.0.2.1", w1, -2, 3},
		{"user:u1", w1, -2, 0},
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, s := range steps {
			got, err := tx.AddCount(ctx, s.bucket, s.window, s.n)
			if err != nil {
				return err
			}
			if got != s.want {
				t.Errorf("AddCount(%s, %v, %d) = %d, want %d", s.bucket, s.window, s.n, got, s.want)
			}
		}
		return nil
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, tc := range []struct {
			bucket string
			window time.Time
			want   int
		}{
			{"ip:192.0.2.1", w1, 3},
			{"ip:192.0.2.1", w2, 1},
			{"user:u1", w1, 0},
			{"user:u1", w2, 0},
			{"never", w1, 0},
		} {
			got, err := tx.Count(ctx, tc.bucket, tc.window)
			if err != nil {
				return err
			}
			if got != tc.want {
				t.Errorf("Count(%s, %v) = %d, want %d", tc.bucket, tc.window, got, tc.want)
			}
		}
		return nil
	})
}

func testCountersAddMany(t *testing.T, db *store.DB) {
	ctx := context.Background()
	MustInTx(t, db, func(tx mfa.Tx) error {
		_, err := tx.AddCount(ctx, "b@10.0.0.0", at(0), 4)
		return err
	})
	adds := []mfa.CountAdd{{Bucket: "a", Window: at(0), N: 1}, {Bucket: "b@10.0.0.0", Window: at(0), N: 1}, {Bucket: "a", Window: at(time.Hour), N: 2}}
	MustInTx(t, db, func(tx mfa.Tx) error {
		got, err := tx.AddCounts(ctx, adds)
		if err != nil || !slices.Equal(got, []int{1, 5, 2}) {
			t.Errorf("AddCounts = %v, %v; want [1 5 2] (in the order asked)", got, err)
		}
		for i := range adds {
			adds[i].N = -adds[i].N
		}
		got, err = tx.AddCounts(ctx, adds)
		if err != nil || !slices.Equal(got, []int{0, 4, 0}) {
			t.Errorf("AddCounts taken back = %v, %v; want [0 4 0]", got, err)
		}
		return nil
	})
}

func testCountersAddConcurrent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const workers = 20
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		mu     sync.Mutex
		totals = map[int]bool{}
	)
	for range workers {
		wg.Go(func() {
			<-start
			err := db.InTx(ctx, func(tx mfa.Tx) error {
				n, err := tx.AddCount(ctx, "budget:day", at(0), 1)
				mu.Lock()
				totals[n] = true
				mu.Unlock()
				return err
			})
			if err != nil {
				t.Errorf("InTx: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, err := tx.Count(ctx, "budget:day", at(0))
		if n != workers {
			t.Errorf("Count after %d concurrent AddCount = %d", workers, n)
		}
		return err
	})
	// Each caller saw a different running total.
	if len(totals) != workers {
		t.Errorf("distinct running totals = %d, want %d", len(totals), workers)
	}
}

func testCountersDeleteBefore(t *testing.T, db *store.DB) {
	ctx := context.Background()
	windows := []time.Time{at(-2 * time.Hour), at(-time.Hour), at(0)}
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, w := range windows {
			if _, err := tx.AddCount(ctx, "b", w, 1); err != nil {
				return err
			}
		}
		n, err := tx.DeleteCountsBefore(ctx, at(-time.Hour)) // strictly before
		if n != 1 {
			t.Errorf("DeleteCountsBefore deleted %d, want 1", n)
		}
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		for i, w := range windows {
			n, err := tx.Count(ctx, "b", w)
			if err != nil {
				return err
			}
			if want := min(i, 1); n != want {
				t.Errorf("Count(window %v) = %d, want %d", w, n, want)
			}
		}
		return nil
	})
}
