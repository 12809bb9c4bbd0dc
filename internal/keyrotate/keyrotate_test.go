package keyrotate_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/keyrotate"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/radius"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
)

func derive(t *testing.T, b byte) *secret.Keys {
	t.Helper()
	k, err := secret.Derive(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var ctx = mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})

// instance is one server's view of the database: its services built on
// the master key(s) it was given, as cmd/smsmfa wires them.
type instance struct {
	keys  *secret.Keys
	svc   mfa.Services
	rad   *mfa.Radius
	oidc  *mfa.OIDC
	phone []byte
}

func newInstance(t *testing.T, db *store.DB, keys *secret.Keys) (*instance, error) {
	t.Helper()
	pid, err := keyrotate.PhoneIDKey(ctx, db, keys)
	if err != nil {
		return nil, err
	}
	dc := mfa.Config{Store: db, CodeKey: keys.CodeMAC, PhoneIDKey: pid, Sealer: keys, Opener: keys, Hasher: password.NewHasher(password.Fast),
		ProviderKinds: telephony.AllKinds(), Settings: mfa.NewSettingsCache()}
	tel := mfa.NewTelephony(dc)
	dc.Deliver = delivery.New(db, keys, delivery.Single{Name: "dev", Provider: devsink.New(10, nil)}, mfa.SystemClock{}, nil, nil)
	svc := mfa.New(dc)
	svc.Telephony = tel
	return &instance{keys: keys, svc: svc, rad: mfa.NewRadius(dc), oidc: mfa.NewOIDC(dc), phone: pid}, nil
}

// fixture is what was sealed under key A.
type fixture struct {
	signingKey string
	replyKey   []byte
	reply      []byte
	// totpUser's pending authenticator app factor has totpSecret.
	totpUser, totpSecret string
}

const (
	provCred   = "hook-secret-0123456789"
	radSecret  = "radius-shared-secret-42"
	bodyNew    = "Your code is 424242"
	bodyLegacy = "Your code is 131313"
)

