package radius_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"smsmfa/internal/mfa"
	rad "smsmfa/internal/radius"
)

// The whole flow: the password gets a challenge naming the masked phone,
// with a State; the texted code with that State gets Access-Accept; the
// State works once.
func TestPasswordThenCode(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	c := e.conn("127.0.0.1")
	ch := e.signInPassword(c, "Ann@Example.com", "198.51.100.7:51234")
	if got, want := rfc2865.ReplyMessage_GetString(ch), "Enter the code sent to +1 ••• ••• 0123"; got != want {
		t.Errorf("challenge Reply-Message = %q, want %q", got, want)
	}
	state := rfc2865.State_Get(ch)
	if len(state) == 0 || len(state) > 253 {
		t.Fatalf("State is %d bytes", len(state))
	}
	code := e.lastCode()
	ok := e.exchange(c, request(nasSecret, "ann@example.com", code, state, "198.51.100.7:51234"))
	if ok.Code != radius.CodeAccessAccept {
		t.Fatalf("code: got %v %q, want Access-Accept", ok.Code, rfc2865.ReplyMessage_GetString(ok))
	}
	again := e.exchange(c, request(nasSecret, "ann@example.com", code, state, "198.51.100.7:51234"))
	if again.Code != radius.CodeAccessReject {
		t.Errorf("the State and code again: %v, want Access-Reject", again.Code)
	}
	// The system log has the RADIUS sign-in, from the user's address.
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{mfa.EvMFAVerify}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 || evs[0].ClientIP != "198.51.100.7" || evs[0].Outcome != mfa.OutcomeSuccess || !bytes.Contains([]byte(evs[0].UserAgent), []byte("RADIUS client vpn")) {
		t.Errorf("verify events = %+v, want a success from 198.51.100.7 by RADIUS client vpn", evs)
	}
}

// Unknown user, wrong password, wrong code, a forged State: the same
// Access-Reject, nothing telling them apart.
func TestRefusalsLookAlike(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	c := e.conn("127.0.0.1")
	shapes := map[string]string{}
	v0, _ := e.hasher.counts()
	r := e.exchange(c, request(nasSecret, "nobody@example.com", userPass, nil, ""))
	shapes["unknown user"] = replyShape(r)
	// The unknown user cost one password check, as a known one does (the
	// dummy hash: same timing shape).
	if v, empty := e.hasher.counts(); v != v0+1 || empty != 1 {
		t.Errorf("unknown user: %d password checks (%d without a stored hash), want 1", v-v0, empty)
	}
	r = e.exchange(c, request(nasSecret, "ann@example.com", "Wrong-Horse-9", nil, ""))
	shapes["wrong password"] = replyShape(r)
	if v, _ := e.hasher.counts(); v != v0+2 {
		t.Errorf("wrong password: %d password checks in all, want 2", v-v0)
	}
	ch := e.signInPassword(c, "ann@example.com", "")
	code := e.lastCode()
	wrong := string(rune('0'+(code[0]-'0'+1)%10)) + code[1:]
	r = e.exchange(c, request(nasSecret, "ann@example.com", wrong, rfc2865.State_Get(ch), ""))
	shapes["wrong code"] = replyShape(r)
	// After a wrong code the sign-in is over: the right code no longer works.
	r = e.exchange(c, request(nasSecret, "ann@example.com", code, rfc2865.State_Get(ch), ""))
	shapes["right code after a wrong one"] = replyShape(r)
	forged := bytes.Repeat([]byte{0x41}, 100)
	r = e.exchange(c, request(nasSecret, "ann@example.com", code, forged, ""))
	shapes["forged State"] = replyShape(r)
	// Another user's State (bound to ann) does not work for bob.
	e.user("bob@example.com", true)
	ch = e.signInPassword(c, "ann@example.com", "")
	r = e.exchange(c, request(nasSecret, "bob@example.com", e.lastCode(), rfc2865.State_Get(ch), ""))
	shapes["State of another user"] = replyShape(r)
	want := shapes["unknown user"]
	if want != "Access-Reject MA 018=Authentication failed." {
		t.Errorf("unknown user: %q", want)
	}
	for what, got := range shapes {
		if got != want {
			t.Errorf("%s: %q, unknown user: %q", what, got, want)
		}
	}
}

