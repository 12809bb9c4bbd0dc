package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	if os.Getenv("SMSMFA_E2E") != "1" {
		fmt.Println("e2e: SMSMFA_E2E is not 1: browser tests skipped")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "smsmfa-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "smsmfa")
	build := exec.Command("go", "build", "-o", binary, "../cmd/smsmfa")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: build failed:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running smsmfa serve --dev on a fresh SQLite database.
type server struct {
	t       *testing.T
	dir     string
	base    string
	cmd     *exec.Cmd
	logPath string // the server's output
	// host is the base URL's host name, "127.0.0.1" when empty (passkeys
	// need a domain: "localhost").
	host string
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// cli runs an smsmfa command against the server's database.
func (s *server) cli(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "SMSMFA_DATABASE=sqlite:"+filepath.Join(s.dir, "smsmfa.db"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("smsmfa %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func startServer(t *testing.T) *server {
	t.Helper()
	return startServerWith(t)
}

// startServerWith starts the server with extra serve flags.
func startServerWith(t *testing.T, extra ...string) *server {
	t.Helper()
	s := &server{t: t, dir: t.TempDir()}
	s.cli("user", "create", "--login", "alice@example.com", "--password", "Alice-Pass-2026", "--first", "Alice", "--last", "Example")
	s.cli("user", "create", "--login", "admin@example.com", "--password", "Admin-Pass-2026", "--admin")
	return s.start(extra...)
}

// startFreshServer starts the server on a database it creates itself: a
// first run, no user, nothing done from the command line.
func startFreshServer(t *testing.T, extra ...string) *server {
	t.Helper()
	s := &server{t: t, dir: t.TempDir()}
	return s.start(extra...)
}

// start runs smsmfa serve --dev in s.dir, its output in server.log.
func (s *server) start(extra ...string) *server {
	t := s.t
	t.Helper()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.base = "http://" + addr
	if s.host != "" {
		s.base = fmt.Sprintf("http://%s:%d", s.host, port)
	}
	s.cmd = exec.Command(binary, append([]string{"serve", "--dev", "--addr", addr, "--base-url", s.base, "--password-memory", "1024", "--password-time", "1"}, extra...)...)
	s.cmd.Dir = s.dir
	s.cmd.Env = append(os.Environ(), "SMSMFA_DATABASE=sqlite:"+filepath.Join(s.dir, "smsmfa.db"))
	s.logPath = filepath.Join(t.ArtifactDir(), "server.log")
	logf, err := os.Create(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
		logf.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("server did not become healthy")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type sinkMessage struct {
	ID, To, From, Body, Code string
	Created                  time.Time
	Channel, Extension       string // "voice" and the extension for a call
}

func (s *server) messages() []sinkMessage {
	s.t.Helper()
	resp, err := http.Get(s.base + "/dev/sms/messages")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []sinkMessage
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

// lastCode is the code of the newest text to number, and how many texts
// that number has received.
func (s *server) lastCode(number string) (string, int) {
	s.t.Helper()
	code, n := "", 0
	for _, m := range s.messages() {
		if m.To == number {
			n++
			code = m.Code
		}
	}
	switch {
	case n == 0:
		s.t.Fatalf("no text to %s", number)
	case code == "":
		s.t.Fatalf("the newest text to %s carries no code", number)
	}
	return code, n
}
