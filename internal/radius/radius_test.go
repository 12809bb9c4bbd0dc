package radius_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"

	"smsmfa/internal/delivery"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	rad "smsmfa/internal/radius"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
)

const (
	nasSecret = "a-shared-secret-of-32-characters"
	userPhone = "+14155550123"
	userPass  = "Correct-Horse-9"
)

// countingHasher counts password checks, and whether each had a stored
// hash to check against.
type countingHasher struct {
	mfa.PasswordHasher
	mu              sync.Mutex
	verified, empty int
}

func (h *countingHasher) Verify(ctx context.Context, hash, pw string) (bool, bool, error) {
	h.mu.Lock()
	h.verified++
	if hash == "" {
		h.empty++
	}
	h.mu.Unlock()
	return h.PasswordHasher.Verify(ctx, hash, pw)
}

func (h *countingHasher) counts() (verified, empty int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.verified, h.empty
}

// counter is the Observer: each outcome, in order.
type counter struct{ seen chan string }

func (c *counter) RadiusRequest(outcome string) { c.seen <- outcome }

// env is a RADIUS server on loopback over a fresh database (SQLite, or
// PostgreSQL with SMSMFA_TEST_ENGINE=postgres), the development sink and
// a fake clock for the domain.
type env struct {
	t      *testing.T
	ctx    context.Context
	svc    mfa.Services
	sink   *devsink.Sink
	srv    *rad.Server
	seen   *counter
	client mfa.RadiusClient
	hasher *countingHasher
	clock  *mfa.FakeClock
	// instance starts another server instance on the same database.
	instance func() *rad.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.New(t)
	keys, err := secret.Derive(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := mfa.NewFakeClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	sink := devsink.New(1000, nil)
	disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, clock, nil, nil)
	disp.Wait = 5 * time.Second
	hasher := &countingHasher{PasswordHasher: password.NewHasher(password.Fast)}
	svc := mfa.New(mfa.Config{Store: db, Clock: clock, CodeKey: keys.CodeMAC, Sealer: keys,
		Hasher: hasher, Deliver: disp, Host: "login.example.com", ProviderKinds: telephony.AllKinds()})
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor, RequestID: "test"})
	if err := svc.Org.SetSMSEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Radius.AddRadiusClient(ctx, "vpn", "127.0.0.1", nasSecret)
	if err != nil {
		t.Fatal(err)
	}
	seen := &counter{seen: make(chan string, 1000)}
	e := &env{t: t, ctx: ctx, svc: svc, sink: sink, seen: seen, client: c, hasher: hasher, clock: clock}
	e.instance = func() *rad.Server {
		// Another instance: its own services (and settings cache) and
		// server over the same database and master key.
		svc := mfa.New(mfa.Config{Store: db, Clock: clock, CodeKey: keys.CodeMAC, Sealer: keys,
			Hasher: hasher, Deliver: disp, Host: "login.example.com", ProviderKinds: telephony.AllKinds()})
		srv, err := rad.Listen(ctx, "127.0.0.1:0", rad.Options{Signin: svc.Signin, Requests: svc.Radius, Sealer: keys, BaseURL: "https://login.example.com", Observer: seen,
			Clients: func(ctx context.Context) ([]mfa.RadiusClient, error) {
				return svc.Radius.RadiusClientsWithSecrets(ctx, keys)
			}})
		if err != nil {
			t.Fatal(err)
		}
		sctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(sctx) }()
		t.Cleanup(func() {
			stop()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
		return srv
	}
	e.srv = e.instance()
	return e
}

// user creates an active user, with the SMS factor active on userPhone
// when enrolled.
func (e *env) user(login string, enrolled bool) *mfa.User {
	e.t.Helper()
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: userPass, Activate: true})
	if err != nil {
		e.t.Fatal(err)
	}
	if enrolled {
		f, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: userPhone})
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCode()); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

func (e *env) lastCode() string {
	e.t.Helper()
	msgs := e.sink.Messages()
	if len(msgs) == 0 || msgs[len(msgs)-1].Code == "" {
		e.t.Fatal("no code was texted")
	}
	return msgs[len(msgs)-1].Code
}

// request is an Access-Request with a Message-Authenticator under secret.
func request(secret, login, pw string, state []byte, station string) *radius.Packet {
	p := radius.New(radius.CodeAccessRequest, []byte(secret))
	rfc2865.UserName_SetString(p, login)
	rfc2865.UserPassword_SetString(p, pw)
	rfc2865.NASIdentifier_SetString(p, "vpn-gw-1")
	if station != "" {
		rfc2865.CallingStationID_SetString(p, station)
	}
	if state != nil {
		rfc2865.State_Set(p, state)
	}
	return p
}

