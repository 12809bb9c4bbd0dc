package randid

import (
	"crypto/rand"
	"io"
	"time"
)

// Alphabet holds the characters of ids and tokens: digits, then upper-
// and lower-case letters.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// IDLen is the length of an id, prefix included, as Okta's ids.
const IDLen = 20

// TokenLen is the number of random characters of a token: 40 base-62
// characters, about 238 bits.
const TokenLen = 40

// limit is the largest multiple of len(Alphabet) that fits a byte (248).
// A random byte below it, taken modulo len(Alphabet), is uniform: each
// character stands for exactly limit/len(Alphabet) byte values. Bytes at
// or above it are skipped (rejection sampling), since taking them too
// would favour the first 256-limit characters.
const limit = 256 - 256%len(Alphabet)

// Source draws ids and tokens from a stream of random bytes.
type Source struct{ r io.Reader }

// New returns a Source reading r; nil (like the zero Source) means
// crypto/rand.Reader.
func New(r io.Reader) Source { return Source{r: r} }

// Chars returns prefix followed by n characters of Alphabet, each drawn
// uniformly. It panics when the stream fails (crypto/rand never does) or
// n is negative.
func (s Source) Chars(prefix string, n int) string {
	if n < 0 {
		panic("randid: negative length")
	}
	if s.r == nil {
		s.r = rand.Reader
	}
	out := make([]byte, len(prefix), len(prefix)+n)
	copy(out, prefix)
	// 8 of 256 byte values are skipped: ask for a quarter more than needed
	// so that one read almost always suffices.
	buf := make([]byte, n+n/4+4)
	for len(out) < cap(out) {
		if _, err := io.ReadFull(s.r, buf); err != nil {
			panic("randid: randomness failed: " + err.Error())
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < cap(out) {
				out = append(out, Alphabet[int(c)%len(Alphabet)])
			}
		}
	}
	return string(out)
}

// ID returns an Okta-style id of IDLen characters: prefix and
// IDLen-len(prefix) random characters (17 for a 3-character prefix, about
// 101 bits). It panics when prefix leaves fewer than 16 random characters.
func (s Source) ID(prefix string) string {
	if IDLen-len(prefix) < 16 {
		panic("randid: id prefix " + prefix + " too long")
	}
	return s.Chars(prefix, IDLen-len(prefix))
}

// sortableLen is how many characters of a SortableID tell its time.
const sortableLen = 6

// SortableID returns an id of IDLen characters that sorts by the second
// it was made: prefix, the Unix second t in base 62 (6 characters, good
// until the year 3770), then random characters (at least 11, about 65
// bits). For rows inserted all the time and never looked up by a guess
// (events, codes, texts): a new row goes at the end of the id's index
// instead of at a random page of it, so an insert writes the same few
// pages again and the index stays in the cache however large the table.
// Not for anything that must stay unguessable (tokens, sign-in
// transactions): use ID or Token.
func (s Source) SortableID(prefix string, t time.Time) string {
	if IDLen-len(prefix)-sortableLen < 11 {
		panic("randid: sortable id prefix " + prefix + " too long")
	}
	var ts [sortableLen]byte
	sec := max(t.Unix(), 0)
	for i := sortableLen - 1; i >= 0; i-- {
		ts[i] = Alphabet[sec%int64(len(Alphabet))]
		sec /= int64(len(Alphabet))
	}
	return s.Chars(prefix+string(ts[:]), IDLen-len(prefix)-sortableLen)
}

// Token returns prefix followed by TokenLen random characters.
func (s Source) Token(prefix string) string { return s.Chars(prefix, TokenLen) }

// Chars returns prefix followed by n random characters of Alphabet from
// crypto/rand (see Source.Chars).
func Chars(prefix string, n int) string { return Source{}.Chars(prefix, n) }

// ID returns an Okta-style id from crypto/rand (see Source.ID).
func ID(prefix string) string { return Source{}.ID(prefix) }

// Token returns an opaque token from crypto/rand (see Source.Token).
func Token(prefix string) string { return Source{}.Token(prefix) }

// SortableID returns Source{}.SortableID(prefix, t).
func SortableID(prefix string, t time.Time) string { return Source{}.SortableID(prefix, t) }