// Requests without a Message-Authenticator, with a wrong shared secret or
// from an address that is no client are dropped, and counted.
func TestDropped(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	c := e.conn("127.0.0.1")
	for _, tc := range []struct {
		name string
		raw  []byte
		from string
		want string
	}{
		{"no Message-Authenticator", encode(t, request(nasSecret, "ann@example.com", userPass, nil, ""), false), "127.0.0.1", rad.OutcomeNoAuthenticator},
		{"wrong shared secret", encode(t, request("not-the-shared-secret-at-all", "ann@example.com", userPass, nil, ""), true), "127.0.0.1", rad.OutcomeBadAuthenticator},
		{"unknown client", encode(t, request(nasSecret, "ann@example.com", userPass, nil, ""), true), "127.0.0.2", rad.OutcomeUnknownClient},
		{"not RADIUS", []byte("GET / HTTP/1.1\r\n\r\n"), "127.0.0.1", rad.OutcomeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := c
			if tc.from != "127.0.0.1" {
				conn = e.conn(tc.from)
			}
			reply, outcome := e.send(conn, tc.raw)
			if reply != nil || outcome != tc.want {
				t.Errorf("outcome %q (reply %d bytes), want %q and no reply", outcome, len(reply), tc.want)
			}
		})
	}
	if n := len(e.sink.Messages()); n != 1 { // the enrollment code only
		t.Errorf("%d texts sent, want no code for a dropped request", n)
	}
}

// A retransmitted request (same source, Identifier and Request
// Authenticator) gets the same reply bytes, and sends no second SMS; a
// retransmitted wrong code counts one try.
func TestRetransmission(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	c := e.conn("127.0.0.1")
	raw := encode(t, request(nasSecret, "ann@example.com", userPass, nil, ""), true)
	first, _ := e.send(c, raw)
	second, outcome := e.send(c, raw)
	if outcome != rad.OutcomeDuplicate || !bytes.Equal(first, second) {
		t.Errorf("retransmission: %q, same reply %v", outcome, bytes.Equal(first, second))
	}
	if n := len(e.sink.Messages()); n != 2 {
		t.Errorf("%d texts, want the enrollment code and one sign-in code", n)
	}
	if first[0] != byte(radius.CodeAccessChallenge) {
		t.Fatalf("reply code %d", first[0])
	}
	ch, err := radius.Parse(first, []byte(nasSecret))
	if err != nil {
		t.Fatal(err)
	}
	code := e.lastCode()
	raw = encode(t, request(nasSecret, "ann@example.com", string(rune('0'+(code[0]-'0'+1)%10))+code[1:], rfc2865.State_Get(ch), ""), true)
	first, _ = e.send(c, raw)
	second, outcome = e.send(c, raw)
	if outcome != rad.OutcomeDuplicate || !bytes.Equal(first, second) || first[0] != byte(radius.CodeAccessReject) {
		t.Errorf("retransmitted wrong code: %q, reply code %d, same reply %v", outcome, first[0], bytes.Equal(first, second))
	}
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{mfa.EvMFAVerify}, Outcome: mfa.OutcomeFailure, Limit: 10})
	if err != nil || len(evs) != 1 {
		t.Errorf("failed verifications in the system log: %v, %d, want 1", err, len(evs))
	}
}

// A user without the SMS factor, while the org requires it, is refused
// after the password with a message saying where to set it up, and the
// refusal is in the system log; with the factor off, the password alone
// is enough.
func TestNoFactor(t *testing.T) {
	e := newEnv(t)
	e.user("new@example.com", false)
	c := e.conn("127.0.0.1")
	r := e.exchange(c, request(nasSecret, "new@example.com", userPass, nil, ""))
	if r.Code != radius.CodeAccessReject || rfc2865.ReplyMessage_GetString(r) != "Text Message Code is not set up for your account. Sign in at https://login.example.com to set it up, then try again." {
		t.Errorf("got %v %q", r.Code, rfc2865.ReplyMessage_GetString(r))
	}
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{mfa.EvRadiusNoFactor}, Limit: 10})
	if err != nil || len(evs) != 1 {
		t.Errorf("no-factor events: %v %+v", err, evs)
	}
	if err := e.svc.Org.SetSMSEnabled(e.ctx, false); err != nil {
		t.Fatal(err)
	}
	if r := e.exchange(c, request(nasSecret, "new@example.com", userPass, nil, "")); r.Code != radius.CodeAccessAccept {
		t.Errorf("SMS factor off: got %v, want Access-Accept", r.Code)
	}
}

// Every user of a VPN comes from the NAS's address: the per-address
// limits apply to the end user's address (Calling-Station-Id), never to
// the NAS's, so a stranger using up their own address's codes does not
// stop anyone else.
func TestStrangerCannotLockOutThroughTheNAS(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_hour": "2"}); err != nil {
		t.Fatal(err)
	}
	c := e.conn("127.0.0.1")
	for _, login := range []string{"u1@example.com", "u2@example.com", "u3@example.com"} {
		e.user(login, true)
	}
	// A stranger holding u1's password asks for codes from one address
	// until refused.
	e.signInPassword(c, "u1@example.com", "203.0.113.66")
	e.signInPassword(c, "u1@example.com", "203.0.113.66")
	r := e.exchange(c, request(nasSecret, "u1@example.com", userPass, nil, "203.0.113.66"))
	if r.Code != radius.CodeAccessReject {
		t.Fatalf("third code from one address: %v, want Access-Reject (limit_ip_hour 2)", r.Code)
	}
	// Other users, from their own addresses or with no Calling-Station-Id
	// at all, still get their codes.
	e.signInPassword(c, "u2@example.com", "198.51.100.2")
	e.signInPassword(c, "u3@example.com", "")
	e.signInPassword(c, "u3@example.com", "")
	e.signInPassword(c, "u2@example.com", "")
}

