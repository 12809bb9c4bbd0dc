// Package randid makes the random ids and opaque tokens of the product:
// a short prefix followed by base-62 characters, each drawn uniformly
// from crypto/rand (or from an injected io.Reader, for tests). Ids look
// like Okta's ("00u…", 20 characters); tokens are longer and carry about
// 238 random bits. It is a leaf package: it imports only the standard
// library.
package randid
