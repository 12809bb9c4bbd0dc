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
