package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// toAccount sends a signed-in user to their account and reports true; it
// reports true too when the user could not be read (after answering so).
func (h *Handler) toAccount(w http.ResponseWriter, r *http.Request) bool {
	u, err := h.currentUser(r.Context())
	switch {
	case err != nil:
		h.fail(w, r, err)
	case u != nil:
		redirect(w, r, "/account")
	default:
		return false
	}
	return true
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	if !h.toAccount(w, r) && !h.toSetup(w, r) {
		redirect(w, r, "/login")
	}
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	// A sign-in on the way somewhere (an application's, a page that
	// needed it) is never turned away: an org can have users and no
	// admin. A plain visit goes to setup while it is needed.
	plain := r.URL.RawQuery == "" && !h.sess.Exists(r.Context(), keyReturn)
	if !h.toAccount(w, r) && !(plain && h.toSetup(w, r)) {
		h.render(w, r, &loginPage{Username: r.URL.Query().Get("username")})
	}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	// What was typed is shown again after a refusal, cleaned and cut to
	// the longest login there can be.
	login := r.PostFormValue("username")
	typed := mfa.FieldLogin.Clip(login)
	if login == "" || r.PostFormValue("password") == "" {
		h.render(w, r, &loginPage{common: common{Error: h.loc(r).T("Enter your username and password."), status: http.StatusBadRequest}, Username: typed})
		return
	}
	// The same per-address budget as the authn API: password spraying
	// through the form gets no more tries than through the API.
	if l, err := h.svc.Org.CountRequest(r.Context(), mfa.AuthnRequest, mfa.ClientFrom(r.Context()).IP); err != nil {
		h.fail(w, r, err)
		return
	} else if !l.OK {
		h.render(w, r, &loginPage{common: common{Error: h.loc(r).T("Too many sign-in attempts from your network. Wait a minute, then try again."), status: http.StatusTooManyRequests}, Username: typed})
		return
	}
	v, err := h.svc.Signin.PrimaryAuth(r.Context(), login, r.PostFormValue("password"), "")
	if err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		p := loginPage{common: h.refused(r, nil, e), Username: typed}
		if e.Reason == mfa.RAuthFailed {
			p.Error = h.loc(r).T("Sign-in failed. Check your username and password. After repeated failures an account is locked for a while.")
		}
		h.render(w, r, &p)
		return
	}
	// A new session id once the password is right, another after MFA.
	if err := h.sess.RenewToken(r.Context()); err != nil {
		h.fail(w, r, mfa.Internal("renew session", err))
		return
	}
	h.putStateToken(r.Context(), v.Txn.StateToken)
	h.next(w, r, v)
}

// next sends the browser to the page for the transaction's state. At
// SUCCESS it signs the user in: the session token is exchanged, the
// session id renewed.
func (h *Handler) next(w http.ResponseWriter, r *http.Request, v *mfa.TxnView) {
	switch v.Txn.Status {
	case mfa.TxnMFAEnroll:
		redirect(w, r, "/signin/enroll")
	case mfa.TxnMFAEnrollActivate:
		if v.Factor != nil && v.Factor.Type == mfa.FactorTypeTOTP {
			redirect(w, r, "/signin/enroll/totp/code")
			return
		}
		if v.Factor != nil && v.Factor.Type == mfa.FactorTypeWebAuthn {
			redirect(w, r, "/signin/enroll/webauthn")
			return
		}
		redirect(w, r, "/signin/enroll/sms/code")
	case mfa.TxnMFARequired, mfa.TxnMFAChallenge:
		redirect(w, r, "/signin/verify")
	case mfa.TxnSuccess:
		u, amr, err := h.svc.Signin.TakeSessionToken(r.Context(), v.Txn.SessionToken)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if n := v.Txn.MissedCodes; n > 0 {
			h.sess.Put(r.Context(), keyInfo, missedCodesNotice(h.loc(r), n, v.Txn.MissedSince))
		}
		h.signIn(w, r, u, amr)
	default:
		h.expired(w, r)
	}
}

// signIn starts a full session for u, who signed in with amr, and goes
// where the user was heading.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, u *mfa.User, amr mfa.AMR) {
	ctx := r.Context()
	if err := h.startSession(ctx, u, h.svc.Org.Now(), amr); err != nil {
		h.fail(w, r, err)
		return
	}
	back := h.sess.PopString(ctx, keyReturn)
	target, ok, err := h.redirectTarget(ctx, back)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		target = "/account"
	}
	seeOther(w, r, target)
}

// startSession renews the session id and makes it u's, signed in at at
// with amr.
func (h *Handler) startSession(ctx context.Context, u *mfa.User, at time.Time, amr mfa.AMR) error {
	if err := h.sess.RenewToken(ctx); err != nil {
		return mfa.Internal("renew session", err)
	}
	h.sess.Remove(ctx, keyState)
	h.sess.Put(ctx, keyUser, u.ID)
	h.sess.Put(ctx, keyAuthAt, at.Unix())
	h.sess.Put(ctx, keyAuthUs, at.UnixMicro())
	h.sess.Put(ctx, keyAMR, strings.Join(amr, " "))
	return nil
}

