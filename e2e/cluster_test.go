package e2e_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"smsmfa/internal/sms/smstest"
)

// TestCluster runs three instances on one PostgreSQL (DESIGN §6): sign-ins
// spread across them, one code verified on all three at once, limits that
// hold cluster-wide, an instance killed while messages wait, and
// PostgreSQL restarted mid-run. It needs SMSMFA_CLUSTER=1 (it restarts the
// PostgreSQL server, so .ci/run gives it a step of its own) and
// SMSMFA_TEST_POSTGRES.
func TestCluster(t *testing.T) {
	if os.Getenv("SMSMFA_CLUSTER") != "1" {
		t.Skip("SMSMFA_CLUSTER is not 1: the cluster test restarts PostgreSQL and runs in its own .ci/run step")
	}
	pgURL := os.Getenv("SMSMFA_TEST_POSTGRES")
	if pgURL == "" {
		t.Fatal("SMSMFA_CLUSTER=1 needs SMSMFA_TEST_POSTGRES")
	}
	dbURL := newClusterDatabase(t, pgURL)
	key := make([]byte, 32)
	rand.Read(key)
	gw, err := smstest.NewGateway("cluster-secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	env := []string{"SMSMFA_DATABASE=" + dbURL, "SMSMFA_KEY=" + base64.StdEncoding.EncodeToString(key),
		"SMSMFA_PROVIDER_TYPE=webhook", "SMSMFA_PROVIDER_NAME=gateway", "SMSMFA_PROVIDER_URL=" + gw.URL(), "SMSMFA_PROVIDER_CREDENTIALS=secret=cluster-secret",
		"SMSMFA_DELIVERY_LEASE=6s"} // a message held by the killed instance is taken over after 6 s
	dir := t.TempDir()
	nodes := []*node{newNode(t, dir, env...), newNode(t, dir, env...), newNode(t, dir, env...)}
	nodes[0].cli("sms", "enable")
	nodes[0].cli("settings", "set", "resend_cooldown=0s", "limit_phone_15m=5", "limit_phone_day=100", "limit_user_hour=100", "limit_ip_hour=100000")
	nodes[0].cli("user", "create", "--login", "cluster-admin@example.com", "--password", "Admin-Pass-2026", "--admin") // the token's owner
	token := nodes[0].cli("token", "create", "--name", "cluster")
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(n.start) // together: migrations must run once
	}
	wg.Wait()
	c := &cluster{t: t, nodes: nodes, gw: gw, token: token}

	t.Run("FlowsSpreadAcrossInstances", func(t *testing.T) {
		ok, failed := c.flows(t, "spread", 30, 6)
		t.Logf("flows across 3 instances: %d ok, %d failed", ok, failed)
		if failed != 0 {
			t.Fatalf("%d flows failed", failed)
		}
	})
	t.Run("OneCodeVerifiedOnAllInstancesSucceedsOnce", func(t *testing.T) {
		uid, fid, phone := c.enrolled(t, "race@example.com", "+14155552000")
		since := time.Now()
		if s, r := nodes[1].api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", token, map[string]any{}); s != 200 || r["factorResult"] != "CHALLENGE" {
			t.Fatalf("challenge: %d %v", s, r)
		}
		code := c.code(t, phone, since)
		var success, wrong atomic.Int32
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				s, r := nodes[i%3].api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", token, map[string]any{"passCode": code})
				switch {
				case s == 200 && r["factorResult"] == "SUCCESS":
					success.Add(1)
				case s == 403 && r["errorCode"] == "E0000068":
					wrong.Add(1)
				default:
					t.Errorf("unexpected answer %d %v", s, r)
				}
			})
		}
		wg.Wait()
		t.Logf("30 concurrent verifications of one code over 3 instances: %d succeeded, %d refused", success.Load(), wrong.Load())
		if success.Load() != 1 {
			t.Fatalf("%d verifications succeeded, want exactly 1", success.Load())
		}
	})
	t.Run("LimitsHoldClusterWide", func(t *testing.T) {
		uid, fid, _ := c.enrolled(t, "limit@example.com", "+14155552001")
		// The enrollment code was the first of 5 allowed in 15 minutes.
		for i := range 4 {
			if s, r := nodes[i%3].api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", token, map[string]any{}); s != 200 {
				t.Fatalf("challenge %d on instance %d: %d %v", i+2, i%3, s, r)
			}
		}
		for i := range 3 {
			s, r := nodes[i].api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", token, map[string]any{})
			if s != 429 || r["errorCode"] != "E0000204" {
				t.Fatalf("6th code through instance %d: %d %v", i, s, r)
			}
		}
	})
	t.Run("KilledInstanceMessagesDeliveredByTheOthers", func(t *testing.T) {
		gw.SetMode(smstest.Down)
		before := len(gw.Received())
		var phones []string
		for i := range 10 {
			login, phone := fmt.Sprintf("queued%d@example.com", i), fmt.Sprintf("+141555530%02d", i)
			uid := c.user(t, login)
			if s, r := nodes[0].api("POST", "/api/v1/users/"+uid+"/factors", token, map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": phone}}); s != 200 {
				t.Fatalf("enroll while the provider is down: %d %v", s, r)
			}
			phones = append(phones, phone)
		}
		nodes[0].kill()
		gw.SetMode(smstest.OK)
		got, err := gw.Wait(60*time.Second, func(r []smstest.Received) bool { return len(r) >= before+10 })
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range got[before:] {
			seen[r.To]++
		}
		for _, p := range phones {
			if seen[p] != 1 {
				t.Errorf("%s received %d times", p, seen[p])
			}
		}
		t.Logf("instance 0 killed with 10 messages queued: %d delivered by the other instances", len(got)-before)
		nodes[0].start()
	})
	t.Run("PostgreSQLRestartMidRun", func(t *testing.T) {
		started := postmasterStart(t, pgURL)
		c.mu.Lock()
		base := len(c.accepted)
		c.mu.Unlock()
		done := make(chan [2]int)
		go func() { ok, failed := c.flows(t, "restart", 40, 4); done <- [2]int{ok, failed} }()
		// Restart once the flows are under way (a few accepted already).
		for {
			c.mu.Lock()
			n := len(c.accepted)
			c.mu.Unlock()
			if n >= base+4 {
				break
			}
			runtime.Gosched()
		}
		restartPostgres(t)
		r := <-done
		if after := postmasterStart(t, pgURL); !after.After(started) {
			t.Fatal("PostgreSQL did not restart")
		}
		t.Logf("40 flows while PostgreSQL restarted: %d ok, %d failed (failed ones got an error answer)", r[0], r[1])
		// Every instance recovers without a restart of its own.
		for i, n := range nodes {
			waitHealthy(t, n)
			uid, _, _ := c.enrolled(t, fmt.Sprintf("after%d@example.com", i), fmt.Sprintf("+1415555400%d", i))
			if uid == "" {
				t.Fatalf("instance %d does not work after the restart", i)
			}
		}
		// No accepted request was lost: every flow answered SUCCESS left an
		// active factor.
		c.checkAccepted(t)
	})
}

