package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCmd runs an smsmfa command in process and returns its exit code and output.
func runCmd(getenv func(string) string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, getenv, &out, &errb)
	return code, out.String(), errb.String()
}

// TestHealthcheck asks a real server: 0 while it serves, 1 once it stopped
// (the container's HEALTHCHECK turns unhealthy).
func TestHealthcheck(t *testing.T) {
	addr := freeAddr(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, []string{"--database", db, "--addr", addr, "--password-memory", "1024", "--password-time", "1"}, noEnv, io.Discard, io.Discard)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	defer stop()
	waitHealthy(t, "http://"+addr)

	env := func(k string) string {
		if k == "SMSMFA_ADDR" {
			return addr
		}
		return ""
	}
	if code, out, errs := runCmd(env, "healthcheck"); code != 0 || !strings.Contains(out, `"ok"`) {
		t.Errorf("healthcheck (SMSMFA_ADDR) of a serving server: exit %d, %s%s", code, out, errs)
	}
	if code, _, errs := runCmd(noEnv, "healthcheck", "--url", "http://"+addr+"/healthz"); code != 0 {
		t.Errorf("healthcheck --url of a serving server: exit %d, %s", code, errs)
	}
	if code, _, _ := runCmd(noEnv, "healthcheck", "--url", "http://"+addr+"/no-such-page"); code != 1 {
		t.Errorf("healthcheck of a 404: exit %d, want 1", code)
	}
	stop()
	if code, _, errs := runCmd(env, "healthcheck"); code != 1 || errs == "" {
		t.Errorf("healthcheck of a stopped server: exit %d (want 1), %q", code, errs)
	}
}

func TestHealthzURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":9000":          "http://127.0.0.1:9000/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.1.2.3:8443":  "http://10.1.2.3:8443/healthz",
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
	} {
		if got, err := healthzURL(addr); err != nil || got != want {
			t.Errorf("healthzURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := healthzURL("no-port"); err == nil {
		t.Error("an address without a port was accepted")
	}
}

// TestBackupCommand backs up the embedded database, reports size and time,
// names the key that is not in it, and never replaces a file without --force.
func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "smsmfa.db")
	mustRun(t, "user", "create", "--database", db, "--login", "bob@example.com", "--password", "Backup-Horse-7-Battery")
	to := filepath.Join(dir, "backup.db")

	code, out, errs := runCmd(noEnv, "backup", "--database", db, "--to", to)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	if !regexp.MustCompile(`backed up .* to .*backup\.db: [0-9.]+ (B|KiB|MiB) \([0-9]+ pages\) in [0-9.]+m?s`).MatchString(out) {
		t.Errorf("the report gives no size and time:\n%s", out)
	}
	if !strings.Contains(out, filepath.Join(dir, "smsmfa.key")) || !strings.Contains(out, "not in the backup") {
		t.Errorf("the report does not say the key file is to be kept apart:\n%s", out)
	}
	// The copy is a working database: the user is there.
	code, out, errs = runCmd(noEnv, "user", "list", "--database", "sqlite:"+to, "--key-file", filepath.Join(dir, "smsmfa.key"))
	if code != 0 || !strings.Contains(out, "bob@example.com") {
		t.Errorf("user list on the copy: exit %d\n%s%s", code, out, errs)
	}

	before, _ := os.ReadFile(to)
	if code, _, errs := runCmd(noEnv, "backup", "--database", db, "--to", to); code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("backup over an existing file: exit %d (want 1), %q", code, errs)
	}
	if after, _ := os.ReadFile(to); !bytes.Equal(before, after) {
		t.Error("the existing backup was changed without --force")
	}
	if code, _, errs := runCmd(noEnv, "backup", "--database", db, "--to", to, "--force"); code != 0 {
		t.Errorf("backup --force: exit %d, %s", code, errs)
	}
	if code, _, errs := runCmd(noEnv, "backup", "--database", "postgres://postgres@127.0.0.1:1/x", "--to", filepath.Join(dir, "pg.db")); code != 1 || !strings.Contains(errs, "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d (want 1), %q", code, errs)
	}
	if code, _, _ := runCmd(noEnv, "backup", "--database", db); code != 2 {
		t.Errorf("backup without --to: exit %d, want 2", code)
	}
}

// TestSystemdUnit checks deploy/smsmfa.service (and the backup service and
// timer) with systemd-analyze verify, ExecStart pointed at a binary that
// exists here; any warning fails it.
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (apt-get install systemd; .ci/run installs it): the units are not checked")
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	unit := read("smsmfa.service")
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=smsmfa\n", "NoNewPrivileges=yes",
		"PrivateTmp=yes", "ProtectHome=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n",
		"EnvironmentFile=", "ExecStart=/usr/local/bin/smsmfa serve"} {
		if !strings.Contains(unit, want) {
			t.Errorf("smsmfa.service lacks %q", want)
		}
	}
	backup := read("smsmfa-backup.service")
	for _, want := range []string{"User=smsmfa", "DynamicUser=yes", "StateDirectory=smsmfa smsmfa-backups", "smsmfa backup --to"} {
		if !strings.Contains(backup, want) {
			t.Errorf("smsmfa-backup.service lacks %q", want)
		}
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for name, text := range map[string]string{"smsmfa.service": unit, "smsmfa-backup.service": backup, "smsmfa-backup.timer": read("smsmfa-backup.timer")} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(text, "/usr/local/bin/smsmfa", bin)), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	out, err := exec.Command(sa, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		if strings.Contains(string(out), "Failed to initialize") || strings.Contains(string(out), "Operation not permitted") {
			t.Skipf("systemd-analyze cannot run here: %s", out)
		}
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
