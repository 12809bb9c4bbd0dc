package oktago

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The smsmfa binary under test: $SMSMFA_BIN, or built once by TestMain from
// the repository root (two folders up).
var smsmfaBin string

// roomy lifts the per-number, per-user and per-IP SMS limits: every test
// talks from 127.0.0.1 and several reuse a number, so the defaults (30 codes
// an hour per IP, 5 users per number) would trip halfway through the suite.
// The limits under test (resend cooldown, activation attempts) keep their
// defaults unless a server is started with other values.
var roomy = []string{
	"limit_phone_15m=1000", "limit_phone_day=10000", "limit_user_hour=1000",
	"limit_ip_hour=100000", "shared_number_max_users=10000",
	// The other factors are on too: SMS flows must not change beside them.
	"call_enabled=true", "totp_enabled=true", "webauthn_enabled=true",
}

var (
	serversMu sync.Mutex
	servers   = map[string]*server{}
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat/oktago:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	tmp, err := os.MkdirTemp("", "smsmfa-oktago-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)
	smsmfaBin = os.Getenv("SMSMFA_BIN")
	if smsmfaBin == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			return 1, err
		}
		if _, err := os.Stat(filepath.Join(root, "cmd", "smsmfa")); err != nil {
			return 1, fmt.Errorf("cannot find the smsmfa sources at %s (set SMSMFA_BIN to a built binary): %w", root, err)
		}
		smsmfaBin = filepath.Join(tmp, "smsmfa")
		start := time.Now()
		build := exec.Command("go", "build", "-buildvcs=false", "-o", smsmfaBin, "./cmd/smsmfa")
		build.Dir = root
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 1, fmt.Errorf("go build ./cmd/smsmfa in %s: %w", root, err)
		}
		fmt.Fprintf(os.Stderr, "built %s in %s\n", smsmfaBin, time.Since(start).Round(time.Millisecond))
	}
	code := m.Run()
	serversMu.Lock()
	defer serversMu.Unlock()
	for name, s := range servers {
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "server %s: %v\n", name, err)
			code = 1
		}
		if code != 0 {
			s.dumpLog(os.Stderr)
		}
		os.RemoveAll(s.dir)
	}
	return code, nil
}

// server is one running smsmfa with its own database.
type server struct {
	name     string
	dir      string
	hostport string // 127.0.0.1:PORT
	url      string // http://127.0.0.1:PORT
	token    string // an API token for Authorization: SSWS
	cmd      *exec.Cmd
	done     chan error
	logPath  string
}

// fastServer is shared by most tests: resend cooldown 0 s, roomy limits.
func fastServer(t *testing.T) *server {
	return sharedServer(t, "fast", append([]string{"resend_cooldown=0s"}, roomy...)...)
}

// cooldownServer keeps the default 30 s resend cooldown (429 E0000109 on a
// quick resend), with roomy limits. The cooldown is per user, so tests that
// share it each use their own user.
func cooldownServer(t *testing.T) *server {
	return sharedServer(t, "cooldown", roomy...)
}

func sharedServer(t *testing.T, name string, settings ...string) *server {
	t.Helper()
	serversMu.Lock()
	defer serversMu.Unlock()
	if s, ok := servers[name]; ok {
		return s
	}
	s, err := startServer(name, settings)
	if err != nil {
		t.Fatalf("starting smsmfa (%s): %v", name, err)
	}
	servers[name] = s
	return s
}

func startServer(name string, settings []string) (*server, error) {
	dir, err := os.MkdirTemp("", "smsmfa-oktago-"+name+"-")
	if err != nil {
		return nil, err
	}
	s := &server{name: name, dir: dir, logPath: filepath.Join(dir, "server.log")}
	if _, err := s.cli("sms", "enable"); err != nil {
		return nil, err
	}
	if len(settings) > 0 {
		if _, err := s.cli(append([]string{"settings", "set"}, settings...)...); err != nil {
			return nil, err
		}
	}
	// A token acts for an active administrator.
	if _, err := s.cli("user", "create", "--login", "compat-admin@example.com", "--password", "Compat-Admin-Pass-2026", "--admin"); err != nil {
		return nil, err
	}
	out, err := s.cli("token", "create", "--name", "compat")
	if err != nil {
		return nil, err
	}
	s.token = strings.TrimSpace(out)
	if s.token == "" || strings.ContainsAny(s.token, " \n") {
		return nil, fmt.Errorf("token create printed %q, want one token on one line", out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.hostport = fmt.Sprintf("127.0.0.1:%d", port)
	s.url = "http://" + s.hostport
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(smsmfaBin, "serve", "--dev", "--addr", s.hostport, "--base-url", s.url,
		"--password-memory", "1024", "--password-time", "1")
	s.cmd.Dir = dir
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait(); logf.Close() }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			s.dumpLog(os.Stderr)
			return nil, fmt.Errorf("smsmfa serve exited before it was healthy: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			s.dumpLog(os.Stderr)
			return nil, fmt.Errorf("GET %s/healthz did not answer 200 within 30 s", s.url)
		}
	}
}

