package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
)

// Options configure the API.
type Options struct {
	Services Services
	// BaseURL is the server's public URL without a trailing slash; every
	// link points there.
	BaseURL string
	Logger  *slog.Logger
}

// Handler serves /api/v1.
type Handler struct {
	svc  Services
	base string
	log  *slog.Logger
	mux  *http.ServeMux
	// routed is mux, naming the route of each request (httpx.Routed).
	routed http.Handler
}

// New returns the API handler.
func New(o Options) *Handler {
	h := &Handler{svc: o.Services, base: strings.TrimSuffix(o.BaseURL, "/"), log: o.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.routes()
	h.routed = httpx.Routed(h.mux)
	return h
}

// ServeHTTP serves the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.routed.ServeHTTP(w, r) }

// routes registers the whole API: reading it is reading the surface.
func (h *Handler) routes() {
	m := h.mux
	authn := func(pattern string, fn http.HandlerFunc) { m.Handle(pattern, h.cors(h.limited("authn", fn))) }
	authn("POST /api/v1/authn", h.authnPrimary)
	authn("POST /api/v1/authn/introspect", h.authnStatus)
	authn("POST /api/v1/authn/factors", h.authnEnroll)
	authn("POST /api/v1/authn/factors/{fid}/lifecycle/activate", h.authnActivate)
	authn("POST /api/v1/authn/factors/{fid}/lifecycle/resend", h.authnResendEnroll)
	authn("POST /api/v1/authn/factors/{fid}/verify", h.authnVerify)
	authn("POST /api/v1/authn/factors/{fid}/verify/resend", h.authnResendVerify)
	authn("POST /api/v1/authn/previous", h.authnPrevious)
	authn("POST /api/v1/authn/cancel", h.authnCancel)
	authn("POST /api/v1/authn/skip", h.authnSkip)
	authn("POST /api/v1/authn/factors/webauthn/verify", h.authnVerifyWebAuthnByType)
	m.Handle("OPTIONS /api/v1/authn", h.cors(http.HandlerFunc(noContent)))
	m.Handle("OPTIONS /api/v1/authn/", h.cors(http.HandlerFunc(noContent)))

	manage := func(pattern string, fn http.HandlerFunc) { m.Handle(pattern, h.token(h.limited("manage", fn))) }
	manage("POST /api/v1/users", h.createUser)
	manage("GET /api/v1/users", h.listUsers)
	manage("GET /api/v1/users/{uid}", h.getUser)
	manage("DELETE /api/v1/users/{uid}", h.deleteUser)
	manage("POST /api/v1/users/{uid}/lifecycle/activate", h.activateUser)
	manage("POST /api/v1/users/{uid}/lifecycle/deactivate", h.deactivateUser)
	manage("POST /api/v1/users/{uid}/lifecycle/unlock", h.unlockUser)
	manage("POST /api/v1/users/{uid}/lifecycle/reset_factors", h.resetFactors)

	manage("GET /api/v1/users/{uid}/factors", h.listFactors)
	manage("GET /api/v1/users/{uid}/factors/catalog", h.catalog)
	manage("POST /api/v1/users/{uid}/factors", h.enrollFactor)
	manage("GET /api/v1/users/{uid}/factors/{fid}", h.getFactor)
	manage("DELETE /api/v1/users/{uid}/factors/{fid}", h.deleteFactor)
	manage("POST /api/v1/users/{uid}/factors/{fid}/lifecycle/activate", h.activateFactor)
	manage("POST /api/v1/users/{uid}/factors/{fid}/resend", h.resendFactor)
	manage("POST /api/v1/users/{uid}/factors/{fid}/verify", h.verifyFactor)

	manage("GET /api/v1/org/factors", h.orgFactors)
	manage("GET /api/v1/org/factors/{id}", h.orgFactor)
	manage("POST /api/v1/org/factors/{id}/lifecycle/{op}", h.orgFactorLifecycle)
	manage("GET /api/v1/authenticators", h.authenticators)
	manage("GET /api/v1/authenticators/{id}", h.authenticator)
	manage("POST /api/v1/authenticators/{id}/lifecycle/{op}", h.authenticatorLifecycle)
	manage("GET /api/v1/authenticators/{id}/methods", h.authenticatorMethods)

	manage("GET /api/v1/logs", h.logs)

	// The QR code link of a pending TOTP factor is its own credential
	// (totpQR), so an <img> in a sign-in page can load it.
	m.Handle("GET /api/v1/users/{uid}/factors/{fid}/qr/{key}", h.limited("authn", http.HandlerFunc(h.totpQR)))

	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		newError(http.StatusNotFound, "E0000022", "The endpoint does not support the provided HTTP method", "No API endpoint at "+r.Method+" "+r.URL.Path).write(w, r)
	})
}