// cluster drives the instances.
type cluster struct {
	t        *testing.T
	nodes    []*node
	gw       *smstest.Gateway
	token    string
	mu       sync.Mutex
	accepted []string // users whose enrollment was answered ACTIVE
}

func (c *cluster) user(t *testing.T, login string) string {
	s, u := c.nodes[1].api("POST", "/api/v1/users?activate=true", c.token, map[string]any{"profile": map[string]any{"login": login},
		"credentials": map[string]any{"password": map[string]any{"value": "Cluster-Pass-2026"}}})
	if s != 200 {
		t.Fatalf("create %s: %d %v", login, s, u)
	}
	return u["id"].(string)
}

func (c *cluster) code(t *testing.T, phone string, since time.Time) string {
	got, err := c.gw.Wait(20*time.Second, func(r []smstest.Received) bool {
		for _, x := range r {
			if x.To == phone && !x.At.Before(since) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no code to %s: %v", phone, err)
	}
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].To == phone {
			return got[i].Code
		}
	}
	return ""
}

// enrolled creates a user with an active factor, each call on another instance.
func (c *cluster) enrolled(t *testing.T, login, phone string) (uid, fid, number string) {
	uid = c.user(t, login)
	since := time.Now()
	s, f := c.nodes[2].api("POST", "/api/v1/users/"+uid+"/factors", c.token, map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": phone}})
	if s != 200 {
		t.Fatalf("enroll: %d %v", s, f)
	}
	fid = f["id"].(string)
	if s, a := c.nodes[0].api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/lifecycle/activate", c.token, map[string]any{"passCode": c.code(t, phone, since)}); s != 200 || a["status"] != "ACTIVE" {
		t.Fatalf("activate: %d %v", s, a)
	}
	return uid, fid, phone
}

