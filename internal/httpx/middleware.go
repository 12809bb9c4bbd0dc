package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/randid"
)

// MaxBody is the largest request body the server reads: a form or a JSON
// body. A larger one is refused with 413 before anything is done.
const MaxBody = 64 << 10

// RequestIDHeader is the response header carrying the request id (Okta's
// name, which Okta's SDKs read).
const RequestIDHeader = "X-Okta-Request-Id"

// IncomingRequestIDHeader is the request header a proxy or a client may
// set to a request id of its own (kept when it is short and safe, see
// RequestIDOf); the response carries the id under this name too.
const IncomingRequestIDHeader = "X-Request-Id"

// MaxRequestIDLen is the longest incoming request id kept.
const MaxRequestIDLen = 64

// NewRequestID returns a request id like Okta's ("req" and 18 random
// base-62 characters).
func NewRequestID() string { return randid.Chars("req", 18) }

// RequestIDOf returns the request id of r: its X-Request-Id when that is one
// value of 1 to MaxRequestIDLen characters among A-Z a-z 0-9 and . _ : -
// (nothing that could split a log line or a header, or fill the log),
// else a new one.
func RequestIDOf(r *http.Request) string {
	if vs := r.Header.Values(IncomingRequestIDHeader); len(vs) == 1 && safeRequestID(vs[0]) {
		return vs[0]
	}
	return NewRequestID()
}

func safeRequestID(s string) bool {
	if s == "" || len(s) > MaxRequestIDLen {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ClientIP derives the client address: the peer address, or, when the peer
// is a trusted proxy, the right-most untrusted address of X-Forwarded-For.
type ClientIP struct {
	Trusted []netip.Prefix
}

func (c ClientIP) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// requestID is r's request id: its X-Request-Id (RequestIDOf) when the
// peer is a trusted proxy, else a new one. The id goes into the system
// log: a client must not pick it (say, another request's, to blur an
// incident's trail).
func (c ClientIP) requestID(r *http.Request) string {
	if _, peer, err := peerOf(r); err == nil && c.trusted(peer) {
		return RequestIDOf(r)
	}
	return NewRequestID()
}

// peerOf is the host r came from, and its address when it is one.
func peerOf(r *http.Request) (string, netip.Addr, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return host, a.Unmap(), err
}

// Of returns the client address of r.
func (c ClientIP) Of(r *http.Request) string {
	host, peer, err := peerOf(r)
	if err != nil {
		return host
	}
	if !c.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !c.trusted(a) {
			return a.String()
		}
	}
	return peer.String()
}

// ParsePrefixes reads a comma-separated list of CIDRs or addresses.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Common wraps next with the middleware every request gets: a request id
// (RequestIDOf; in the response headers X-Request-Id and X-Okta-Request-Id,
// and in every log line written with the request's context, see
// WithRequestID), the client in the context for the domain,
// panic recovery (a 500 and a log line with the stack), and an access log
// line: at INFO for a refusal or an error (status 400 and up), at DEBUG
// otherwise, so a busy server does not write a line per sign-in step unless
// asked (--log-level debug). Paths are logged without their query strings
// (they can hold tokens). Each finished request is told to obs (metrics),
// under the route a Routed mux named.
func Common(next http.Handler, ip ClientIP, log *slog.Logger, obs ...RequestObserver) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = slog.New(WithRequestID(log.Handler()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := ip.requestID(r)
		w.Header().Set(RequestIDHeader, id)
		w.Header().Set(IncomingRequestIDHeader, id)
		client := mfa.Client{IP: ip.Of(r), UserAgent: r.UserAgent(), RequestID: id}
		r = r.WithContext(mfa.WithClient(r.Context(), client))
		r, slot := withRouteSlot(r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "Internal Server Error", http.StatusInternalServerError)
				}
			}
			observe(obs, slot, r.Method, sw.status, time.Since(start))
			level := slog.LevelDebug
			if sw.status >= 400 {
				level = slog.LevelInfo
			}
			if log.Enabled(r.Context(), level) {
				path := r.URL.Path
				if route := slot.route(); strings.Contains(route, "{key}") {
					path = route // the wildcard is a credential (a QR code link's key)
				}
				log.Log(r.Context(), level, "http", "method", r.Method, "path", path, "status", sw.status,
					"bytes", sw.bytes, "ms", time.Since(start).Milliseconds(), "ip", client.IP)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// SecurityHeaders sets the headers every HTML page gets: a strict CSP (no
// script, no framing), no sniffing, no referrer leaks, no caching.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// JSON writes v as JSON with status. A v that cannot be encoded (a bug)
// is answered with a plain 500 instead of half a document.
func JSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "Internal Server Error: the answer could not be encoded", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client went away: nothing is left to tell it.
	_, _ = w.Write(b.Bytes())
}
