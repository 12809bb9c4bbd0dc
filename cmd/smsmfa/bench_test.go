package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

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

	mustRun(t, append(bench, "--reuse")...)
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
