package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// radiusSecret is the shared secret of the NAS in the RADIUS test.
const radiusSecret = "vpn-shared-secret-2026-e2e"

// TestRadiusWithRadclient drives smsmfa's RADIUS server with FreeRADIUS'
// radclient (Debian's freeradius-utils), a client nobody here wrote:
// password → Access-Challenge naming the masked phone, the code from the
// development sink with the State → Access-Accept; a wrong code, a wrong
// password and an unknown user get the same Access-Reject, a wrong shared
// secret gets no answer at all.
func TestRadiusWithRadclient(t *testing.T) {
	if _, err := exec.LookPath("radclient"); err != nil {
		t.Fatal("radclient is missing: apt-get install freeradius-utils (.ci/run does)")
	}
	port := freeUDPPort(t)
	radiusAddr := fmt.Sprintf("127.0.0.1:%d", port)
	s := startServerWith(t, "--radius-addr", radiusAddr)
	s.cli("sms", "enable")
	secretEnv := "SMSMFA_E2E_RADIUS_SECRET"
	t.Setenv(secretEnv, radiusSecret)
	s.cli("radius-client", "add", "--name", "vpn", "--address", "127.0.0.1", "--secret-env", secretEnv)
	if out := s.cli("radius-client", "list"); !strings.Contains(out, "vpn") || strings.Contains(out, radiusSecret) {
		t.Fatalf("radius-client list:\n%s", out)
	}
	enrollSMS(t, s, "alice@example.com", "Alice-Pass-2026", "+14155550123")

	// The running server takes the new client within 10 s (its reload
	// period); radclient retries meanwhile.
	var ch radReply
	deadline := time.Now().Add(30 * time.Second)
	for {
		ch = radclient(t, radiusAddr, radiusSecret, `User-Name = "alice@example.com", User-Password = "Alice-Pass-2026", Calling-Station-Id = "198.51.100.20"`)
		if ch.code != "" || time.Now().After(deadline) {
			break
		}
	}
	if ch.code != "Access-Challenge" || ch.attrs["Reply-Message"] != "Enter the code sent to +1 ••• ••• 0123" || ch.attrs["State"] == "" {
		t.Fatalf("password: %+v", ch)
	}
	code, _ := s.lastCode("+14155550123")
	ok := radclient(t, radiusAddr, radiusSecret, fmt.Sprintf(`User-Name = "alice@example.com", User-Password = %q, State = %s, Calling-Station-Id = "198.51.100.20"`, code, ch.attrs["State"]))
	if ok.code != "Access-Accept" {
		t.Fatalf("code: %+v", ok)
	}

	// The refusals, side by side.
	refusals := map[string]radReply{}
	refusals["unknown user"] = radclient(t, radiusAddr, radiusSecret, `User-Name = "mallory@example.com", User-Password = "Alice-Pass-2026"`)
	refusals["wrong password"] = radclient(t, radiusAddr, radiusSecret, `User-Name = "alice@example.com", User-Password = "Not-Her-Pass-1"`)
	ch = radclient(t, radiusAddr, radiusSecret, `User-Name = "alice@example.com", User-Password = "Alice-Pass-2026"`)
	if ch.code != "Access-Challenge" {
		t.Fatalf("second sign-in: %+v", ch)
	}
	code, _ = s.lastCode("+14155550123")
	wrong := string(rune('0'+(code[0]-'0'+1)%10)) + code[1:]
	refusals["wrong code"] = radclient(t, radiusAddr, radiusSecret, fmt.Sprintf(`User-Name = "alice@example.com", User-Password = %q, State = %s`, wrong, ch.attrs["State"]))
	want := refusals["unknown user"]
	if want.code != "Access-Reject" {
		t.Fatalf("unknown user: %+v", want)
	}
	for what, got := range refusals {
		if got.code != want.code || fmt.Sprint(got.attrs) != fmt.Sprint(want.attrs) {
			t.Errorf("%s: %+v; unknown user: %+v", what, got, want)
		}
	}
	bad := radclient(t, radiusAddr, "not-the-vpn-secret-at-all", `User-Name = "alice@example.com", User-Password = "Alice-Pass-2026"`)
	if bad.code != "" || !bad.noReply {
		t.Errorf("wrong shared secret: %+v, want no reply", bad)
	}
	if n := len(s.messages()); n != 3 { // enrollment and the two sign-ins
		t.Errorf("%d texts sent, want 3", n)
	}
}

type radReply struct {
	code    string            // Access-Accept, Access-Reject, Access-Challenge; "" when none came
	attrs   map[string]string // as radclient prints them, less the Message-Authenticator
	noReply bool
}

var (
	radReceived = regexp.MustCompile(`Received (Access-[A-Za-z]+) Id`)
	radAttr     = regexp.MustCompile(`(?m)^\s+([A-Za-z-]+) = (.*)$`)
)

// radclient sends one Access-Request with a Message-Authenticator and
// returns what came back. radclient checks the reply's authenticators
// itself.
func radclient(t *testing.T, addr, secret, attrs string) radReply {
	t.Helper()
	cmd := exec.Command("radclient", "-x", "-r", "1", "-t", "5", addr, "auth", secret)
	cmd.Stdin = strings.NewReader(attrs + ", Message-Authenticator = 0x00\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // exit status 1 for anything but Access-Accept
	text := out.String()
	r := radReply{attrs: map[string]string{}, noReply: strings.Contains(text, "No reply from server")}
	i := strings.Index(text, "Received ")
	if i < 0 {
		return r
	}
	m := radReceived.FindStringSubmatch(text[i:])
	if m == nil {
		t.Fatalf("radclient output:\n%s", text)
	}
	r.code = m[1]
	for _, a := range radAttr.FindAllStringSubmatch(text[i:], -1) {
		if a[1] == "Message-Authenticator" {
			continue
		}
		r.attrs[a[1]] = strings.Trim(a[2], `"`)
	}
	return r
}

// freeUDPPort returns a UDP port free on loopback.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// enrollSMS sets up the SMS factor of login on number through the authn
// API (password, enroll, activate with the texted code).
func enrollSMS(t *testing.T, s *server, login, pw, number string) {
	t.Helper()
	post := func(path string, body map[string]any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(s.base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %v %v", path, resp.StatusCode, err, out)
		}
		return out
	}
	r := post("/api/v1/authn", map[string]any{"username": login, "password": pw})
	st, _ := r["stateToken"].(string)
	r = post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": number}})
	if r["status"] != "MFA_ENROLL_ACTIVATE" {
		t.Fatalf("enroll: %v", r)
	}
	fid := r["_embedded"].(map[string]any)["factor"].(map[string]any)["id"].(string)
	code, _ := s.lastCode(number)
	r = post("/api/v1/authn/factors/"+fid+"/lifecycle/activate", map[string]any{"stateToken": st, "passCode": code})
	if r["status"] != "SUCCESS" {
		t.Fatalf("activate: %v", r)
	}
}
