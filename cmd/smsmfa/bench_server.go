package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"smsmfa/internal/sms/smstest"
)

// benchChildEnv is set in the environment of the server a bench starts. The
// command ignores it; the package's tests use it to run the test binary as
// smsmfa (see TestMain).
const benchChildEnv = "SMSMFA_BENCH_CHILD"

// benchServer is the server process a bench run starts and measures.
type benchServer struct {
	cmd    *exec.Cmd
	base   string
	debug  string // the server's --metrics-addr (profiles), as a base URL
	stderr *tail
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// startBenchServer runs `smsmfa serve` (this executable) on a free
// loopback port over database, with the master key and the provider
// emulator gw given through the environment (SMSMFA_* variables of this
// process are not passed on; GOGC, GOMEMLIMIT and the like are), logging
// errors only, and waits until it answers /healthz.
func startBenchServer(ctx context.Context, database, key string, gw *smstest.Gateway) (*benchServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddress()
	if err != nil {
		return nil, err
	}
	debug, err := freeAddress()
	if err != nil {
		return nil, err
	}
	s := &benchServer{base: "http://" + addr, debug: "http://" + debug, stderr: &tail{}, exited: make(chan struct{})}
	s.cmd = exec.Command(exe, "serve", "--database", database, "--addr", addr, "--base-url", s.base, "--log-level", "error", "--metrics-addr", debug)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMSMFA_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, "SMSMFA_KEY="+key, "SMSMFA_PROVIDER_TYPE=webhook", "SMSMFA_PROVIDER_NAME=bench-gateway",
		"SMSMFA_PROVIDER_URL="+gw.URL(), "SMSMFA_PROVIDER_CREDENTIALS=secret="+gw.Secret, benchChildEnv+"=1")
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("the server stopped at start (%v): %s", s.err, s.stderr)
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), s.stop())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("the server did not answer /healthz within a minute: %s", s.stderr), s.stop())
		}
	}
}

// stop asks the server to shut down (SIGTERM), and kills it after 20 s.
func (s *benchServer) stop() error {
	select {
	case <-s.exited:
		return nil // already gone; its failure was reported
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("the server: %w: %s", s.err, s.stderr)
		}
		return nil
	case <-time.After(20 * time.Second):
		return errors.Join(errors.New("the server did not stop within 20 s: killed"), s.cmd.Process.Kill())
	}
}

// cpuProfile records the server's CPU for d (after a wait of skip) and
// writes the profile to file.
func (s *benchServer) cpuProfile(ctx context.Context, skip, d time.Duration, file string) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(skip):
	}
	// net/http/pprof refuses a profile as long as the server's write
	// timeout (60 s): at most 55 s of the run.
	secs := min(max(1, int(d/time.Second)), 55)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.debug, secs), nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: the server answered %s", res.Status)
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, res.Body); err != nil {
		out.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	return out.Close()
}

// freeAddress returns a loopback address nobody listens on now.
func freeAddress() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	return ln.Addr().String(), ln.Close()
}

// tail keeps the last 4 KiB written to it.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0], t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}
