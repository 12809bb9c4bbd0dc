package randid_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"smsmfa/internal/randid"
)

// cycle is a reader giving 0, 1, …, 255, 0, 1, … forever.
type cycle struct{ next byte }

func (c *cycle) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}

// TestEveryCharacterHasTheSameShareOfBytes is the no-bias argument made
// exhaustive: of the 256 byte values, those kept map onto the alphabet
// exactly evenly, and feeding each byte value equally often yields each
// character equally often.
func TestEveryCharacterHasTheSameShareOfBytes(t *testing.T) {
	n := len(randid.Alphabet) * 4 * 4 // four passes over the 248 kept byte values
	s := randid.New(&cycle{}).Chars("", n)
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	if len(counts) != len(randid.Alphabet) {
		t.Fatalf("%d distinct characters, want %d", len(counts), len(randid.Alphabet))
	}
	for r, c := range counts {
		if c != 16 {
			t.Errorf("%q drawn %d times, want 16 (every character equally often)", r, c)
		}
	}
}

func TestBytesThatWouldBiasAreSkipped(t *testing.T) {
	// 248…255 would favour 0…7 under a plain modulo; they must be dropped.
	r := bytes.NewReader([]byte{255, 248, 61, 0, 252, 1, 7, 7, 7, 7})
	if got := randid.New(r).Chars("x", 2); got != "xz0" {
		t.Fatalf("got %q, want %q (bytes from 248 up skipped)", got, "xz0")
	}
}

func TestLengthsPrefixesAndAlphabet(t *testing.T) {
	for _, tc := range []struct {
		name, got, prefix string
		length            int
	}{
		{"ID", randid.ID("00u"), "00u", randid.IDLen},
		{"IDWithoutPrefix", randid.ID(""), "", randid.IDLen},
		{"Token", randid.Token("20"), "20", 2 + randid.TokenLen},
		{"Chars", randid.Chars("req", 18), "req", 21},
		{"Empty", randid.Chars("", 0), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.got) != tc.length || !strings.HasPrefix(tc.got, tc.prefix) {
				t.Fatalf("%q: want %d characters starting %q", tc.got, tc.length, tc.prefix)
			}
			if i := strings.IndexFunc(tc.got[len(tc.prefix):], func(r rune) bool { return !strings.ContainsRune(randid.Alphabet, r) }); i >= 0 {
				t.Fatalf("%q: character %d is outside the alphabet", tc.got, len(tc.prefix)+i)
			}
		})
	}
	if a, b := randid.Token(""), randid.Token(""); a == b {
		t.Errorf("two tokens are equal: %s", a)
	}
}

// TestCryptoRandLooksUniform is a loose chi-square check on crypto/rand
// output, to catch a broken mapping (the exact argument is above).
func TestCryptoRandLooksUniform(t *testing.T) {
	const per = 1000
	s := randid.Chars("", per*len(randid.Alphabet))
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	chi := 0.0
	for _, r := range randid.Alphabet {
		d := float64(counts[r] - per)
		chi += d * d / per
	}
	// 61 degrees of freedom: mean 61; above 150 is far beyond chance.
	if chi > 150 {
		t.Fatalf("chi-square %.1f over 61 degrees of freedom: not uniform (%v)", chi, counts)
	}
}

func TestMisuse(t *testing.T) {
	mustPanic(t, "a failing reader", func() { randid.New(iotest.ErrReader(errors.New("no entropy"))).Token("") })
	mustPanic(t, "a short reader", func() { randid.New(io.LimitReader(&cycle{}, 3)).Token("") })
	mustPanic(t, "an id prefix leaving too few random characters", func() { randid.ID("toolong") })
	mustPanic(t, "a negative length", func() { randid.Chars("", -1) })
}

func TestSortableIDsSortByTimeAndDiffer(t *testing.T) {
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var prev string
	seen := map[string]bool{}
	for i := range 5000 {
		at := start.Add(time.Duration(i*i) * time.Second) // seconds apart, then years apart
		id := randid.SortableID("evt", at)
		if len(id) != randid.IDLen || !strings.HasPrefix(id, "evt") || strings.Trim(id, randid.Alphabet) != "" {
			t.Fatalf("SortableID = %q", id)
		}
		if id[:9] < prev[:min(9, len(prev))] {
			t.Fatalf("%q (at %v) sorts before the id made a moment earlier, %q", id, at, prev)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id], prev = true, id
	}
	// In the same second, the ids still differ, by at least 11 random characters.
	a, b := randid.SortableID("chl", start), randid.SortableID("chl", start)
	if a == b || a[:9] != b[:9] {
		t.Fatalf("two ids of the same second: %q, %q", a, b)
	}
}
