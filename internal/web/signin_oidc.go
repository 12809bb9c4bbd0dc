package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// Provider is the OpenID Provider's side of a sign-in (package oidc): it
// answers the app once the browser is signed in, and checks a logout.
type Provider interface {
	// Respond sends the browser back to the app with the request's code.
	Respond(w http.ResponseWriter, r *http.Request, req mfa.AuthRequest)
	// ResponseURL returns the app's redirect URI with the request's code,
	// for a request answered in the query or the fragment (ok false for
	// another response mode).
	ResponseURL(r *http.Request, req mfa.AuthRequest) (u string, ok bool, err error)
	// RefuseLogin sends the browser back to the app with login_required.
	RefuseLogin(w http.ResponseWriter, r *http.Request, req mfa.AuthRequest)
	// EndSession checks an RP-initiated logout and returns where to go.
	EndSession(r *http.Request) (redirect, userID string, err error)
}

// oidcSignin signs the browser in for an OpenID Connect authorization
// request (GET /signin/oidc?id=, where /authorize sends it) and sends it
// back to the app: at once when the request came with a session token or
// the browser is signed in recently enough (max_age, prompt=login);
// with login_required for prompt=none otherwise; else through the sign-in
// and SMS pages, which come back here.
func (h *Handler) oidcSignin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("id")
	req, err := h.svc.OIDC.AuthRequest(ctx, id)
	if err != nil || req.Done {
		if _, ok := isRefusal(err); err != nil && !ok {
			h.fail(w, r, err)
			return
		}
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Sign-in request expired"),
			Text: h.loc(r).T("This sign-in request has expired or was already used. Go back to the application and sign in again."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
		return
	}
	if req.UserID != "" { // a session token from /api/v1/authn signed the user in
		u, err := h.svc.Users.GetUser(ctx, req.UserID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// The request is spent first: of two visits with one id, only the
		// one that spends it gets a session.
		h.oidcComplete(w, r, req, u.ID, req.AuthTime, req.AMR, func() error { return h.startSession(ctx, u, req.AuthTime, req.AMR) })
		return
	}
	u, err := h.currentUser(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	authAt := time.UnixMicro(h.sess.GetInt64(ctx, keyAuthUs)).UTC()
	if u != nil && recentEnough(req, authAt, h.svc.Org.Now()) {
		h.oidcComplete(w, r, req, u.ID, authAt, mfa.AMR(strings.Fields(h.sess.GetString(ctx, keyAMR))))
		return
	}
	if req.Params.PromptNone() {
		h.op.RefuseLogin(w, r, req)
		return
	}
	if u != nil { // signed in too long ago for this app: sign in again
		h.sess.Remove(ctx, keyUser)
	}
	h.sess.Put(ctx, keyReturn, "/signin/oidc?from=signin&id="+url.QueryEscape(id))
	target := "/login"
	if hint := mfa.FieldLogin.Clip(req.Params.LoginHint); hint != "" {
		target += "?username=" + url.QueryEscape(hint)
	}
	redirect(w, r, target)
}

// recentEnough reports whether a sign-in at authAt satisfies the request's
// max_age (prompt=login is max_age=0): within max_age of now, or after the
// request was made.
func recentEnough(req mfa.AuthRequest, authAt, now time.Time) bool {
	if req.Params.MaxAge == nil {
		return true
	}
	return !authAt.Before(req.Created) || now.Sub(authAt) <= time.Duration(*req.Params.MaxAge)*time.Second
}

// oidcComplete marks the request signed in for userID (spending it) and
// sends the code to the app; once the request is spent and before the
// answer, each of then runs.
func (h *Handler) oidcComplete(w http.ResponseWriter, r *http.Request, req mfa.AuthRequest, userID string, at time.Time, amr mfa.AMR, then ...func() error) {
	if len(amr) == 0 {
		amr = mfa.SignInAMR(false)
	}
	done, err := h.svc.OIDC.CompleteAuthRequest(r.Context(), req.ID, userID, at, amr)
	if err != nil {
		if _, ok := isRefusal(err); !ok {
			h.fail(w, r, err)
			return
		}
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Sign-in request expired"),
			Text: h.loc(r).T("This sign-in request has expired or was already used. Go back to the application and sign in again."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
		return
	}
	for _, fn := range then {
		if err := fn(); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	// Back from the sign-in pages, the browser follows redirects of a
	// form sent to this server, which the form-action policy keeps on this
	// server: a page sends it on to the app instead.
	if r.URL.Query().Get("from") == "signin" {
		target, ok, err := h.op.ResponseURL(r, done)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if ok {
			h.render(w, r, &messagePage{common: common{Refresh: target}, Heading: h.loc(r).T("Signed in"),
				Text: h.loc(r).T("You are signed in. Taking you back to the application…"), Link: target, LinkLabel: h.loc(r).T("Continue to the application")})
			return
		}
	}
	h.op.Respond(w, r, done)
}

// oidcLogout is RP-initiated logout (GET /oauth2/v1/logout, and under
// /oauth2/default): the browser session ends and the browser goes to the
// app's registered post_logout_redirect_uri (with its state).
func (h *Handler) oidcLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	target, _, err := h.op.EndSession(r)
	if err != nil {
		h.log.WarnContext(ctx, "oidc logout refused", "err", errors.Unwrap(err))
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Sign-out address not allowed"),
			Text: h.loc(r).T("The application asked to go to an address it did not register for after sign-out (illegal_post_logout_redirect_uri)."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
		return
	}
	if u, err := h.currentUser(ctx); err != nil {
		h.logError(r, "oidc logout: read user", err)
	} else if u != nil {
		if err := h.svc.Users.RecordSignOut(ctx, u); err != nil {
			h.logError(r, "oidc logout: record", err)
		}
	}
	if err := h.sess.Destroy(ctx); err != nil {
		h.fail(w, r, mfa.Internal("destroy session", err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusFound)
}
