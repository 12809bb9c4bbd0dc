package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// call sends a JSON body with headers and returns the answer's status,
// headers and decoded body.
func call(t *testing.T, method, u, body string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &out) // not every answer is JSON (a 404 page)
	return res.StatusCode, res.Header, out
}

// scrape reads the server's metrics.
func scrape(t *testing.T, base string) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return string(b), fams
}

// sample returns the value of the series of family name with labels, or
// -1 when there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	for _, m := range f.GetMetric() {
		match := 0
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
				match++
			}
		}
		if match != len(labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

// An operator's view of a server in use: a wrong password, a sign-in, a
// text, a wrong code, a resend refused, a scan of random paths; each shows
// in the metrics under bounded labels, the request id comes back and is on
// the log lines of the request, and the Grafana dashboard and the alert
// rules in deploy/ use only metrics the server exports.
func TestOperatorMetricsAfterUse(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	mustRun(t, "user", "create", "--database", db, "--login", "ann@example.com", "--password", "Ann-Pass-2026-long")
	mustRun(t, "sms", "enable", "--database", db)
	// The test is the trusted proxy in front (it passes a request id).
	base, logs, shutdown := startServe(t, db, "--dev", "--metrics-public", "--trusted-proxies", "127.0.0.1")
	defer shutdown()

	if st, _, _ := call(t, "POST", base+"/api/v1/authn", `{"username":"ann@example.com","password":"not-her-password"}`, nil); st != http.StatusUnauthorized {
		t.Fatalf("wrong password: HTTP %d", st)
	}
	st, _, v := call(t, "POST", base+"/api/v1/authn", `{"username":"ann@example.com","password":"Ann-Pass-2026-long"}`, nil)
	tok, _ := v["stateToken"].(string)
	if st != http.StatusOK || tok == "" {
		t.Fatalf("sign-in: HTTP %d %v", st, v)
	}
	st, h, v := call(t, "POST", base+"/api/v1/authn/factors", `{"stateToken":"`+tok+`","factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+14155550127"}}`,
		map[string]string{"X-Request-Id": "edge-enroll-42"})
	if st != http.StatusOK || h.Get("X-Request-Id") != "edge-enroll-42" || h.Get("X-Okta-Request-Id") != "edge-enroll-42" {
		t.Fatalf("enrollment: HTTP %d, request ids %q %q, %v", st, h.Get("X-Request-Id"), h.Get("X-Okta-Request-Id"), v)
	}
	fid, _ := v["_embedded"].(map[string]any)["factor"].(map[string]any)["id"].(string)
	st, h, v = call(t, "POST", base+"/api/v1/authn/factors/"+fid+"/lifecycle/activate", `{"stateToken":"`+tok+`","passCode":"000000"}`, nil)
	if st != http.StatusForbidden || v["errorId"] != "oae"+strings.TrimPrefix(h.Get("X-Request-Id"), "req") {
		t.Fatalf("wrong code: HTTP %d, request id %q, %v", st, h.Get("X-Request-Id"), v)
	}
	if st, _, v := call(t, "POST", base+"/api/v1/authn/factors/"+fid+"/lifecycle/resend", `{"stateToken":"`+tok+`"}`, nil); st != http.StatusTooManyRequests {
		t.Fatalf("resend at once: HTTP %d %v", st, v)
	}
	// An attacker's id (too long) is not echoed.
	long := strings.Repeat("A", 5000)
	if _, h, _ := call(t, "GET", base+"/healthz", "", map[string]string{"X-Request-Id": long}); strings.Contains(h.Get("X-Request-Id"), "AAAA") || h.Get("X-Request-Id") == "" {
		t.Fatalf("a 5000-character request id came back as %.40q", h.Get("X-Request-Id"))
	}
	var scanned []string
	for range 200 {
		p := fmt.Sprintf("/scan%x", rand.Uint64())
		scanned = append(scanned, p)
		call(t, "GET", base+p, "", nil)
		call(t, "POST", base+"/api/v1"+p, "{}", nil)
	}

	text, fams := scrape(t, base)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"smsmfa_signins_total", map[string]string{"outcome": "wrong_password"}, 1},
		{"smsmfa_signins_total", map[string]string{"outcome": "success"}, 1},
		{"smsmfa_verifications_total", map[string]string{"outcome": "wrong_code"}, 1},
		{"smsmfa_limit_refusals_total", map[string]string{"rule": "resend_cooldown"}, 1},
		{"smsmfa_lockouts_total", map[string]string{"cause": "code"}, 0},
		{"smsmfa_http_requests_total", map[string]string{"route": "POST /api/v1/authn", "method": "POST", "code": "401"}, 1},
		{"smsmfa_http_requests_total", map[string]string{"route": "POST /api/v1/authn", "method": "POST", "code": "200"}, 1},
		{"smsmfa_http_requests_total", map[string]string{"route": "POST /api/v1/authn/factors/{fid}/lifecycle/activate", "method": "POST", "code": "403"}, 1},
		{"smsmfa_http_request_duration_seconds", map[string]string{"route": "POST /api/v1/authn"}, 2},
		{"smsmfa_sms_send_total", map[string]string{"provider": "devsink", "outcome": "sent"}, 1},
		{"smsmfa_sms_breaker_open", map[string]string{"provider": "devsink"}, 0},
		{"smsmfa_outbox_stats_up", nil, 1},
		{"smsmfa_outbox_depth", nil, 0},
		{"smsmfa_db_pool_max_open_connections", map[string]string{"pool": "main"}, 1},
	} {
		if got := sample(fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if sample(fams, "smsmfa_db_pool_open_connections", map[string]string{"pool": "read"}) < 1 {
		t.Errorf("no reader connection open in the SQLite read pool")
	}
	// 400 random paths: no series of their own, a handful of routes.
	for _, p := range scanned {
		if strings.Contains(text, p) {
			t.Fatalf("the metrics hold the scanned path %s", p)
		}
	}
	routes := map[string]bool{}
	for _, m := range fams["smsmfa_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" {
				routes[l.GetValue()] = true
			}
		}
	}
	if len(routes) > 10 {
		t.Errorf("%d routes after a scan: %v", len(routes), slices.Sorted(func(yield func(string) bool) {
			for r := range routes {
				if !yield(r) {
					return
				}
			}
		}))
	}

	t.Run("DashboardAndAlerts", func(t *testing.T) { checkDeployFiles(t, fams) })
	t.Run("PromtoolLint", func(t *testing.T) { lintMetrics(t, text) })

	shutdown()
	// The request's own log lines (the text sent) carry its id.
	var tagged []string
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["request_id"] == "edge-enroll-42" {
			tagged = append(tagged, fmt.Sprint(line["msg"]))
		}
	}
	if !slices.Contains(tagged, "SMS sent") {
		t.Errorf("the log lines of the enrollment request with request_id: %q; want the text's \"SMS sent\" among them\n%s", tagged, logs.String())
	}
}

