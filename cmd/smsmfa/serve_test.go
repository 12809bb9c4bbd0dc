package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/config"
)

// noEnv is an environment without SMSMFA_* variables.
func noEnv(string) string { return "" }

// mustRun runs an smsmfa command in process and fails the test if it fails.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, noEnv, &out, &errb); code != 0 {
		t.Fatalf("smsmfa %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestMetricsOnTheMainAddressOnlyWithMetricsPublic(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"Default", nil, http.StatusNotFound},
		{"MetricsAddrElsewhere", []string{"--metrics-addr", "127.0.0.1:0"}, http.StatusNotFound},
		{"MetricsPublic", []string{"--metrics-public"}, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, h := testApp(t, c.args...)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != c.want || (c.want == http.StatusOK) != strings.Contains(rec.Body.String(), "# HELP") {
				t.Fatalf("GET /metrics on the main address: HTTP %d, want %d\n%.300s", rec.Code, c.want, rec.Body.String())
			}
		})
	}
}

// testApp opens the server's app on a new SQLite file with the serve flags
// args, and returns it with its public handler; it is closed with the test.
func testApp(t *testing.T, args ...string) (*app, http.Handler) {
	t.Helper()
	args = append([]string{"--database", "sqlite:" + filepath.Join(t.TempDir(), "app.db")}, args...)
	cfg, _, err := config.Load("smsmfa serve", config.FlagsServe, args, noEnv, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	h, err := a.handler()
	if err != nil {
		t.Fatal(err)
	}
	return a, h
}

// The profiler is on the metrics address only, never on the public one.
func TestProfilerOnTheMetricsAddressOnly(t *testing.T) {
	a, main := testApp(t, "--metrics-public")
	for path, want := range map[string]int{"/debug/pprof/": http.StatusOK, "/debug/pprof/heap?debug=1": http.StatusOK, "/metrics": http.StatusOK} {
		rec := httptest.NewRecorder()
		a.operatorHandler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("metrics address %s: HTTP %d, want %d", path, rec.Code, want)
		}
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/heap?debug=1", "/debug/pprof/cmdline", "/debug/pprof/symbol"} {
		rec := httptest.NewRecorder()
		main.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "goroutine") || strings.Contains(rec.Body.String(), "num_symbols") {
			t.Errorf("the profiler answers %s on the public address: HTTP %d\n%.200s", path, rec.Code, rec.Body.String())
		}
	}
}

// syncBuffer is a log destination read after the server stopped.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNoProviderWithoutDevRefusesAndLogsNoCode plays a production server
// nobody gave a provider: the user asks for a code by the API and by the
// sign-in page, is told that texts cannot be sent, and the server log
// (captured whole) holds no code, no text and no full phone number.
func TestNoProviderWithoutDevRefusesAndLogsNoCode(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	mustRun(t, "user", "create", "--database", db, "--login", "ann@example.com", "--password", "Ann-Pass-2026-long")
	mustRun(t, "sms", "enable", "--database", db)
	// Ten-digit codes: no other ten-digit run belongs in the log.
	mustRun(t, "settings", "set", "--database", db, "code_length=10")

	base, logs, shutdown := startServe(t, db)
	defer shutdown()

	// The API: the Okta error of a provider failure, with the reason.
	tok := apiPost(t, base+"/api/v1/authn", `{"username":"ann@example.com","password":"Ann-Pass-2026-long"}`, http.StatusOK)["stateToken"].(string)
	e := apiPost(t, base+"/api/v1/authn/factors", `{"stateToken":"`+tok+`","factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+14155550127"}}`, http.StatusInternalServerError)
	want := "Text messages cannot be sent: no SMS provider is configured. Contact your administrator."
	if e["errorCode"] != "E0000138" || !strings.Contains(jsonText(e["errorCauses"]), want) {
		t.Errorf("API answer %v, want E0000138 with %q", e, want)
	}

	// The sign-in page says the same.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	formPost(t, c, base+"/login", url.Values{"username": {"ann@example.com"}, "password": {"Ann-Pass-2026-long"}})
	page := formPost(t, c, base+"/signin/enroll/sms", url.Values{"country": {"US"}, "phone": {"4155550128"}})
	if !strings.Contains(page, want) {
		t.Errorf("the sign-in page does not say why no code came:\n%s", page)
	}
	if strings.Contains(page, "on its way") {
		t.Errorf("the sign-in page says the code is on its way beside the refusal:\n%s", page)
	}

	shutdown()
	log := logs.String()
	if !strings.Contains(log, "No SMS provider is configured") {
		t.Errorf("serve did not warn at start that codes cannot be sent:\n%s", log)
	}
	checkLogHoldsNoCode(t, log)
}

