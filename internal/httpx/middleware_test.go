package httpx_test

import (
	"net/http/httptest"
	"testing"

	"smsmfa/internal/httpx"
)

func TestClientIP(t *testing.T) {
	trusted, err := httpx.ParsePrefixes("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c := httpx.ClientIP{Trusted: trusted}
	for _, tc := range []struct{ peer, xff, want string }{
		{"192.0.2.1:1234", "", "192.0.2.1"},
		{"192.0.2.1:1234", "203.0.113.9", "192.0.2.1"},                          // untrusted peer: header ignored
		{"10.1.2.3:1234", "203.0.113.9", "203.0.113.9"},                         // through a trusted proxy
		{"10.1.2.3:1234", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"}, // right-most untrusted
		{"10.1.2.3:1234", "garbage", "10.1.2.3"},
		{"[::ffff:192.0.2.5]:1", "", "192.0.2.5"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := c.Of(r); got != tc.want {
			t.Errorf("peer %s xff %q: %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
}