func noContent(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }

// fail writes err (a domain error) in Okta's shape; internal errors are
// logged with their cause, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error, what string) {
	e := mfa.ErrorOf(err)
	if e.Code == mfa.EInternal {
		h.log.ErrorContext(r.Context(), "internal error", "path", r.URL.Path, "err", e.Err)
	}
	fromDomain(err, what, h.svc.Org.Now()).write(w, r)
}

// limited counts the request against the caller's per-minute limit (the
// client address for authn, the token for management calls; org settings
// limit_authn_minute and limit_api_minute), sets the X-Rate-Limit-*
// headers, and answers 429 E0000047 past the limit.
func (h *Handler) limited(class string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := mfa.ClientFrom(r.Context())
		kind, key := mfa.AuthnRequest, c.IP
		if class == "manage" {
			kind, key = mfa.APIRequest, c.Actor.ID
		}
		l, err := h.svc.Org.CountRequest(r.Context(), kind, key)
		if err != nil {
			h.fail(w, r, err, "")
			return
		}
		setLimitHeaders(w, l)
		if !l.OK {
			e := newError(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
			e.limit, e.retry = &l, retryAfter(l.Reset, h.svc.Org.Now())
			e.write(w, r)
			return
		}
		next(w, r)
	}
}

// token authenticates management calls with `Authorization: SSWS <token>`
// and makes the token the actor of whatever the call records.
func (h *Handler) token(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "SSWS") || strings.TrimSpace(tok) == "" {
			w.Header().Set("WWW-Authenticate", `SSWS realm="smsmfa"`)
			errInvalidToken.write(w, r)
			return
		}
		t, err := h.svc.Tokens.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			if mfa.ErrorOf(err).Code == mfa.EInternal {
				h.fail(w, r, err, "")
				return
			}
			w.Header().Set("WWW-Authenticate", `SSWS realm="smsmfa"`)
			errInvalidToken.write(w, r)
			return
		}
		ctx := mfa.WithActor(r.Context(), mfa.Party{ID: t.ID, Type: "ApiToken", AlternateID: t.Name, DisplayName: t.Name})
		// An application calls on behalf of its user: it may pass the
		// user's address in X-Forwarded-For (as with Okta); without it the
		// call is server-side and per-address limits do not apply. The
		// last address is the one the application saw its client at: an
		// application that appends to its client's own header (as a proxy
		// does) must not let the client name an address to the left.
		c := mfa.ClientFrom(ctx)
		if hops := r.Header.Values("X-Forwarded-For"); len(hops) > 0 {
			all := strings.Split(hops[len(hops)-1], ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(all[len(all)-1])); err == nil {
				c.IP = a.Unmap().String()
			}
		} else {
			c.ServerSide = true
		}
		ctx = mfa.WithClient(ctx, c)
		h.log.DebugContext(ctx, "api call", "token", t.ID, "method", r.Method, "path", r.URL.Path)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// cors answers CORS for the Authn API: only origins the admin trusts get the
// Access-Control-* headers (with credentials, as auth-js sends them).
func (h *Handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		trusted, err := h.trustedOrigin(r.Context(), origin)
		if err != nil {
			h.fail(w, r, err, "")
			return
		}
		if !trusted {
			if r.Method == http.MethodOptions {
				newError(http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action", "The origin "+origin+" is not trusted.").write(w, r)
				return
			}
			next.ServeHTTP(w, r) // no CORS headers: the browser will not expose the answer
			return
		}
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Set("Access-Control-Allow-Credentials", "true")
		hd.Add("Vary", "Origin")
		hd.Set("Access-Control-Expose-Headers", "X-Okta-Request-Id, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset")
		if r.Method == http.MethodOptions {
			hd.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			hd.Set("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization, X-Okta-User-Agent-Extended, X-Device-Fingerprint, X-Requested-With")
			hd.Set("Access-Control-Max-Age", "3600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// trustedOrigin reports whether the admin trusts origin; err when the
// settings cannot be read.
func (h *Handler) trustedOrigin(ctx context.Context, origin string) (bool, error) {
	set, err := h.svc.Org.Settings(ctx)
	if err != nil {
		return false, err
	}
	origin = strings.ToLower(origin)
	for _, o := range set.TrustedOrigins {
		if o == origin {
			return true, nil
		}
	}
	return false, nil
}
