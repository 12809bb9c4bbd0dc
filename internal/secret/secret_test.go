package secret_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"smsmfa/internal/secret"
)

func TestSealOpen(t *testing.T) {
	k, err := secret.Derive(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("Your code is 123456"), "msg1")
	if bytes.Contains(sealed, []byte("123456")) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := k.Open(sealed, "msg1")
	if err != nil || string(got) != "Your code is 123456" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(sealed, "msg2"); err == nil {
		t.Fatal("opened with another context")
	}
	other, _ := secret.Derive(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed, "msg1"); err == nil {
		t.Fatal("opened with another key")
	}
	if bytes.Equal(k.CodeMAC, other.CodeMAC) {
		t.Fatal("different master keys give the same MAC key")
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "smsmfa.key")
	if _, err := secret.LoadOrCreateFile(path, false); err == nil {
		t.Fatal("a missing key file was not reported")
	}
	k1, err := secret.LoadOrCreateFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode())
	}
	k2, err := secret.LoadOrCreateFile(path, true)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("the key changed when loaded again")
	}
}

func TestParseKey(t *testing.T) {
	if _, err := secret.ParseKey("short"); err == nil {
		t.Fatal("short key accepted")
	}
	k, err := secret.ParseKey("0000000000000000000000000000000000000000000000000000000000000001")
	if err != nil || len(k) != 32 || k[31] != 1 {
		t.Fatalf("hex key: %v %v", k, err)
	}
}

func TestPreviousKey(t *testing.T) {
	a, _ := secret.Derive(bytes.Repeat([]byte{1}, 32))
	b, _ := secret.Derive(bytes.Repeat([]byte{2}, 32))
	if a.ID == b.ID || len(a.ID) != 8 {
		t.Fatalf("key ids %q %q", a.ID, b.ID)
	}
	again, _ := secret.Derive(bytes.Repeat([]byte{1}, 32))
	if again.ID != a.ID {
		t.Fatal("the key id is not stable")
	}
	underA := a.Seal([]byte("credential"), "provider:p1")
	both := b.WithPrevious(a)
	got, id, err := both.OpenID(underA, "provider:p1")
	if err != nil || string(got) != "credential" || id != a.ID {
		t.Fatalf("B with previous A opened %q (key %s), %v", got, id, err)
	}
	if _, _, err := both.OpenID(underA, "provider:p2"); err == nil {
		t.Fatal("the previous key opened a value under another context")
	}
	// Sealing always uses the current key: B alone opens it, A alone does not.
	underB := both.Seal([]byte("new"), "provider:p1")
	if got, id, err := b.OpenID(underB, "provider:p1"); err != nil || string(got) != "new" || id != b.ID {
		t.Fatalf("B alone: %q %s %v", got, id, err)
	}
	if _, err := a.Open(underB, "provider:p1"); err == nil {
		t.Fatal("A opened a value sealed with B as current")
	}
	// Without the previous key, values under A no longer open.
	if _, err := both.Current().Open(underA, "provider:p1"); err == nil {
		t.Fatal("Current() still opens values of the previous key")
	}
	if _, err := b.Open(underA, "provider:p1"); err == nil {
		t.Fatal("B alone opened a value under A")
	}
	// An instance given A as current and B as previous (the first step of a
	// rotation) opens both.
	if _, err := a.WithPrevious(b).Open(underB, "provider:p1"); err != nil {
		t.Fatal(err)
	}
	if macs := both.CodeMACs(); len(macs) != 2 || !bytes.Equal(macs[0], b.CodeMAC) || !bytes.Equal(macs[1], a.CodeMAC) {
		t.Fatal("CodeMACs: current first, then previous")
	}
	if b.WithPrevious(b) != b || len(b.CodeMACs()) != 1 {
		t.Fatal("the same key as previous is not ignored")
	}
}