// checkLogHoldsNoCode fails when a JSON log line holds, outside its time,
// a run of ten digits (a ten-digit code, or a full phone number) or a
// message of the development sink.
func checkLogHoldsNoCode(t *testing.T, log string) {
	t.Helper()
	digits := regexp.MustCompile(`[0-9]{10}`)
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("not a JSON log line: %s", sc.Text())
			continue
		}
		delete(line, "time")
		rest, _ := json.Marshal(line)
		if digits.Match(rest) || strings.Contains(string(rest), "development SMS sink") || line["body"] != nil || line["code"] != nil {
			t.Errorf("the log holds a code or a number: %s", sc.Text())
		}
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the server did not become healthy")
}

// apiPost posts a JSON body and decodes the answer, which must have status.
func apiPost(t *testing.T, u, body string, status int) map[string]any {
	t.Helper()
	res, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != status {
		t.Fatalf("POST %s: HTTP %d (want %d), %v %v", u, res.StatusCode, status, out, err)
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// formPost sends a same-origin form as a browser does and returns the page
// it ends on.
func formPost(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// The telephony dashboard's figures are metrics too, for a Grafana board.
func TestMetricsCarryTheTelephonyDashboard(t *testing.T) {
	_, h := testApp(t, "--metrics-public")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{"smsmfa_telephony_stats_up 1", `smsmfa_fraud_throttled{kind="prefix"} 0`, "smsmfa_sms_budget_daily 10000", "smsmfa_numbers_blocked 0"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
}

// The server bounds its heap at the password hashes it may run at once
// plus its own needs, unless the operator set GOMEMLIMIT.
func TestMemoryLimitFollowsThePasswordHashes(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	want := int64(runtime.GOMAXPROCS(0))*64<<20 + memoryBase
	if got := limitMemory(64<<10, func(string) string { return "" }); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("memory limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}
	debug.SetMemoryLimit(12345 << 20)
	if got := limitMemory(64<<10, func(k string) string { return map[string]string{"GOMEMLIMIT": "12345MiB"}[k] }); got != 12345<<20 {
		t.Fatalf("with GOMEMLIMIT set, the limit became %d", got)
	}
}

// startServe runs serve on db (fast password hashing, and the flags extra)
// until it is healthy; shutdown stops it (once) and reports its error.
func startServe(t *testing.T, db string, extra ...string) (base string, logs *syncBuffer, shutdown func()) {
	t.Helper()
	addr := freeAddr(t)
	base = "http://" + addr
	ctx, stop := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, append([]string{"--database", db, "--addr", addr, "--base-url", base, "--password-memory", "1024", "--password-time", "1"}, extra...), noEnv, io.Discard, logs)
	}()
	var once sync.Once
	shutdown = func() {
		once.Do(func() {
			stop()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	waitHealthy(t, base)
	return base, logs, shutdown
}

// serveOnce runs serve on db until it is healthy, stops it and returns
// its log.
func serveOnce(t *testing.T, db string) string {
	t.Helper()
	base, logs, shutdown := startServe(t, db)
	shutdown()
	return strings.ReplaceAll(logs.String(), base, "BASE")
}

// serve says in its first lines where to go: while no admin exists, the
// setup page and a setup code, a new one each start, none once an admin
// exists; the database keeps only the code's hash.
func TestServePrintsWhereToGoAndASetupCode(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	codeRE := regexp.MustCompile(`enter the setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`)
	var codes []string
	for range 2 {
		log := serveOnce(t, db)
		lines := strings.SplitN(log, "\n", 4)
		m := codeRE.FindStringSubmatch(strings.Join(lines[:min(3, len(lines))], "\n"))
		if m == nil || !strings.Contains(log, "no administrator yet: open BASE/ to create the first one") {
			t.Fatalf("no setup code in the first lines:\n%s", log)
		}
		codes = append(codes, m[1])
	}
	if codes[0] == codes[1] {
		t.Fatalf("the same code twice: %s", codes[0])
	}
	mustRun(t, "user", "create", "--database", db, "--login", "root@example.com", "--password", "Admin-Pass-2026", "--admin")
	log := serveOnce(t, db)
	if codeRE.MatchString(log) || !strings.Contains(log, "open BASE/ to sign in") {
		t.Fatalf("with an admin:\n%s", log)
	}
}
