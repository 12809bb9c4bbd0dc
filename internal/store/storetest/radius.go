package storetest

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// testRadiusClients: RADIUS clients round-trip (prefix, sealed secret,
// time in UTC), are listed by name, are unique by name and by prefix, and
// are deleted by name or id, the deleted row returned.
func testRadiusClients(t *testing.T, db *store.DB) {
	ctx := context.Background()
	vpn := mfa.RadiusClient{ID: "rad1", Name: "vpn", Prefix: netip.MustParsePrefix("192.0.2.10/32"), SealedSecret: []byte{0, 1, 2, 0xff}, Created: at(0)}
	fw := mfa.RadiusClient{ID: "rad2", Name: "firewalls", Prefix: netip.MustParsePrefix("2001:db8::/64"), SealedSecret: []byte("sealed"), Created: at(time.Second)}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertRadiusClient(ctx, vpn); err != nil {
			return err
		}
		return tx.InsertRadiusClient(ctx, fw)
	})
	for _, dup := range []mfa.RadiusClient{
		{ID: "rad3", Name: "vpn", Prefix: netip.MustParsePrefix("198.51.100.0/24"), SealedSecret: []byte("x"), Created: at(2)},
		{ID: "rad4", Name: "other", Prefix: netip.MustParsePrefix("192.0.2.10/32"), SealedSecret: []byte("x"), Created: at(2)},
	} {
		err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertRadiusClient(ctx, dup) })
		if !errors.Is(err, mfa.ErrConflict) {
			t.Errorf("insert %s (%s) = %v, want ErrConflict", dup.Name, dup.Prefix, err)
		}
	}
	var got []mfa.RadiusClient
	MustInTx(t, db, func(tx mfa.Tx) error {
		var err error
		got, err = tx.ListRadiusClients(ctx)
		return err
	})
	checkUTC(t, got)
	if diff := cmp.Diff([]mfa.RadiusClient{fw, vpn}, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("ListRadiusClients (-want +got):\n%s", diff)
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		c, err := tx.DeleteRadiusClient(ctx, "vpn")
		if c.ID != "rad1" {
			t.Errorf("DeleteRadiusClient(vpn) = %+v, want rad1", c)
		}
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		if _, err := tx.DeleteRadiusClient(ctx, "vpn"); !errors.Is(err, mfa.ErrNotFound) {
			t.Errorf("DeleteRadiusClient again = %v, want ErrNotFound", err)
		}
		_, err := tx.DeleteRadiusClient(ctx, "rad2")
		return err
	})
	MustInTx(t, db, func(tx mfa.Tx) error {
		left, err := tx.ListRadiusClients(ctx)
		if len(left) != 0 {
			t.Errorf("after deleting both: %+v", left)
		}
		return err
	})
}

// testRadiusRequests: a request key is claimed once; while it is being
// answered a second claim gets no reply, then the recorded reply; a nil
// reply releases the claim; an expired record is claimed afresh; the
// purge deletes expired records only.
func testRadiusRequests(t *testing.T, db *store.DB) {
	ctx := context.Background()
	k1, k2 := []byte("request-one-0123456789abcdef0123"), []byte("request-two-0123456789abcdef0123")
	claim := func(key []byte, now time.Time) (bool, []byte) {
		t.Helper()
		var fresh bool
		var reply []byte
		MustInTx(t, db, func(tx mfa.Tx) error {
			var err error
			fresh, reply, err = tx.ClaimRadiusRequest(ctx, key, now, now.Add(2*time.Minute))
			return err
		})
		return fresh, reply
	}
	if fresh, _ := claim(k1, at(0)); !fresh {
		t.Fatal("first claim not fresh")
	}
	if fresh, reply := claim(k1, at(time.Second)); fresh || reply != nil {
		t.Errorf("claim while in flight: fresh %v, reply %q", fresh, reply)
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.FinishRadiusRequest(ctx, k1, []byte{0, 1, 2}) })
	if fresh, reply := claim(k1, at(2*time.Second)); fresh || string(reply) != "\x00\x01\x02" {
		t.Errorf("claim after the reply: fresh %v, reply %q", fresh, reply)
	}
	if fresh, _ := claim(k1, at(3*time.Minute)); !fresh {
		t.Error("an expired record was not claimed afresh")
	}
	if fresh, _ := claim(k2, at(0)); !fresh {
		t.Fatal("second key not fresh")
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.FinishRadiusRequest(ctx, k2, nil) })
	if fresh, _ := claim(k2, at(time.Second)); !fresh {
		t.Error("a released claim was not claimed afresh")
	}
	MustInTx(t, db, func(tx mfa.Tx) error {
		n, err := tx.DeleteRadiusRequestsBefore(ctx, at(4*time.Minute)) // k2 expires at 2m1s, k1 at 5m
		if n != 1 {
			t.Errorf("purged %d, want 1", n)
		}
		return err
	})
	if fresh, reply := claim(k1, at(4*time.Minute)); fresh || reply != nil {
		t.Errorf("k1 after the purge: fresh %v, reply %q (want still in flight)", fresh, reply)
	}
}