// metricName finds the metric names an expression uses.
var metricName = regexp.MustCompile(`\b(smsmfa|go|process)_[a-zA-Z0-9_]+`)

// checkDeployFiles checks deploy/grafana/smsmfa-dashboard.json and
// deploy/prometheus/alerts.yml: they parse, every metric they use is among
// fams (the server's, after use), every alert has a duration, a summary
// and a description; and promtool, when installed, accepts the rules.
func checkDeployFiles(t *testing.T, fams map[string]*dto.MetricFamily) {
	exported := func(name string) bool {
		if _, ok := fams[name]; ok {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} { // a histogram's series
			if f, ok := fams[strings.TrimSuffix(name, suffix)]; ok && strings.HasSuffix(name, suffix) && f.GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
		return false
	}
	checkExpr := func(where, expr string) {
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("%s: no smsmfa metric in %q", where, expr)
		}
		for _, n := range names {
			if !exported(n) {
				t.Errorf("%s: %s is not a metric the server exports", where, n)
			}
		}
	}

	b, err := os.ReadFile("../../deploy/grafana/smsmfa-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string
		Panels []struct {
			Title   string
			Type    string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name       string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("the dashboard: %v", err)
	}
	exprs := 0
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkExpr("dashboard panel "+p.Title, q.Expr)
			exprs++
		}
	}
	for _, v := range dash.Templating.List {
		if v.Definition != "" {
			checkExpr("dashboard variable "+v.Name, v.Definition)
		}
	}
	if exprs < 20 {
		t.Errorf("the dashboard has %d queries", exprs)
	}

	const rulesFile = "../../deploy/prometheus/alerts.yml"
	b, err = os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert       string
				Expr        string
				For         string
				Labels      map[string]string
				Annotations map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("the alert rules: %v", err)
	}
	var alerts []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			checkExpr("alert "+r.Alert, r.Expr)
			if r.For == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s lacks for:, a severity, a summary or a description", r.Alert)
			}
		}
	}
	for _, want := range []string{"SmsmfaProviderFailing", "SmsmfaAllBreakersOpen", "SmsmfaOutboxGrowing", "SmsmfaOutboxOldText", "SmsmfaBudget80Percent",
		"SmsmfaBudgetSpent", "SmsmfaHighErrorRate", "SmsmfaHighLatencyP99", "SmsmfaLockoutSpike", "SmsmfaFraudThrottle"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s", want)
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool is not installed (apt-get install prometheus): the rules were checked by this test only, not by promtool check rules")
		return
	}
	if out, err := exec.Command(promtool, "check", "rules", rulesFile).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

// lintMetrics runs promtool check metrics (Prometheus's naming lint) over a
// scrape, when promtool is installed. The telephony dashboard's latency
// gauges carry a quantile label, which the lint reserves for summaries:
// an older metric, kept as its consumers know it.
func lintMetrics(t *testing.T, scrape string) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus): metric names not linted")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(scrape)
	out, _ := cmd.CombinedOutput() // it exits 1 on any problem; the lines say which
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" && !strings.HasPrefix(line, "smsmfa_telephony_latency_seconds ") {
			t.Errorf("promtool check metrics: %s", line)
		}
	}
}
