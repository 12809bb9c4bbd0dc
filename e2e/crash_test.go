package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/store"
)

// node is one smsmfa serve process with a webhook provider, that a test can
// kill hard and start again on the same database.
type node struct {
	t    *testing.T
	dir  string
	addr string
	env  []string
	cmd  *exec.Cmd
	log  *os.File
}

func newNode(t *testing.T, dir string, env ...string) *node {
	n := &node{t: t, dir: dir, addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), env: env}
	t.Cleanup(func() { n.kill() })
	return n
}

func (n *node) base() string { return "http://" + n.addr }

func (n *node) environ() []string {
	return append(append(os.Environ(), "SMSMFA_DATABASE=sqlite:"+filepath.Join(n.dir, "smsmfa.db")), n.env...)
}

func (n *node) cli(args ...string) string {
	n.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = n.dir, n.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		n.t.Fatalf("smsmfa %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String())
}

func (n *node) start() {
	n.t.Helper()
	n.cmd = exec.Command(binary, "serve", "--addr", n.addr, "--base-url", n.base(), "--password-memory", "1024", "--password-time", "1", "--deliver-wait", "500ms")
	n.cmd.Dir, n.cmd.Env = n.dir, n.environ()
	if n.log == nil {
		var err error
		if n.log, err = os.Create(filepath.Join(n.t.ArtifactDir(), "server-"+strings.ReplaceAll(n.addr, ":", "-")+".log")); err != nil {
			n.t.Fatal(err)
		}
	}
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(n.base() + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process to come up
	}
	n.t.Fatal("server did not come up")
}

// kill stops the process with SIGKILL: no shutdown, nothing flushed.
func (n *node) kill() {
	if n.cmd != nil && n.cmd.Process != nil {
		n.cmd.Process.Signal(syscall.SIGKILL)
		n.cmd.Wait()
		n.cmd = nil
	}
}

// api calls the management API with token.
func (n *node) api(method, path, token string, body any) (int, map[string]any) {
	n.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, n.base()+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "SSWS "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// attempts reads the delivery log of the node's database directly.
func (n *node) deliveryLog() []mfa.DeliveryRecord {
	n.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(n.dir, "smsmfa.db"))
	if err != nil {
		n.t.Fatal(err)
	}
	defer db.Close()
	var out []mfa.DeliveryRecord
	err = db.InTx(ctx, func(tx mfa.Tx) error {
		ms, err := tx.ListMessages(ctx, mfa.MessageFilter{})
		for _, m := range ms {
			as, err := tx.ListAttempts(ctx, []string{m.ID})
			if err != nil {
				return err
			}
			out = append(out, mfa.DeliveryRecord{Message: m, Attempts: as})
		}
		return err
	})
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}

func crashSetup(t *testing.T) (*node, *smstest.Gateway, string, string) {
	gw, err := smstest.NewGateway("crash-secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	n := newNode(t, t.TempDir(), "SMSMFA_PROVIDER_TYPE=webhook", "SMSMFA_PROVIDER_NAME=gateway", "SMSMFA_PROVIDER_URL="+gw.URL(),
		"SMSMFA_PROVIDER_CREDENTIALS=secret=crash-secret")
	n.cli("sms", "enable")
	n.cli("user", "create", "--login", "crash-admin@example.com", "--password", "Admin-Pass-2026", "--admin") // the token's owner
	token := n.cli("token", "create", "--name", "crash")
	n.start()
	status, u := n.api("POST", "/api/v1/users?activate=true", token, map[string]any{"profile": map[string]any{"login": "crash@example.com"},
		"credentials": map[string]any{"password": map[string]any{"value": "Crash-Pass-2026"}}})
	if status != 200 {
		t.Fatalf("create user: %d %v", status, u)
	}
	return n, gw, token, u["id"].(string)
}

// TestKilledServerLosesNoMessage: the provider is down when the code is
// queued; the server is killed; once restarted (and the provider back) the
// message is delivered, once.
func TestKilledServerLosesNoMessage(t *testing.T) {
	n, gw, token, uid := crashSetup(t)
	gw.SetMode(smstest.Down)
	status, f := n.api("POST", "/api/v1/users/"+uid+"/factors", token, map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	if status != 200 || f["status"] != "PENDING_ACTIVATION" {
		t.Fatalf("enroll with the provider down: %d %v", status, f)
	}
	if gw.Requests() == 0 {
		t.Fatal("the server did not even try the provider")
	}
	n.kill()
	gw.SetMode(smstest.OK)
	n.start()
	got, err := gw.Wait(20*time.Second, func(r []smstest.Received) bool { return len(r) >= 1 })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].To != "+14155550123" {
		t.Fatalf("received %+v", got)
	}
	status, a := n.api("POST", "/api/v1/users/"+uid+"/factors/"+f["id"].(string)+"/lifecycle/activate", token, map[string]any{"passCode": got[0].Code})
	if status != 200 || a["status"] != "ACTIVE" {
		t.Fatalf("activate with the delivered code: %d %v", status, a)
	}
	if again := gw.Received(); len(again) != 1 {
		t.Fatalf("delivered %d times", len(again))
	}
	if recs := n.deliveryLog(); len(recs) != 1 || recs[0].State != mfa.MessageSent {
		t.Fatalf("delivery log: %+v", recs)
	}
}

// TestKilledMidSendIsSentAgainAndSaysSo: the provider got the message but
// the server died before its answer arrived; after restart the message is
// sent again, and the delivery log says it may have arrived twice.
func TestKilledMidSendIsSentAgainAndSaysSo(t *testing.T) {
	n, gw, token, uid := crashSetup(t)
	gw.SetMode(smstest.Hang)
	status, _ := n.api("POST", "/api/v1/users/"+uid+"/factors", token, map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": "+14155550124"}})
	if status != 200 {
		t.Fatalf("enroll: %d", status)
	}
	if _, err := gw.Wait(10*time.Second, func(r []smstest.Received) bool { return len(r) == 1 }); err != nil {
		t.Fatal(err)
	}
	n.kill()
	gw.SetMode(smstest.OK)
	gw.Release()
	n.start()
	got, err := gw.Wait(20*time.Second, func(r []smstest.Received) bool { return len(r) >= 2 })
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != got[1].ID || got[0].Code != got[1].Code {
		t.Fatalf("two different messages: %+v", got)
	}
	var rec mfa.DeliveryRecord
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if recs := n.deliveryLog(); len(recs) == 1 && recs[0].State == mfa.MessageSent {
			rec = recs[0]
			break
		}
		time.Sleep(50 * time.Millisecond) // the outcome is written just after the provider answers
	}
	if rec.State != mfa.MessageSent || len(rec.Attempts) < 2 || rec.Attempts[0].Outcome != "lost" || !strings.Contains(rec.Attempts[0].Error, "may arrive twice") {
		t.Fatalf("delivery log: %+v", rec)
	}
}

// apiList calls an endpoint that answers a JSON array.
func (n *node) apiList(method, path, token string) (int, []map[string]any) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.base()+path, nil)
	req.Header.Set("Authorization", "SSWS "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var out []map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (n *node) apiStatus(path string) (int, error) {
	res, err := http.Get(n.base() + path)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