// env is the environment for every smsmfa command: no SMSMFA_* variable
// from outside, this server's database.
func (s *server) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMSMFA_") {
			env = append(env, kv)
		}
	}
	return append(env, "SMSMFA_DATABASE=sqlite:"+filepath.Join(s.dir, "smsmfa.db"))
}

// cli runs an smsmfa command against this server's database and returns its
// standard output.
func (s *server) cli(args ...string) (string, error) {
	cmd := exec.Command(smsmfaBin, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("smsmfa %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

func (s *server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case err := <-s.done:
		return fmt.Errorf("smsmfa serve had already exited: %v", err)
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("smsmfa serve exited with %v after SIGTERM", err)
		}
		return nil
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("smsmfa serve did not stop within 15 s of SIGTERM")
	}
}

func (s *server) dumpLog(w io.Writer) {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	fmt.Fprintf(w, "--- last lines of the %s server's log (%s):\n%s\n---\n", s.name, s.url, strings.Join(lines, "\n"))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// smsMessage is one entry of GET /dev/sms/messages.
type smsMessage struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	From    string    `json:"from"`
	Body    string    `json:"body"`
	Code    string    `json:"code"`
	Created time.Time `json:"created"`
	// Channel is "voice" for a call (the call factor), empty for a text.
	Channel   string `json:"channel"`
	Extension string `json:"extension"`
}

func (s *server) messages(t *testing.T) []smsMessage {
	t.Helper()
	resp, err := http.Get(s.url + "/dev/sms/messages")
	if err != nil {
		t.Fatalf("GET /dev/sms/messages: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /dev/sms/messages: %s %s", resp.Status, b)
	}
	var ms []smsMessage
	if err := json.Unmarshal(b, &ms); err != nil {
		t.Fatalf("GET /dev/sms/messages: %v in %s", err, b)
	}
	return ms
}

// mark returns how many messages the sink holds now; pass it to waitSMS to
// look only at messages sent after this point.
func (s *server) mark(t *testing.T) int {
	t.Helper()
	return len(s.messages(t))
}

// waitSMS waits (up to 10 s: sending goes through the server's outbox) for a
// message to `to` sent after mark and returns the newest such message and its
// code, as the sink records it. It checks what the person reads: the text
// holds that code, and ends with the WebOTP line naming this server and
// the same code.
func (s *server) waitSMS(t *testing.T, to string, mark int) (smsMessage, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms := s.messages(t)
		if mark > len(ms) {
			t.Fatalf("the SMS sink shrank from %d to %d messages", mark, len(ms))
		}
		for i := len(ms) - 1; i >= mark; i-- {
			m := ms[i]
			if m.To != to {
				continue
			}
			if len(m.Code) < 6 {
				t.Fatalf("SMS to %s: code %q, want 6 digits or more", to, m.Code)
			}
			text, webOTP, ok := strings.Cut(m.Body, "\n\n@")
			if !ok || !strings.Contains(text, "code is "+m.Code+".") || webOTP != s.hostport+" #"+m.Code {
				t.Fatalf("SMS to %s: text %q; want it to hold the code %s and end with the WebOTP line @%s #%s", to, m.Body, m.Code, s.hostport, m.Code)
			}
			return m, m.Code
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range ms[mark:] {
				got = append(got, m.To)
			}
			t.Fatalf("no SMS to %s within 10 s (messages since the mark went to %v)", to, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// since returns the messages sent after mark.
func (s *server) since(t *testing.T, mark int) []smsMessage {
	t.Helper()
	return s.messages(t)[mark:]
}

// rawRequest sends one HTTP request with the server's API token and returns
// the status, headers and body (for checks the SDKs cannot make, such as the
// body of a 429 they throw away).
func (s *server) rawRequest(t *testing.T, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+s.token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

var uniq struct {
	sync.Mutex
	n int
}

// unique returns a short string that differs on every call in this run.
func unique() string {
	uniq.Lock()
	defer uniq.Unlock()
	uniq.n++
	return fmt.Sprintf("%d-%d", time.Now().UnixNano()%1e9, uniq.n)
}

// phoneNumber returns a distinct valid US number in E.164 for each call
// (+1 628 400 11NN), so that each test reads its own messages in the sink.
func phoneNumber() string {
	uniq.Lock()
	defer uniq.Unlock()
	uniq.n++
	return fmt.Sprintf("+162840011%02d", 34+uniq.n%60)
}
