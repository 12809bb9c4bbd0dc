package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

func testProviders(t *testing.T, db *store.DB) {
	ctx := context.Background()
	p := mfa.StoredProvider{ProviderConfig: mfa.ProviderConfig{ID: "p1", Name: "tw", Type: "twilio", BaseURL: "http://127.0.0.1:1", Priority: 20, Enabled: true,
		Created: at(0), Updated: at(0), Senders: []mfa.Sender{
			{ID: "s1", ProviderID: "p1", Value: "+15557654321", Kind: mfa.SenderNumber, CallingCodes: []int{1}},
			{ID: "s2", ProviderID: "p1", Value: "SMSMFA", Kind: mfa.SenderAlphanumeric, CallingCodes: []int{33, 44}},
		}}, SealedCredentials: []byte{1, 2, 3}}
	q := mfa.StoredProvider{ProviderConfig: mfa.ProviderConfig{ID: "p2", Name: "vo", Type: "vonage", Priority: 10, Enabled: true, Created: at(0), Updated: at(0)},
		SealedCredentials: []byte{4}}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := tx.InsertProvider(ctx, p); err != nil {
			return err
		}
		return tx.InsertProvider(ctx, q)
	})
	err := db.InTx(ctx, func(tx mfa.Tx) error { p2 := q; p2.ID = "p3"; return tx.InsertProvider(ctx, p2) })
	wantErr(t, "duplicate provider name", err, mfa.ErrConflict)
	var got []mfa.StoredProvider
	MustInTx(t, db, func(tx mfa.Tx) (err error) { got, err = tx.ListProviders(ctx); return })
	if diff := cmp.Diff([]mfa.StoredProvider{q, p}, got); diff != "" {
		t.Errorf("ListProviders (-want +got):\n%s", diff)
	}
	p.Senders, p.Priority, p.Enabled, p.Updated = p.Senders[:1], 5, false, at(time.Minute)
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.UpdateProvider(ctx, p) })
	MustInTx(t, db, func(tx mfa.Tx) (err error) { got, err = tx.ListProviders(ctx); return })
	if diff := cmp.Diff([]mfa.StoredProvider{p, q}, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	MustInTx(t, db, func(tx mfa.Tx) error { return tx.DeleteProvider(ctx, "tw") })
	err = db.InTx(ctx, func(tx mfa.Tx) error { return tx.DeleteProvider(ctx, "tw") })
	wantErr(t, "delete twice", err, mfa.ErrNotFound)
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM senders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d senders outlived their provider", n)
	}
}

func testOptOuts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	MustInTx(t, db, func(tx mfa.Tx) error {
		for _, o := range []mfa.OptOut{
			{Number: "+15550100001", Sender: "+15557654321", Provider: "tw", Created: at(0)},
			{Number: "+15550100001", Sender: "SMSMFA", Provider: "vo", Created: at(time.Second)},
			{Number: "+15550100002", Sender: "+15557654321", Provider: "tw", Created: at(2 * time.Second)},
		} {
			if err := tx.PutOptOut(ctx, o); err != nil {
				return err
			}
		}
		if err := tx.PutOptOut(ctx, mfa.OptOut{Number: "+15550100001", Sender: "SMSMFA", Created: at(time.Hour)}); err != nil { // STOP twice
			return err
		}
		return tx.InsertOptOutEvent(ctx, mfa.OptOutEvent{Number: "+15550100001", Sender: "SMSMFA", Provider: "vo", Keyword: "stop", At: at(time.Second), ProviderMessageID: "in1"})
	})
	var senders []string
	var outs []mfa.OptOut
	var evs []mfa.OptOutEvent
	MustInTx(t, db, func(tx mfa.Tx) (err error) {
		if senders, err = tx.OptedOutSenders(ctx, "+15550100001"); err != nil {
			return err
		}
		if err = tx.DeleteOptOut(ctx, "+15550100002", "+15557654321"); err != nil {
			return err
		}
		if outs, err = tx.ListOptOuts(ctx, 10); err != nil {
			return err
		}
		evs, err = tx.ListOptOutEvents(ctx, "+15550100001", 10)
		return err
	})
	if len(senders) != 2 || len(outs) != 2 || outs[0].Sender != "SMSMFA" || !outs[0].Created.Equal(at(time.Second)) {
		t.Errorf("senders %v, opt-outs %+v", senders, outs)
	}
	if len(evs) != 1 || evs[0].Keyword != "stop" || evs[0].ProviderMessageID != "in1" || evs[0].ID == 0 {
		t.Errorf("events %+v", evs)
	}
}

func testTemplates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	en := mfa.Template{Locale: "en", Body: "Code {code}", Updated: at(0), UpdatedBy: "admin"}
	fr := mfa.Template{Locale: "fr", Body: "Code : {code}", Updated: at(0), UpdatedBy: "admin"}
	MustInTx(t, db, func(tx mfa.Tx) error {
		if err := errors.Join(tx.PutTemplate(ctx, en), tx.PutTemplate(ctx, fr)); err != nil {
			return err
		}
		fr.Body = "Votre code : {code}"
		return tx.PutTemplate(ctx, fr)
	})
	var got []mfa.Template
	MustInTx(t, db, func(tx mfa.Tx) (err error) { got, err = tx.ListTemplates(ctx); return })
	if diff := cmp.Diff([]mfa.Template{en, fr}, got); diff != "" {
		t.Errorf("templates (-want +got):\n%s", diff)
	}
	err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.DeleteTemplate(ctx, "de") })
	wantErr(t, "delete missing template", err, mfa.ErrNotFound)
}
