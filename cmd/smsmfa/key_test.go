package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smsmfa key rotate from the command line: SMSMFA_KEY_PREVIOUS or
// --previous-key-file names the old key, the counts are printed per
// table, a second run re-seals nothing, and the old key alone no longer
// opens the credentials.
func TestKeyRotateCommand(t *testing.T) {
	dir := t.TempDir()
	db := "--database=sqlite:" + filepath.Join(dir, "smsmfa.db")
	keyA := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa}, 32))
	keyB := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xb}, 32))
	fileA := filepath.Join(dir, "old.key")
	if err := os.WriteFile(fileA, []byte(keyA+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runWith := func(env map[string]string, args ...string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &out)
		return code, out.String()
	}
	onA := map[string]string{"SMSMFA_KEY": keyA}
	if code, out := runWith(onA, "provider", "add", db, "--name", "hook", "--type", "webhook", "--url", "http://127.0.0.1:9/hook",
		"--credential", "secret=hook-secret-0123456789", "--sender", "+15557654321"); code != 0 {
		t.Fatalf("provider add: %s", out)
	}
	if code, out := runWith(onA, "radius-client", "add", db, "--name", "vpn", "--address", "192.0.2.1", "--secret", "radius-shared-0123456789"); code != 0 {
		t.Fatalf("radius-client add: %s", out)
	}
	_, idA := runWith(onA, "key", "id", db)

	// Rotating with B alone: everything is unreadable, nothing changes.
	if code, out := runWith(map[string]string{"SMSMFA_KEY": keyB}, "key", "rotate", db); code == 0 || !strings.Contains(out, "open under neither") {
		t.Fatalf("rotate without the previous key: %d %s", code, out)
	}

	both := map[string]string{"SMSMFA_KEY": keyB, "SMSMFA_KEY_PREVIOUS": keyA}
	code, out := runWith(both, "key", "rotate", db, "--batch", "1")
	if code != 0 || !tableRow(out, "providers", "1", "0", "0") || !tableRow(out, "radius_clients", "1", "0", "0") {
		t.Fatalf("rotate: %d\n%s", code, out)
	}
	if strings.Contains(out, keyA) || strings.Contains(out, keyB) {
		t.Fatal("a key was printed")
	}
	// The same with the previous key from a file: a no-op now.
	code, out = runWith(map[string]string{"SMSMFA_KEY": keyB}, "key", "rotate", db, "--previous-key-file", fileA)
	if code != 0 || !tableRow(out, "providers", "0", "1", "0") || !strings.Contains(out, "0 values re-sealed") {
		t.Fatalf("second rotate: %d\n%s", code, out)
	}
	_, ids := runWith(both, "key", "id", db)
	if !strings.Contains(ids, "previous key id "+strings.TrimPrefix(strings.TrimSpace(idA), "current key id ")) {
		t.Fatalf("key id: %q, before %q", ids, idA)
	}

	if code, out := runWith(map[string]string{"SMSMFA_KEY": keyB}, "provider", "list", db); code != 0 || !strings.Contains(out, "hook") {
		t.Fatalf("provider list on B alone: %d %s", code, out)
	}
	if code, _ := runWith(onA, "provider", "list", db); code == 0 {
		t.Fatal("the old key alone still opens the re-sealed credentials")
	}
	if code, out := runWith(map[string]string{"SMSMFA_KEY": keyB, "SMSMFA_KEY_PREVIOUS": "short"}, "key", "rotate", db); code == 0 || !strings.Contains(out, "previous key") {
		t.Fatalf("a malformed previous key: %d %s", code, out)
	}
}

// tableRow reports whether out has a line made of fields (any spacing).
func tableRow(out string, fields ...string) bool {
	for line := range strings.Lines(out) {
		if strings.Join(strings.Fields(line), " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}
