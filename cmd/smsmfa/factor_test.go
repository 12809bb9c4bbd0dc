package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFactorCommand(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	out := mustRun(t, "factor", "list", "--database", db)
	if !hasRow(out, "totp token:software:totp false") || !hasRow(out, "sms sms false") || !hasRow(out, "call call false") || !hasRow(out, "webauthn webauthn false") {
		t.Fatalf("list on a new database:\n%s", out)
	}
	if out := mustRun(t, "factor", "enable", "--database", db, "totp"); !strings.Contains(out, "totp enabled") {
		t.Fatal(out)
	}
	out = mustRun(t, "factor", "list", "--database", db)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "totp") && !strings.Contains(line, "true") {
			t.Fatalf("totp not enabled:\n%s", out)
		}
		if strings.HasPrefix(line, "sms ") && !strings.Contains(line, "false") {
			t.Fatalf("sms changed:\n%s", out)
		}
	}
	if out := mustRun(t, "settings", "list", "--database", db); !strings.Contains(out, "totp_enabled") {
		t.Fatal(out)
	}
	mustRun(t, "factor", "disable", "--database", db, "token:software:totp")
	if out := mustRun(t, "factor", "list", "--database", db); !hasRow(out, "totp token:software:totp false") {
		t.Fatalf("still enabled:\n%s", out)
	}
	var o, e bytes.Buffer
	if code := run(context.Background(), []string{"factor", "enable", "--database", db, "fax"}, noEnv, &o, &e); code == 0 || !strings.Contains(e.String(), "unknown factor") {
		t.Fatalf("unknown factor: exit %d %s", code, e.String())
	}
}

// hasRow reports whether a line of the table out starts with the
// space-separated cells of want, whatever the column widths.
func hasRow(out, want string) bool {
	w := strings.Fields(want)
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= len(w) && slices.Equal(f[:len(w)], w) {
			return true
		}
	}
	return false
}