// seed seals one value of every kind under the instance's key: two
// providers, a RADIUS client and a cached RADIUS reply, an OpenID Connect
// signing key, and two queued messages (one in the format of older
// versions, bound to the bare message id).
func seed(t *testing.T, db *store.DB, in *instance) fixture {
	t.Helper()
	for _, name := range []string{"hook-a", "hook-b"} {
		if _, err := in.svc.Telephony.AddProvider(ctx, mfa.ProviderConfig{Name: name, Type: "webhook", BaseURL: "http://127.0.0.1:9/" + name, Priority: 10, Enabled: true,
			Credentials: map[string]string{"secret": provCred + name}, Senders: []mfa.Sender{{Value: "+15557654321"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.rad.AddRadiusClient(ctx, "vpn", "192.0.2.10", radSecret); err != nil {
		t.Fatal(err)
	}
	sk, err := in.oidc.RotateSigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{signingKey: sk.ID, replyKey: []byte{1, 2, 3, 0xff}, reply: []byte("Access-Challenge reply")}
	if err := in.svc.Org.SetFactorEnabled(ctx, "totp", true); err != nil {
		t.Fatal(err)
	}
	u, err := in.svc.Users.CreateUser(ctx, mfa.NewUser{Login: "totp@example.com", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, st, err := in.svc.Factors.EnrollTOTP(ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	f.totpUser, f.totpSecret = u.ID, st.Secret
	if fresh, _, err := in.rad.ClaimRequest(ctx, f.replyKey, time.Minute); err != nil || !fresh {
		t.Fatalf("claim radius request: %v %v", fresh, err)
	}
	if err := in.rad.FinishRequest(ctx, f.replyKey, in.keys.Seal(f.reply, radius.ReplyContext(f.replyKey))); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for id, sealed := range map[string][]byte{
		"msg-new":    mfa.SealMessage(in.keys, "msg-new", mfa.MessageContent{Body: bodyNew, Code: "424242"}),
		"msg-legacy": in.keys.Seal([]byte(bodyLegacy), "msg-legacy"),
	} {
		m := mfa.Message{ID: id, ChallengeID: "chl-" + id, UserID: "usr1", To: "+15551230000", SealedBody: sealed, State: mfa.MessageQueued,
			NextAttempt: now, Created: now, Expires: now.Add(5 * time.Minute)}
		if err := db.InTx(ctx, func(tx mfa.Tx) error { return tx.InsertMessage(ctx, m) }); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// readsAll asserts that the instance opens every value seed sealed: what
// a server does with each (the provider pool's credentials, the RADIUS
// secrets, the signing key, the cached reply, the queued messages' text).
func readsAll(t *testing.T, db *store.DB, in *instance, f fixture) {
	t.Helper()
	ps, err := in.svc.Telephony.Providers(ctx, in.keys)
	if err != nil || len(ps) != 2 {
		t.Fatalf("providers: %v %v", ps, err)
	}
	for _, p := range ps {
		if p.Credentials["secret"] != provCred+p.Name {
			t.Errorf("provider %s credentials %v", p.Name, p.Credentials)
		}
	}
	cs, err := in.rad.RadiusClientsWithSecrets(ctx, in.keys)
	if err != nil || len(cs) != 1 || cs[0].Secret != radSecret {
		t.Fatalf("radius clients: %+v %v", cs, err)
	}
	cur, _, err := in.oidc.SigningKeys(ctx)
	if err != nil || cur.ID != f.signingKey || cur.Key == nil {
		t.Fatalf("signing key %s (want %s, the same key re-sealed), %v", cur.ID, f.signingKey, err)
	}
	_, sealed, err := in.rad.ClaimRequest(ctx, f.replyKey, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := in.keys.Open(sealed, radius.ReplyContext(f.replyKey)); err != nil || !bytes.Equal(got, f.reply) {
		t.Fatalf("radius reply %q %v", got, err)
	}
	fs, err := in.svc.Factors.UserFactors(ctx, f.totpUser)
	if err != nil || len(fs) != 1 {
		t.Fatalf("totp factor: %v %v", fs, err)
	}
	if st, err := in.svc.Factors.TOTPSetupOf(ctx, f.totpUser, fs[0].ID, in.svc.Factors.TOTPQRKey(&fs[0])); err != nil || st.Secret != f.totpSecret {
		t.Fatalf("totp secret: %v", err)
	}
	for id, want := range map[string]string{"msg-new": bodyNew, "msg-legacy": bodyLegacy} {
		var m mfa.Message
		if err := db.View(ctx, func(tx mfa.Tx) (err error) { m, err = tx.GetMessage(ctx, id); return err }); err != nil {
			t.Fatal(err)
		}
		if c, err := mfa.OpenMessage(in.keys, id, m.SealedBody); err != nil || c.Body != want {
			t.Fatalf("message %s: %q %v", id, c.Body, err)
		}
	}
}

func counts(r mfa.KeyRotation) map[string]mfa.ResealCount { return r.Tables }

// Rotating from A to B re-seals every sealed value; then an instance with
// only B reads everything, a second run changes nothing, and the
// rotation is in the system log without any key.
func TestRotate(t *testing.T) {
	db := storetest.New(t)
	a, b := derive(t, 1), derive(t, 2)
	onA, err := newInstance(t, db, a)
	if err != nil {
		t.Fatal(err)
	}
	f := seed(t, db, onA)
	readsAll(t, db, onA, f)
	if _, err := newInstance(t, db, b); err == nil {
		t.Fatal("the pinned phone id key opened under the new key alone before the rotation")
	}

	bWithA := b.WithPrevious(a)
	during, err := newInstance(t, db, bWithA)
	if err != nil {
		t.Fatal(err)
	}
	readsAll(t, db, during, f) // both keys accepted before the rotation runs

	r, err := keyrotate.Run(ctx, db, bWithA, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]mfa.ResealCount{"providers": {Resealed: 2}, "messages": {Resealed: 2}, "radius_clients": {Resealed: 1},
		"radius_requests": {Resealed: 1}, "oidc_keys": {Resealed: 1}, "key_material": {Resealed: 1}, "factors": {Resealed: 1}}
	for table, w := range want {
		if counts(r)[table] != w {
			t.Errorf("%s: %+v, want %+v", table, counts(r)[table], w)
		}
	}
	if r.From != a.ID || r.To != b.ID {
		t.Errorf("rotation from %s to %s", r.From, r.To)
	}
	if err := during.svc.Org.LogKeyRotation(ctx, r); err != nil {
		t.Fatal(err)
	}

	onlyB, err := newInstance(t, db, b)
	if err != nil {
		t.Fatal(err)
	}
	readsAll(t, db, onlyB, f)
	if !bytes.Equal(onlyB.phone, a.CodeMAC) {
		t.Error("the phone id key changed with the master key: numbers would get new ids in the system log")
	}
	if mfa.PhoneID(onlyB.phone, "+15551230000") != mfa.PhoneID(onA.phone, "+15551230000") {
		t.Error("a number's id changed across the rotation")
	}

	again, err := keyrotate.Run(ctx, db, bWithA, 500)
	if err != nil {
		t.Fatal(err)
	}
	for table, w := range want {
		if c := counts(again)[table]; c.Resealed != 0 || c.Unreadable != 0 || c.Current != w.Resealed {
			t.Errorf("second run, %s: %+v", table, c)
		}
	}
	// Without the previous key, a run checks: everything is current.
	if check, err := keyrotate.Run(ctx, db, b, 500); err != nil || check.Total().Resealed != 0 || check.Total().Unreadable != 0 || check.Total().Current != 9 {
		t.Errorf("check with B alone: %+v %v", check.Total(), err)
	}

	evs, err := onlyB.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{mfa.EvMasterKeyRotate}, Limit: 10})
	if err != nil || len(evs) != 1 {
		t.Fatalf("rotation events: %v %v", evs, err)
	}
	e := evs[0]
	if e.Outcome != mfa.OutcomeSuccess || e.Details["keyId"] != b.ID || e.Details["previousKeyId"] != a.ID || !strings.Contains(e.Message, "9 re-sealed") {
		t.Errorf("event %+v", e)
	}
	logged := e.Message + e.Reason + e.Target.ID + e.Target.AlternateID
	for k, v := range e.Details {
		logged += k + v
	}
	for _, k := range []*secret.Keys{a, b} {
		for _, secretBytes := range [][]byte{k.CodeMAC} {
			if strings.Contains(logged, string(secretBytes)) || strings.Contains(strings.ToLower(logged), strings.ToLower(hexOf(secretBytes))) {
				t.Error("the system log holds key material")
			}
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// failing stops after a number of Reseal calls, as a process killed midway.
type failing struct {
	*store.DB
	left int
}

var errCrash = errors.New("killed")

func (f *failing) Reseal(ctx context.Context, c store.SealedColumn, vs []store.Resealed) (int, error) {
	if f.left == 0 {
		return 0, errCrash
	}
	f.left--
	return f.DB.Reseal(ctx, c, vs)
}

// A rotation stopped midway leaves some values under each key: an
// instance with both keys reads all of them; one still on the old key
// alone reads those not yet re-sealed and fails (it does not misread)
// those re-sealed; running the rotation again finishes the job.
func TestRotateCrashMidway(t *testing.T) {
	db := storetest.New(t)
	a, b := derive(t, 1), derive(t, 2)
	onA, err := newInstance(t, db, a)
	if err != nil {
		t.Fatal(err)
	}
	f := seed(t, db, onA)
	bWithA := b.WithPrevious(a)
	// One value per batch; the third batch (the first message) fails: both
	// providers are under B, the messages and the rest still under A.
	r, err := keyrotate.Run(ctx, &failing{DB: db, left: 2}, bWithA, 1)
	if !errors.Is(err, errCrash) {
		t.Fatalf("crash run: %v", err)
	}
	if r.Tables["providers"].Resealed != 2 {
		t.Fatalf("before the crash: %+v", r.Tables)
	}
	r.Stopped = err.Error()
	if err := onA.svc.Org.LogKeyRotation(ctx, r); err != nil {
		t.Fatal(err)
	}
	evs, _ := onA.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{mfa.EvMasterKeyRotate}, Limit: 1})
	if len(evs) != 1 || evs[0].Outcome != mfa.OutcomeFailure || !strings.Contains(evs[0].Reason, "run it again") {
		t.Fatalf("the stopped run's event: %+v", evs)
	}
	during, err := newInstance(t, db, bWithA)
	if err != nil {
		t.Fatal(err)
	}
	readsAll(t, db, during, f)

	// The rule for an instance still on A alone: what is under A opens...
	if cs, err := onA.rad.RadiusClientsWithSecrets(ctx, a); err != nil || cs[0].Secret != radSecret {
		t.Fatalf("old instance, RADIUS secret not yet re-sealed: %v", err)
	}
	if _, err := onA.svc.Telephony.Providers(ctx, a); err == nil {
		t.Fatal("an instance with only the old key opened credentials re-sealed under the new key")
	}

	r, err = keyrotate.Run(ctx, db, bWithA, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tot := r.Total(); tot.Resealed != 7 || tot.Current != 2 || tot.Unreadable != 0 {
		t.Fatalf("second run: %+v %+v", tot, r.Tables)
	}
	onlyB, err := newInstance(t, db, b)
	if err != nil {
		t.Fatal(err)
	}
	readsAll(t, db, onlyB, f)
}

// A value that opens under neither key (sealed under some third key) is
// counted and left as it is, and the others are still re-sealed.
func TestRotateUnreadable(t *testing.T) {
	db := storetest.New(t)
	a, b, c := derive(t, 1), derive(t, 2), derive(t, 3)
	onA, err := newInstance(t, db, a)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, db, onA)
	onC, err := newInstance(t, db, c.WithPrevious(a))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onC.rad.AddRadiusClient(ctx, "stray", "192.0.2.99", "sealed-under-a-third-key"); err != nil {
		t.Fatal(err)
	}
	r, err := keyrotate.Run(ctx, db, b.WithPrevious(a), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Tables["radius_clients"]; got != (mfa.ResealCount{Resealed: 1, Unreadable: 1}) {
		t.Fatalf("radius clients: %+v", got)
	}
	if r.Total().Resealed != 9 {
		t.Fatalf("total %+v", r.Total())
	}
	if err := onA.svc.Org.LogKeyRotation(ctx, r); err != nil {
		t.Fatal(err)
	}
	evs, _ := onA.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{mfa.EvMasterKeyRotate}, Limit: 1})
	if len(evs) != 1 || evs[0].Outcome != mfa.OutcomeFailure || !strings.Contains(evs[0].Reason, "1 values open under neither key") {
		t.Fatalf("event %+v", evs)
	}
}
