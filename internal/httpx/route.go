package httpx

import (
	"context"
	"net/http"
	"time"
)

// RequestObserver is told every request Common served: the pattern of the
// route that served it (see Routed; "unmatched" when none did), its method
// (one of the standard ones or "other"), the status and how long it took.
// No label it is given comes from the client as it was sent, so a scan of
// random paths or methods adds no series (metrics.Metrics).
type RequestObserver interface {
	HTTPRequest(route, method string, status int, took time.Duration)
}

// Unmatched is the route of a request no ServeMux pattern served (a 404,
// a redirect to a canonical path, or a refusal before any mux).
const Unmatched = "unmatched"

type routeKey struct{}

// routeSlot holds the route of a request: set once, by the innermost
// Routed mux that finished.
type routeSlot struct {
	pattern string
	set     bool
}

func withRouteSlot(r *http.Request) (*http.Request, *routeSlot) {
	s := &routeSlot{}
	return r.WithContext(context.WithValue(r.Context(), routeKey{}, s)), s
}

func (s *routeSlot) route() string {
	if s.pattern == "" {
		return Unmatched
	}
	return s.pattern
}

// Routed wraps mux so that the pattern it matched (http.Request.Pattern,
// such as "GET /api/v1/users/{uid}") names the request's route for the
// RequestObserver. Muxes nest (the API's and the web UI's inside the
// server's): the innermost Routed mux to finish names the route, so a
// request is counted under its most precise pattern; a mux that matched
// nothing names it Unmatched.
func Routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if s, ok := r.Context().Value(routeKey{}).(*routeSlot); ok && !s.set {
			s.set, s.pattern = true, r.Pattern
		}
	})
}

// methodLabel bounds the method label: the standard methods, else "other".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// observe tells obs about one finished request.
func observe(obs []RequestObserver, s *routeSlot, method string, status int, took time.Duration) {
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	for _, o := range obs {
		if o != nil {
			o.HTTPRequest(s.route(), methodLabel(method), status, took)
		}
	}
}
