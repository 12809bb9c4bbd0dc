package httpx_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
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

func TestCommonRecovers(t *testing.T) {
	t.Run("Panic", func(t *testing.T) {
		h := httpx.Common(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), httpx.ClientIP{}, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != http.StatusInternalServerError || !regexp.MustCompile(`^req[0-9A-Za-z]{18}$`).MatchString(w.Header().Get(httpx.RequestIDHeader)) {
			t.Fatalf("status %d, request id %q", w.Code, w.Header().Get(httpx.RequestIDHeader))
		}
	})
	t.Run("AbortHandlerWrapped", func(t *testing.T) {
		// http.ErrAbortHandler aborts the response: it must reach net/http,
		// also when wrapped.
		abort := fmt.Errorf("client gone: %w", http.ErrAbortHandler)
		h := httpx.Common(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(abort) }), httpx.ClientIP{}, nil)
		defer func() {
			if p := recover(); p != abort {
				t.Fatalf("recovered %v, want the abort panic passed on", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	})
}

func TestJSON(t *testing.T) {
	w := httptest.NewRecorder()
	httpx.JSON(w, http.StatusCreated, map[string]string{"a": "<b>"})
	if w.Code != http.StatusCreated || w.Body.String() != "{\"a\":\"<b>\"}\n" || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q %q", w.Code, w.Body.String(), w.Header().Get("Content-Type"))
	}
	w = httptest.NewRecorder()
	httpx.JSON(w, http.StatusOK, map[string]any{"f": func() {}})
	if w.Code != http.StatusInternalServerError || strings.HasPrefix(w.Body.String(), "{") {
		t.Fatalf("unencodable value: %d %q", w.Code, w.Body.String())
	}
}
