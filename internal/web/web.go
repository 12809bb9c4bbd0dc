package web

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/devsink"
)

// Options configure the web UI.
type Options struct {
	Services Services
	Sessions scs.CtxStore
	// BaseURL is the public URL; an https URL makes cookies Secure and
	// __Host- prefixed.
	BaseURL *url.URL
	// Dev, when set, serves /dev/sms from this sink.
	Dev *devsink.Sink
	// Pool is the running SMS provider pool; Keys open stored provider
	// credentials (for the console's masked display) and seal the state
	// token kept in the session.
	Pool            Pool
	Keys            Box
	SessionLifetime time.Duration
	SessionIdle     time.Duration
	Logger          *slog.Logger
	// Provider, when set, answers OpenID Connect authorization requests
	// once /signin/oidc has signed the browser in, and checks logouts.
	Provider Provider
	// Extra is mounted under the same middleware for paths the UI does not
	// own (the admin pages of later packages, the API's browser hand-off).
	Extra map[string]http.Handler
}

// Handler serves the UI.
type Handler struct {
	svc   Services
	sess  *scs.SessionManager
	tpl   *templates
	langs *locales // the languages of the UI (i18n.go)
	dev   *devsink.Sink
	log   *slog.Logger
	pool  Pool
	keys  Box
	base  *url.URL
	op    Provider
	mux   *http.ServeMux
	h     http.Handler
	// setupDone is set once an active administrator is known to exist:
	// first-run setup is over (see needsSetup).
	setupDone atomic.Bool
}

// New builds the UI. It fails when a template does not parse.
func New(o Options) (*Handler, error) {
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	langs, err := loadLocales()
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = o.Sessions
	sm.Lifetime = o.SessionLifetime
	sm.IdleTimeout = o.SessionIdle
	sm.Cookie.Name = "smsmfa_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	if o.BaseURL != nil && o.BaseURL.Scheme == "https" {
		sm.Cookie.Secure = true
		sm.Cookie.Name = "__Host-smsmfa_session"
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{langs: langs, svc: o.Services, sess: sm, tpl: tpl, dev: o.Dev, log: log, pool: o.Pool, keys: o.Keys, base: o.BaseURL, op: o.Provider, mux: http.NewServeMux()}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.fail(w, r, mfa.Internal("session", err)) // logged there
	}
	h.routes()
	for pattern, eh := range o.Extra {
		h.mux.Handle(pattern, eh)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := h.loc(r)
		h.message(w, r, http.StatusForbidden, messagePage{Heading: l.T("Request refused"),
			Text: l.T("This form was sent from another site, so it was refused. Go back and try again."), Link: "/", LinkLabel: l.T("Start again")})
	})))
	h.h = httpx.SecurityHeaders(h.withLocale(cop.Handler(sm.LoadAndSave(h.readForms(httpx.Routed(h.mux))))))
	return h, nil
}

// ServeHTTP serves the UI.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// Session keys.
const (
	keyUser   = "uid"    // signed-in user
	keyState  = "st"     // state token of a sign-in in progress
	keyFlash  = "flash"  // one-time success message
	keyInfo   = "info"   // one-time information message
	keyReturn = "return" // where to go after sign-in
	keyFactor = "acct_f" // factor being set up from the account page
	keyAuthAt = "auth_at"
	keyAMR    = "amr"        // how the user signed in (space-separated amr values)
	keyAuthUs = "auth_at_us" // when the user signed in, in microseconds (max_age, prompt=login)
)

// currentUser returns the signed-in user, or nil when nobody is signed in
// or the user is gone or no longer active.
func (h *Handler) currentUser(ctx context.Context) (*mfa.User, error) {
	id := h.sess.GetString(ctx, keyUser)
	if id == "" {
		return nil, nil
	}
	u, err := h.svc.Users.GetUser(ctx, id)
	if e, ok := isRefusal(err); ok && e.Code == mfa.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Status != mfa.UserActive {
		return nil, nil
	}
	return u, nil
}

// requireUser wraps a handler that needs a signed-in user.
func (h *Handler) requireUser(next func(http.ResponseWriter, *http.Request, *mfa.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := h.currentUser(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if u == nil {
			// Kept to go back to after sign-in: only what may be gone to
			// later, so a long address is not written to the session.
			if back, ok := safeTarget(r.URL.RequestURI(), nil, nil); ok && r.Method == http.MethodGet {
				h.sess.Put(r.Context(), keyReturn, back)
			}
			redirect(w, r, "/login")
			return
		}
		ctx := mfa.WithActor(r.Context(), mfa.Party{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.DisplayName()})
		next(w, r.WithContext(ctx), u)
	}
}

// requireAdmin wraps a handler that needs a signed-in admin.
func (h *Handler) requireAdmin(next func(http.ResponseWriter, *http.Request, *mfa.User)) http.HandlerFunc {
	return h.requireUser(func(w http.ResponseWriter, r *http.Request, u *mfa.User) {
		if !u.Admin {
			l := h.loc(r)
			h.message(w, r, http.StatusForbidden, messagePage{Heading: l.T("Admins only"),
				Text: l.T("You need to be an administrator to open the admin console."), Link: "/account", LinkLabel: l.T("Go to your account")})
			return
		}
		next(w, r, u)
	})
}

// isRefusal reports whether err is a domain refusal to show on the form
// (not an internal error).
func isRefusal(err error) (*mfa.Error, bool) {
	var e *mfa.Error
	if errors.As(err, &e) && e.Code != mfa.EInternal {
		return e, true
	}
	return nil, false
}

// Box seals and opens small secrets (secret.Keys).
type Box interface {
	Seal(plaintext []byte, context string) []byte
	Open(sealed []byte, context string) ([]byte, error)
}

// putStateToken keeps the state token of a sign-in in progress in the
// session, sealed: the sessions table never holds it in clear.
func (h *Handler) putStateToken(ctx context.Context, tok string) {
	if h.keys == nil {
		h.sess.Put(ctx, keyState, tok)
		return
	}
	h.sess.Put(ctx, keyState, base64.RawURLEncoding.EncodeToString(h.keys.Seal([]byte(tok), "web state token")))
}

// stateToken returns the state token of the sign-in in progress, or "".
// A value that does not open (altered, or sealed under an earlier key)
// counts as no sign-in in progress: the user is sent to sign in again.
func (h *Handler) stateToken(ctx context.Context) string {
	v := h.sess.GetString(ctx, keyState)
	if v == "" || h.keys == nil {
		return v
	}
	sealed, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	tok, err := h.keys.Open(sealed, "web state token")
	if err != nil {
		return ""
	}
	return string(tok)
}