// encode signs p's Message-Authenticator as RFC 3579 §3.2 says, computed
// here independently of the package: HMAC-MD5 of the packet with the
// attribute zeroed.
func encode(t *testing.T, p *radius.Packet, withMA bool) []byte {
	t.Helper()
	if withMA {
		p.Set(rfc2869.MessageAuthenticator_Type, make([]byte, 16))
	}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if withMA {
		mac := hmac.New(md5.New, p.Secret)
		mac.Write(b)
		sum := mac.Sum(nil)
		i := bytes.Index(b[20:], append([]byte{80, 18}, make([]byte, 16)...))
		copy(b[20+i+2:], sum)
	}
	return b
}

// conn is a NAS socket, from 127.0.0.1 unless from says otherwise.
func (e *env) conn(from string) *net.UDPConn {
	e.t.Helper()
	return e.connTo(from, e.srv)
}

// connTo is a NAS socket to the server instance srv.
func (e *env) connTo(from string, srv *rad.Server) *net.UDPConn {
	e.t.Helper()
	c, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(from)}, srv.Addr().(*net.UDPAddr))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// send sends raw and waits for the server to count it; it returns the
// reply (nil when the server dropped it) and the outcome counted.
func (e *env) send(c *net.UDPConn, raw []byte) ([]byte, string) {
	e.t.Helper()
	if _, err := c.Write(raw); err != nil {
		e.t.Fatal(err)
	}
	var outcome string
	select {
	case outcome = <-e.seen.seen:
	case <-time.After(20 * time.Second):
		e.t.Fatal("the server counted no outcome")
	}
	if outcome != rad.OutcomeAccept && outcome != rad.OutcomeReject && outcome != rad.OutcomeChallenge && outcome != rad.OutcomeDuplicate {
		return nil, outcome
	}
	if outcome == rad.OutcomeDuplicate && len(e.seen.seen) > 0 {
		e.t.Fatal("unexpected extra outcome")
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		e.t.Fatalf("no reply after %s: %v", outcome, err)
	}
	return buf[:n], outcome
}

// exchange sends p (signed) and parses the reply, checking its Response
// Authenticator and its Message-Authenticator (first attribute).
func (e *env) exchange(c *net.UDPConn, p *radius.Packet) *radius.Packet {
	e.t.Helper()
	raw := encode(e.t, p, true)
	b, outcome := e.send(c, raw)
	if b == nil {
		e.t.Fatalf("request dropped: %s", outcome)
	}
	return e.parseReply(b, raw, p.Secret)
}

func (e *env) parseReply(b, req, secret []byte) *radius.Packet {
	e.t.Helper()
	if !radius.IsAuthenticResponse(b, req, secret) {
		e.t.Fatal("the reply's Response Authenticator does not check")
	}
	if len(b) < 38 || b[20] != 80 || b[21] != 18 {
		e.t.Fatalf("the reply's first attribute is not a Message-Authenticator: % x", b[20:min(len(b), 24)])
	}
	got := append([]byte(nil), b[22:38]...)
	z := append([]byte(nil), b...)
	copy(z[4:20], req[4:20]) // the Request Authenticator
	clear(z[22:38])
	mac := hmac.New(md5.New, secret)
	mac.Write(z)
	if !hmac.Equal(mac.Sum(nil), got) {
		e.t.Fatal("the reply's Message-Authenticator does not check")
	}
	p, err := radius.Parse(b, secret)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// signInPassword sends the password and returns the challenge.
func (e *env) signInPassword(c *net.UDPConn, login, station string) *radius.Packet {
	e.t.Helper()
	r := e.exchange(c, request(nasSecret, login, userPass, nil, station))
	if r.Code != radius.CodeAccessChallenge {
		e.t.Fatalf("password: got %v %q, want Access-Challenge", r.Code, rfc2865.ReplyMessage_GetString(r))
	}
	return r
}

// replyShape is what a NAS (and so an attacker) sees of a reply, less
// the authenticators.
func replyShape(p *radius.Packet) string {
	var b strings.Builder
	b.WriteString(p.Code.String())
	for _, a := range p.Attributes {
		if a.Type == rfc2869.MessageAuthenticator_Type {
			b.WriteString(" MA")
			continue
		}
		b.WriteString(" " + string(rune('0'+a.Type/100)) + string(rune('0'+a.Type/10%10)) + string(rune('0'+a.Type%10)) + "=" + string(a.Attribute))
	}
	return b.String()
}
