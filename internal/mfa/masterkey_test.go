package mfa_test

import (
	"bytes"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/telephony"
)

// on returns the services of another instance on e's database, clock and
// SMS sink, given master key keys (and its previous key, if any).
func (e *env) on(keys *secret.Keys) mfa.Services {
	var prev []byte
	if keys.Previous != nil {
		prev = keys.Previous.CodeMAC
	}
	disp := delivery.New(e.db, keys, delivery.Single{Name: "dev", Provider: e.sink}, e.clock, nil, nil)
	disp.Wait = 5 * time.Second
	return mfa.New(mfa.Config{Store: e.db, Clock: e.clock, CodeKey: keys.CodeMAC, PreviousCodeKey: prev, Sealer: keys,
		Hasher: password.NewHasher(password.Fast), Deliver: disp, Host: "login.example.com", ProviderKinds: telephony.AllKinds()})
}

// During a master key rotation a code sent by an instance still on the
// old key verifies on an instance already on the new one (which accepts
// the previous key's code MACs), and the reverse for an instance given the
// new key as previous. Once the previous key is removed, a code made under
// it no longer matches: it counts as a wrong code.
func TestCodesAcrossKeyRotation(t *testing.T) {
	e, u, f := codeEnv(t) // on key {1}×32
	a, _ := secret.Derive(bytes.Repeat([]byte{1}, 32))
	b, _ := secret.Derive(bytes.Repeat([]byte{2}, 32))
	onB := e.on(b.WithPrevious(a))

	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := onB.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatalf("a code sent under A, verified on B with A as previous: %v", err)
	}

	e.clock.Advance(time.Minute)
	if _, err := onB.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err == nil {
		t.Fatal("an instance with only A accepted a code made under B")
	}
	if err := e.on(a.WithPrevious(b)).Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)); err != nil {
		t.Fatalf("a code made under B, verified on A with B as previous: %v", err)
	}

	e.clock.Advance(time.Minute)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	wantReason(t, e.on(b).Factors.VerifySMS(e.ctx, u.ID, f.ID, e.lastCode(t, alicePhone)), mfa.RCodeWrong)
}
