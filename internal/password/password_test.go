package password_test

import (
	"strings"
	"testing"

	"smsmfa/internal/password"
)

func TestHashAndVerify(t *testing.T) {
	h := password.NewHasher(password.Fast)
	ctx := t.Context()
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(hash, "correct") {
		t.Fatalf("hash = %q", hash)
	}
	if ok, _, err := h.Verify(ctx, hash, "correct horse"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _, _ := h.Verify(ctx, hash, "correct horsE"); ok {
		t.Fatal("wrong password accepted")
	}
	other, _ := h.Hash(ctx, "correct horse")
	if other == hash {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestVerifyUnknownUserSpendsAHashAndFails(t *testing.T) {
	h := password.NewHasher(password.Fast)
	ok, rehash, err := h.Verify(t.Context(), "", "smsmfa dummy password for unknown users")
	if ok || rehash || err != nil {
		t.Fatalf("Verify with no hash = %v %v %v", ok, rehash, err)
	}
}

func TestRehashWhenParamsChange(t *testing.T) {
	old := password.NewHasher(password.Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	hash, _ := old.Hash(t.Context(), "pw-123456")
	ok, rehash, err := password.NewHasher(password.Fast).Verify(t.Context(), hash, "pw-123456")
	if !ok || !rehash || err != nil {
		t.Fatalf("ok=%v rehash=%v err=%v", ok, rehash, err)
	}
}

func TestMalformed(t *testing.T) {
	h := password.NewHasher(password.Fast)
	for _, s := range []string{"plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=0,p=1$c2FsdA$a2V5"} {
		if _, _, err := h.Verify(t.Context(), s, "x"); err == nil {
			t.Errorf("Verify(%q) accepted a malformed hash", s)
		}
	}
}

func TestPolicy(t *testing.T) {
	if password.CheckPolicy("short", "") == "" || password.CheckPolicy("alice@example.com", "Alice@example.com") == "" {
		t.Fatal("weak password accepted")
	}
	if r := password.CheckPolicy("Contract-Horse-7-Battery", "a@b.c"); r != "" {
		t.Fatal(r)
	}
}

// BenchmarkVerifyRFC9106 is the cost of one password check with the
// production parameters; run it with -cpu=2 and -benchtime to read the
// machine's hashes per second (b.N / elapsed with RunParallel).
func BenchmarkVerifyRFC9106(b *testing.B) {
	h := password.NewHasherQueue(password.RFC9106, 1<<20)
	hash, err := h.Hash(b.Context(), "correct horse")
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := h.Verify(b.Context(), hash, "correct horse"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}
