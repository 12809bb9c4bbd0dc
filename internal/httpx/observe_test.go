package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/httpx"
)

// routes records what Common tells its RequestObserver.
type routes struct {
	mu   sync.Mutex
	seen map[string]int // "route method status"
}

func (o *routes) HTTPRequest(route, method string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]int{}
	}
	o.seen[fmt.Sprintf("%s|%s|%d", route, method, status)]++
}

// server is a server shaped like smsmfa's: an outer mux with an inner one
// (the API's) under a prefix, behind Common.
func server(obs httpx.RequestObserver, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/v1/users/{uid}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "looked up a user")
		w.WriteHeader(http.StatusTeapot)
	})
	outer := http.NewServeMux()
	outer.Handle("/api/", httpx.Routed(inner))
	outer.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	// httptest.NewRequest comes from 192.0.2.1: the test's trusted proxy.
	return httpx.Common(httpx.Routed(outer), httpx.ClientIP{Trusted: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}}, log, obs)
}

func TestRequestsAreCountedUnderTheirPattern(t *testing.T) {
	obs := &routes{}
	h := server(obs, nil)
	for _, p := range []string{"/api/v1/users/00u1", "/api/v1/users/00u2", "/healthz", "/api/v2/nothing", "/nothing"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/healthz", nil))
	want := map[string]int{
		"GET /api/v1/users/{uid}|GET|418": 2, // the inner, more precise pattern; no user id
		"GET /healthz|GET|200":            1,
		"unmatched|GET|404":               2, // the inner mux matched nothing; the outer one nothing either
		"unmatched|other|405":             1, // a method of the client's own is not a label
	}
	if fmt.Sprint(obs.seen) != fmt.Sprint(want) {
		t.Fatalf("observed %v, want %v", obs.seen, want)
	}
}

// An attacker's scan of random paths and methods adds no route: 10,000
// requests, a handful of label sets.
func TestRandomPathsAddNoSeries(t *testing.T) {
	obs := &routes{}
	h := server(obs, nil)
	methods := []string{"GET", "POST", "PROPFIND", "X" + strings.Repeat("Y", 40)}
	for i := range 10000 {
		p := fmt.Sprintf("/%x/%d", rand.Uint64(), i)
		if i%2 == 0 {
			p = "/api" + p
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(methods[i%len(methods)], p, nil))
	}
	if len(obs.seen) > 4 {
		t.Fatalf("10,000 random requests made %d label sets: %v", len(obs.seen), obs.seen)
	}
	for k := range obs.seen {
		if !strings.HasPrefix(k, "unmatched|") {
			t.Errorf("label set %q", k)
		}
	}
}

// A log line written while handling a request carries its id, the one in
// the response headers; an incoming X-Request-Id that is short and safe is
// kept, any other replaced.
func TestRequestIDInHeadersAndLogLines(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(httpx.WithRequestID(slog.NewJSONHandler(&buf, nil))) // as the server's (newLogger)
	h := server(nil, log)
	generated := regexp.MustCompile(`^req[0-9A-Za-z]{18}$`)
	for _, c := range []struct {
		name, incoming string
		kept           bool
	}{
		{"None", "", false},
		{"Safe", "edge-7f3a.b:12_X", true},
		{"Newline", "abc\r\nSet-Cookie: x=1", false},
		{"Huge", strings.Repeat("a", 10000), false},
		{"JustTooLong", strings.Repeat("b", httpx.MaxRequestIDLen+1), false},
		{"Quote", `abc"def`, false},
		{"Space", "abc def", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			buf.Reset()
			r := httptest.NewRequest("GET", "/api/v1/users/00u1", nil)
			if c.incoming != "" {
				r.Header["X-Request-Id"] = []string{c.incoming}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			id := w.Header().Get("X-Request-Id")
			if okta := w.Header().Get(httpx.RequestIDHeader); okta != id {
				t.Fatalf("X-Okta-Request-Id %q, X-Request-Id %q", okta, id)
			}
			if c.kept && id != c.incoming || !c.kept && !generated.MatchString(id) {
				t.Fatalf("incoming %.80q: answered request id %.80q", c.incoming, id)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			var found bool
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				if m["msg"] == "looked up a user" {
					found = true
					if m["request_id"] != id {
						t.Errorf("the handler's log line carries request_id %v, want %q: %s", m["request_id"], id, l)
					}
				}
			}
			if !found {
				t.Fatalf("no log line from the handler:\n%s", buf.String())
			}
			if refused, _ := json.Marshal(c.incoming); !c.kept && c.incoming != "" && strings.Contains(buf.String(), string(refused)) {
				t.Errorf("the log holds the refused incoming id:\n%.300s", buf.String())
			}
		})
	}
}

// A request id is taken from a trusted proxy only: a client cannot name
// the id the system log files its request under.
func TestRequestIDFromAnUntrustedPeerIsReplaced(t *testing.T) {
	h := server(nil, nil)
	r := httptest.NewRequest("GET", "/api/v1/users/00u1", nil)
	r.RemoteAddr = "198.51.100.7:4444"
	r.Header.Set("X-Request-Id", "edge-7f3a")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if id := w.Header().Get("X-Request-Id"); id == "edge-7f3a" || !strings.HasPrefix(id, "req") {
		t.Fatalf("a client's own request id was kept: %q", id)
	}
}

// The access log does not write the key of a QR code link (a credential in
// the path): it logs the route instead.
func TestAccessLogHidesKeysInPaths(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/v1/users/{uid}/factors/{fid}/qr/{key}", func(http.ResponseWriter, *http.Request) {})
	h := httpx.Common(httpx.Routed(inner), httpx.ClientIP{}, log)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/users/00u1/factors/ost1/qr/0123456789abcdef0123456789abcdef", nil))
	if strings.Contains(buf.String(), "0123456789abcdef") || !strings.Contains(buf.String(), "{key}") {
		t.Fatalf("access log: %s", buf.String())
	}
}

// Two incoming ids are none.
func TestTwoIncomingRequestIDsAreReplaced(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["X-Request-Id"] = []string{"one", "two"}
	if id := httpx.RequestIDOf(r); id == "one" || id == "two" {
		t.Fatalf("request id %q", id)
	}
}

// A line logged without a request's context has no request_id, and the
// wrapper does not wrap twice.
func TestWithRequestIDOutsideRequests(t *testing.T) {
	var buf bytes.Buffer
	h := httpx.WithRequestID(httpx.WithRequestID(slog.NewJSONHandler(&buf, nil)))
	slog.New(h).InfoContext(context.Background(), "background work")
	if strings.Contains(buf.String(), "request_id") {
		t.Fatalf("a background line has a request id: %s", buf.String())
	}
}