// flows runs n sign-in flows (enroll and activate, then challenge and
// verify), each step on the next instance, conc at a time.
func (c *cluster) flows(t *testing.T, prefix string, n, conc int) (ok, failed int) {
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range jobs {
				err := c.flow(prefix, i)
				mu.Lock()
				if err != nil {
					failed++
					t.Logf("flow %s-%d: %v", prefix, i, err)
				} else {
					ok++
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return ok, failed
}

func (c *cluster) flow(prefix string, i int) error {
	login, phone := fmt.Sprintf("%s%d@example.com", prefix, i), fmt.Sprintf("+14155%s%04d", map[string]string{"spread": "55", "restart": "56"}[prefix], i)
	s, u := c.nodes[i%3].api("POST", "/api/v1/users?activate=true", c.token, map[string]any{"profile": map[string]any{"login": login},
		"credentials": map[string]any{"password": map[string]any{"value": "Cluster-Pass-2026"}}})
	if s != 200 {
		return fmt.Errorf("create user: %d %v", s, u)
	}
	step := i
	authn := func(path string, body map[string]any) (map[string]any, error) {
		step++
		n := c.nodes[step%3]
		s, r := n.api("POST", path, "", body)
		if s != 200 {
			return nil, fmt.Errorf("%s on %s: %d %v", path, n.addr, s, r)
		}
		return r, nil
	}
	tx, err := authn("/api/v1/authn", map[string]any{"username": login, "password": "Cluster-Pass-2026"})
	if err != nil {
		return err
	}
	st := tx["stateToken"].(string)
	since := time.Now()
	tx, err = authn("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": phone}})
	if err != nil {
		return err
	}
	fid := tx["_embedded"].(map[string]any)["factor"].(map[string]any)["id"].(string)
	code, err := c.waitCode(phone, since)
	if err != nil {
		return err
	}
	if tx, err = authn("/api/v1/authn/factors/"+fid+"/lifecycle/activate", map[string]any{"stateToken": st, "passCode": code}); err != nil || tx["status"] != "SUCCESS" {
		return fmt.Errorf("activate: %v %v", err, tx["status"])
	}
	c.mu.Lock()
	c.accepted = append(c.accepted, u["id"].(string))
	c.mu.Unlock()
	tx, err = authn("/api/v1/authn", map[string]any{"username": login, "password": "Cluster-Pass-2026"})
	if err != nil {
		return err
	}
	st, since = tx["stateToken"].(string), time.Now()
	if _, err = authn("/api/v1/authn/factors/"+fid+"/verify", map[string]any{"stateToken": st}); err != nil {
		return err
	}
	if code, err = c.waitCode(phone, since); err != nil {
		return err
	}
	if tx, err = authn("/api/v1/authn/factors/"+fid+"/verify", map[string]any{"stateToken": st, "passCode": code}); err != nil || tx["status"] != "SUCCESS" {
		return fmt.Errorf("verify: %v %v", err, tx["status"])
	}
	return nil
}

func (c *cluster) waitCode(phone string, since time.Time) (string, error) {
	got, err := c.gw.Wait(30*time.Second, func(r []smstest.Received) bool {
		for _, x := range r {
			if x.To == phone && !x.At.Before(since) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return "", fmt.Errorf("no code to %s", phone)
	}
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].To == phone {
			return got[i].Code, nil
		}
	}
	return "", fmt.Errorf("no code")
}

// checkAccepted checks that every user whose activation was answered ACTIVE
// still has an active factor.
func (c *cluster) checkAccepted(t *testing.T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, uid := range c.accepted {
		s, fs := c.nodes[0].apiList("GET", "/api/v1/users/"+uid+"/factors", c.token)
		if s != 200 || len(fs) != 1 || fs[0]["status"] != "ACTIVE" {
			t.Errorf("user %s: an accepted activation was lost: %d %v", uid, s, fs)
		}
	}
	t.Logf("%d accepted activations checked after the restart: none lost", len(c.accepted))
}

func newClusterDatabase(t *testing.T, base string) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "smsmfa_cluster_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

// postmasterStart is when the PostgreSQL server started.
func postmasterStart(t *testing.T, base string) time.Time {
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var at time.Time
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err = db.QueryRow("SELECT pg_postmaster_start_time()").Scan(&at); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the server is coming back
	}
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// restartPostgres restarts the local PostgreSQL server.
func restartPostgres(t *testing.T) {
	entries, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no local PostgreSQL cluster to restart: %v", err)
	}
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", entries[0].Name(), "main", "restart").CombinedOutput()
	if err != nil {
		t.Fatalf("restart PostgreSQL: %v\n%s", err, out)
	}
}

func waitHealthy(t *testing.T, n *node) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if s, _ := n.apiStatus("/healthz"); s == 200 {
			return
		}
		time.Sleep(100 * time.Millisecond) // waiting for the database to come back
	}
	t.Fatalf("%s not healthy again", n.addr)
}