// expired sends the user back to sign in when the sign-in state is gone.
func (h *Handler) expired(w http.ResponseWriter, r *http.Request) {
	h.sess.Remove(r.Context(), keyState)
	h.sess.Put(r.Context(), keyInfo, h.loc(r).T("Your sign-in expired or was cancelled. Please sign in again."))
	redirect(w, r, "/login")
}

// txn loads the sign-in in progress; when there is none it redirects to
// the sign-in page and returns nil.
func (h *Handler) txn(w http.ResponseWriter, r *http.Request) *mfa.TxnView {
	tok := h.stateToken(r.Context())
	if tok == "" {
		redirect(w, r, "/login")
		return nil
	}
	v, err := h.svc.Signin.Txn(r.Context(), tok)
	if err != nil {
		if e, ok := isRefusal(err); ok && (e.Reason == mfa.RInvalidToken) {
			h.expired(w, r)
			return nil
		}
		if e, ok := isRefusal(err); ok && e.Reason == mfa.RUserLocked {
			h.locked(w, r, e)
			return nil
		}
		h.fail(w, r, err)
		return nil
	}
	return v
}

// txnAt loads the sign-in in progress when it is at status; at another
// state it sends the browser to that state's page, without one to sign in,
// and returns nil.
func (h *Handler) txnAt(w http.ResponseWriter, r *http.Request, status mfa.TxnStatus) *mfa.TxnView {
	v := h.txn(w, r)
	if v == nil {
		return nil
	}
	if v.Txn.Status != status {
		h.next(w, r, v)
		return nil
	}
	return v
}

// after handles the result of a transaction step: on success it goes to
// the next page; a refusal of the step is shown with show; an expired or
// cancelled transaction goes back to sign-in.
func (h *Handler) after(w http.ResponseWriter, r *http.Request, v *mfa.TxnView, err error, show func(*mfa.Error)) {
	if err == nil {
		h.next(w, r, v)
		return
	}
	e, ok := isRefusal(err)
	switch {
	case !ok:
		h.fail(w, r, err)
	case e.Reason == mfa.RInvalidToken:
		h.expired(w, r)
	case e.Reason == mfa.RWrongState:
		if v := h.txn(w, r); v != nil {
			h.next(w, r, v)
		}
	case e.Reason == mfa.RUserLocked:
		h.locked(w, r, e)
	default:
		show(e)
	}
}

// locked ends the sign-in in progress of a user who is now locked.
func (h *Handler) locked(w http.ResponseWriter, r *http.Request, e *mfa.Error) {
	h.sess.Remove(r.Context(), keyState)
	h.message(w, r, http.StatusForbidden, messagePage{Heading: h.loc(r).T("Account locked"), Text: h.loc(r).Err(e), Link: "/login", LinkLabel: h.loc(r).T("Back to sign in")})
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) {
	if tok := h.stateToken(r.Context()); tok != "" {
		// A refusal means the sign-in is already over (expired, cancelled,
		// locked): there is nothing left to cancel.
		if _, err := h.svc.Signin.TxnCancel(r.Context(), tok); err != nil {
			if _, ok := isRefusal(err); !ok {
				h.fail(w, r, err)
				return
			}
		}
	}
	h.sess.Remove(r.Context(), keyState)
	redirect(w, r, "/login")
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// Signing out never waits on its record: when the user cannot be read
	// or the event not written, that is logged and the session ends anyway.
	if u, err := h.currentUser(ctx); err != nil {
		h.logError(r, "sign-out: read user", err)
	} else if u != nil {
		if err := h.svc.Users.RecordSignOut(ctx, u); err != nil {
			h.logError(r, "sign-out: record", err)
		}
	}
	if err := h.sess.Destroy(ctx); err != nil {
		h.fail(w, r, mfa.Internal("destroy session", err))
		return
	}
	h.sess.Put(ctx, keyInfo, h.loc(r).T("You have signed out."))
	redirect(w, r, "/login")
}

// missedCodesNotice tells a user who just signed in of the failed code
// attempts on their account since their previous sign-in.
func missedCodesNotice(l *Locale, n int, since time.Time) string {
	at := since.UTC().Format(l.T("2 Jan 2006 15:04 UTC"))
	if n == 1 {
		return l.T("There was 1 failed code attempt on your account since %s. If they were not yours, somebody may know your password: change it, and tell your administrator.", at)
	}
	return l.T("There were %d failed code attempts on your account since %s. If they were not yours, somebody may know your password: change it, and tell your administrator.", n, at)
}
