package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/bench"
	"smsmfa/internal/store"
)

// TestMain runs the test binary as smsmfa when a bench started it as its
// server (os.Executable is this binary in tests).
func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) != "" {
		main()
	}
	os.Exit(m.Run())
}

// TestBenchRefusesAPopulatedDatabase: pointed by mistake at a database
// with users, the bench changes nothing; with --reuse it runs, then puts
// the settings back and deletes its users.
func TestBenchRefusesAPopulatedDatabase(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "prod.db")
	mustRun(t, "user", "create", "--database", db, "--login", "ann@example.com", "--password", "Ann-Pass-2026-long")
	settings := mustRun(t, "settings", "list", "--database", db)
	bench := []string{"bench", "--database", db, "--users", "2", "--flows", "2", "--concurrency", "1", "--password-memory", "1024", "--password-time", "1"}

	var out, errb bytes.Buffer
	if code := run(context.Background(), bench, noEnv, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--reuse") {
		t.Fatalf("bench on a database with users: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if got := mustRun(t, "settings", "list", "--database", db); got != settings {
		t.Fatalf("the refused bench changed the settings:\n%s\nwas\n%s", got, settings)
	}

	argon2BoundFor = 200 * time.Millisecond
	t.Cleanup(func() { argon2BoundFor = 5 * time.Second })
	if out := mustRun(t, append(bench, "--reuse")...); !strings.Contains(out, "argon2id bound on this machine") || !strings.Contains(out, "% of their mean") {
		t.Errorf("the signin report does not compare the flows with the argon2id bound:\n%s", out)
	}
	if got := mustRun(t, "settings", "list", "--database", db); got != settings {
		t.Errorf("the settings were not put back after the run:\n%s\nwas\n%s", got, settings)
	}
	if users := mustRun(t, "user", "list", "--database", db); strings.Contains(users, "bench") || !strings.Contains(users, "ann@example.com") {
		t.Errorf("users after the run:\n%s", users)
	}
}

func TestBenchUsersHaveRandomPasswords(t *testing.T) {
	a, b := benchUsers(2), benchUsers(2)
	seen := map[string]bool{}
	for _, u := range append(a, b...) {
		if len(u.Password) < 20 || seen[u.Password] || seen[u.Login] {
			t.Fatalf("bench user %+v: passwords must be long and random, logins unique to the run", u)
		}
		seen[u.Password], seen[u.Login] = true, true
	}
}

// mfaReport runs an mfa bench writing its JSON report to a file, and reads it.
func mfaReport(t *testing.T, args ...string) (bench.MFAReport, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.json")
	out := mustRun(t, append([]string{"bench", "--workload", "mfa", "--duration", "1s", "--concurrency", "4", "--json", file}, args...)...)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.MFAReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r, out
}

// checkMFAReport fails unless r is a run without failures with every figure
// this machine can give.
func checkMFAReport(t *testing.T, r bench.MFAReport, out string, db bool) {
	t.Helper()
	if r.Flows == 0 || r.Failures != 0 || r.TimeToSMS.N != r.Flows || r.Steps[bench.StepChallenge].N != r.Flows || r.Steps[bench.StepVerify].N != r.Flows {
		t.Fatalf("mfa run: %d flows, %d failures (%v), %d times to SMS\n%s", r.Flows, r.Failures, r.FailureSamples, r.TimeToSMS.N, out)
	}
	if runtime.GOOS != "linux" {
		return
	}
	if r.ServerCPU == nil || *r.ServerCPU <= 0 || r.PeakRSS == nil || *r.PeakRSS < 10 || r.BenchCPU == nil || r.Machine.BusyPercent == nil || r.Machine.LoadBefore == nil {
		t.Errorf("mfa run on Linux: measurements missing: %s", r.JSON())
	}
	if db != (r.DBCPU != nil) {
		t.Errorf("database CPU: %v, want it measured: %v", r.DBCPU, db)
	}
}

// TestBenchMFA: the mfa workload seeds its users, starts its server as a
// process, runs without failures and fills in its measurements; on a
// --database it keeps its users for a run with --reuse, which compares
// with an earlier report and puts the settings back.
func TestBenchMFA(t *testing.T) {
	r, out := mfaReport(t, "--users", "300")
	checkMFAReport(t, r, out, false)
	if r.Engine != store.SQLite || r.Users != 300 || r.Concurrency != 4 || r.PoolCeiling != 10 || r.Settings["budget_daily"] == "" {
		t.Errorf("report: %s", r.JSON())
	}

	db := "sqlite:" + filepath.Join(t.TempDir(), "mfa.db")
	first, _ := mfaReport(t, "--users", "1000", "--database", db)
	settings := mustRun(t, "settings", "list", "--database", db)
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--workload", "mfa", "--users", "1000", "--duration", "1s", "--concurrency", "4", "--database", db}
	if code := run(context.Background(), args, noEnv, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "--reuse") {
		t.Fatalf("mfa bench on a database with users, without --reuse: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	old := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(old, first.JSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	args = append(args, "--reuse", "--compare", old, "--json")
	if code := run(context.Background(), args, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("mfa bench --reuse: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	var again bench.MFAReport
	if err := json.Unmarshal(stdout.Bytes(), &again); err != nil {
		t.Fatalf("--json alone: stdout is not the report: %v\n%s", err, stdout.String())
	}
	checkMFAReport(t, again, stderr.String(), false)
	// The first run's users are found, except those it challenged (their
	// cooldown is not over): 0 failures above.
	if strings.Contains(stderr.String(), "bench: 0 users") || !strings.Contains(stderr.String(), "compared with the run of") {
		t.Errorf("--reuse found no users, or --compare printed nothing:\n%s", stderr.String())
	}
	if got := mustRun(t, "settings", "list", "--database", db); got != settings {
		t.Errorf("the settings were not put back:\n%s\nwas\n%s", got, settings)
	}
}

// TestBenchMFAPostgres runs the mfa workload on a new schema of the test
// server, the database's CPU measured too.
func TestBenchMFAPostgres(t *testing.T) {
	base := os.Getenv("SMSMFA_TEST_POSTGRES")
	if base == "" {
		t.Skip("SMSMFA_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := "benchtest_" + strings.ToLower(rand.Text())
	if _, err := admin.SQL().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.SQL().ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	r, out := mfaReport(t, "--users", "300", "--database", u.String())
	checkMFAReport(t, r, out, true)
}

func TestBenchFlagsOfTheOtherWorkload(t *testing.T) {
	for _, args := range [][]string{{"--workload", "mfa", "--flows", "3"}, {"--provider", "gateway", "--duration", "1s"}, {"--workload", "mfa", "--token", "x"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"bench"}, args...), noEnv, &out, &errb); code == 0 {
			t.Errorf("bench %v: exit 0, want a refusal\n%s", args, out.String())
		}
	}
}