// An empty answer (or Okta's keyword "sms") to the challenge texts a new
// code once the cooldown is over; before that, the challenge is repeated
// and the first code still works.
func TestResend(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	c := e.conn("127.0.0.1")
	ch := e.signInPassword(c, "ann@example.com", "")
	code := e.lastCode()
	r := e.exchange(c, request(nasSecret, "ann@example.com", "", rfc2865.State_Get(ch), ""))
	if r.Code != radius.CodeAccessChallenge || !bytes.Contains([]byte(rfc2865.ReplyMessage_GetString(r)), []byte("second")) {
		t.Errorf("resend within the cooldown: %v %q, want a challenge saying to wait", r.Code, rfc2865.ReplyMessage_GetString(r))
	}
	if n := len(e.sink.Messages()); n != 2 {
		t.Errorf("%d texts, want no new code within the cooldown", n)
	}
	ok := e.exchange(c, request(nasSecret, "ann@example.com", code, rfc2865.State_Get(r), ""))
	if ok.Code != radius.CodeAccessAccept {
		t.Errorf("first code after a refused resend: %v", ok.Code)
	}
}

// Status-Server (RFC 5997) with a Message-Authenticator is answered.
func TestStatusServer(t *testing.T) {
	e := newEnv(t)
	c := e.conn("127.0.0.1")
	p := radius.New(radius.CodeStatusServer, []byte(nasSecret))
	if r := e.exchange(c, p); r.Code != radius.CodeAccessAccept {
		t.Errorf("Status-Server: %v", r.Code)
	}
}

// Any instance of a cluster answers the code step: the State opens on
// every instance (one master key) and the transaction is in the shared
// database.
func TestCodeOnAnotherInstance(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	ch := e.signInPassword(e.conn("127.0.0.1"), "ann@example.com", "")
	other := e.connTo("127.0.0.1", e.instance())
	ok := e.exchange(other, request(nasSecret, "ann@example.com", e.lastCode(), rfc2865.State_Get(ch), ""))
	if ok.Code != radius.CodeAccessAccept {
		t.Fatalf("code on another instance: %v %q", ok.Code, rfc2865.ReplyMessage_GetString(ok))
	}
}

// A retransmission that reaches another instance (a load balancer without
// stickiness) is answered with the first instance's reply, from the
// database: no second SMS, no second sign-in.
func TestRetransmissionToAnotherInstance(t *testing.T) {
	e := newEnv(t)
	e.user("ann@example.com", true)
	other := e.instance()
	nas, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer nas.Close()
	raw := encode(t, request(nasSecret, "ann@example.com", userPass, nil, ""), true)
	sendTo := func(srv *rad.Server) ([]byte, string) {
		t.Helper()
		if _, err := nas.WriteToUDP(raw, srv.Addr().(*net.UDPAddr)); err != nil {
			t.Fatal(err)
		}
		outcome := <-e.seen.seen
		nas.SetReadDeadline(time.Now().Add(20 * time.Second))
		buf := make([]byte, 4096)
		n, _, err := nas.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no reply after %s: %v", outcome, err)
		}
		return buf[:n], outcome
	}
	first, o1 := sendTo(e.srv)
	second, o2 := sendTo(other)
	if o1 != rad.OutcomeChallenge || o2 != rad.OutcomeDuplicate || !bytes.Equal(first, second) {
		t.Errorf("first %q, on the other instance %q, same reply %v", o1, o2, bytes.Equal(first, second))
	}
	if n := len(e.sink.Messages()); n != 2 {
		t.Errorf("%d texts, want the enrollment code and one sign-in code", n)
	}
	// The same packet captured and replayed hours later still gets the old
	// answer (whose State is dead by then), not a new text.
	e.clock.Advance(6 * time.Hour)
	third, o3 := sendTo(other)
	if o3 != rad.OutcomeDuplicate || !bytes.Equal(first, third) || len(e.sink.Messages()) != 2 {
		t.Errorf("replayed 6 h later: %q, same reply %v, %d texts", o3, bytes.Equal(first, third), len(e.sink.Messages()))
	}
	// After a day the record is gone: it is a new sign-in.
	e.clock.Advance(24 * time.Hour)
	if _, o4 := sendTo(other); o4 != rad.OutcomeChallenge || len(e.sink.Messages()) != 3 {
		t.Errorf("a day later: %q, %d texts", o4, len(e.sink.Messages()))
	}
}
