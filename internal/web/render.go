package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// page is one screen of the UI: a struct of what its template shows, with
// common embedded. Only a pointer to a page struct is a page (base has a
// pointer receiver), so render can fill in the common part.
type page interface {
	// template names the file under templates/ that draws the page,
	// without ".html".
	template() string
	// title is the document title, shown before the org's name.
	title() string
	// base returns the part every page shares.
	base() *common
}

// common is what the layout shows around every page. The handler sets
// User, Error and status; render sets the rest.
type common struct {
	User   *mfa.User // the signed-in user, for the header; nil while signing in
	Error  string    // a refusal, shown above the form
	status int       // the HTTP status; 0 means 200 OK
	retry  time.Time // when a refused request may be tried again (Retry-After)

	Page  string // the template's name, for tests and styling
	Lang  string // the page's language (lang attribute)
	Dir   string // its direction (dir attribute): ltr or rtl
	Title string
	Org   string
	CSS   string // the stylesheet's content-hashed URL
	Flash string // one-time success message from the session
	Info  string // one-time information message from the session
	// Banner is a standing warning on every admin page (no SMS provider).
	Banner string
	// Script is the passkey script's URL on the pages that use it (the
	// only script of the UI; render sets it when the page asks for it).
	Script string
	// Refresh, when set, is where the page sends the browser at once
	// (an http-equiv refresh): to an app after a sign-in by form, where a
	// redirect would be refused by the form-action policy.
	Refresh string
	// Here is the address of this page, for the language picker to come
	// back to; Langs is the picker's list.
	Here  string
	Langs []langChoice
}

func (c *common) base() *common { return c }

// refused is the common part of a page shown again because of the
// refusal e: its message in the request's language and status.
func (h *Handler) refused(r *http.Request, u *mfa.User, e *mfa.Error) common {
	return common{User: u, Error: h.loc(r).Err(e), status: statusOf(e), retry: e.RetryAt}
}

// wordedTitle is a page whose title() is already in the user's language
// (a heading built by the handler, a user's login), not a catalogue key.
type wordedTitle interface{ titleWorded() }

// render shows p, taking the session's one-time messages. A template that
// fails gives a bare 500 (nothing was written yet); a failed write is only
// logged, the response being under way.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, p page) {
	c := p.base()
	set, err := h.svc.Org.Settings(r.Context())
	if err != nil {
		// The page (often the error page itself) is still worth showing:
		// only the org's name is missing from it.
		h.logError(r, "render: settings", err)
	}
	loc := h.loc(r)
	c.Page, c.Title, c.Org, c.CSS = p.template(), p.title(), set.OrgName, h.tpl.css
	if _, worded := p.(wordedTitle); !worded {
		c.Title = loc.T(c.Title)
	}
	c.Lang, c.Dir, c.Langs = loc.Code, loc.Dir, h.langs.choices(loc)
	c.Here = h.pickerBack(r)
	c.Flash, c.Info = h.sess.PopString(r.Context(), keyFlash), h.sess.PopString(r.Context(), keyInfo)
	c.Banner = h.adminBanner(r, c.User)
	if _, ok := p.(scripted); ok {
		c.Script = h.tpl.js
		// This page, and only this one, may run the passkey script from
		// our origin: no inline script, no eval.
		w.Header().Set("Content-Security-Policy", strings.TrimPrefix(w.Header().Get("Content-Security-Policy")+"; script-src 'self'", "; "))
	}
	b, err := h.tpl.execute(loc, c.Page, p)
	if err != nil {
		h.log.ErrorContext(r.Context(), "render", "page", c.Page, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status == http.StatusTooManyRequests && !c.retry.IsZero() {
		wait := int(c.retry.Sub(h.svc.Org.Now()).Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(max(wait, 1)))
	}
	w.WriteHeader(status)
	if _, err := w.Write(b); err != nil {
		h.log.WarnContext(r.Context(), "write page", "page", c.Page, "err", err)
	}
}

// adminBanner is the pool's standing warning, for an admin on a console
// page.
func (h *Handler) adminBanner(r *http.Request, u *mfa.User) string {
	if h.pool == nil || u == nil || !u.Admin || !strings.HasPrefix(r.URL.Path, "/admin") {
		return ""
	}
	return h.loc(r).T(h.pool.Warning())
}

// messagePage is a heading, a sentence and one link: errors, refusals,
// "not found".
type messagePage struct {
	common
	Heading, Text   string
	Link, LinkLabel string
}

func (messagePage) template() string { return "message" }
func (p messagePage) title() string  { return p.Heading }
func (messagePage) titleWorded()     {}

// message shows a messagePage with status.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, p messagePage) {
	p.status = status
	h.render(w, r, &p)
}

// statusOf maps a domain error to an HTTP status for pages.
func statusOf(e *mfa.Error) int {
	switch e.Code {
	case mfa.EInvalid:
		return http.StatusBadRequest
	case mfa.ENotFound:
		return http.StatusNotFound
	case mfa.EConflict:
		return http.StatusConflict
	case mfa.EUnauthorized:
		return http.StatusUnauthorized
	case mfa.EForbidden, mfa.ELocked:
		return http.StatusForbidden
	case mfa.ERateLimited:
		return http.StatusTooManyRequests
	case mfa.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail shows an error page; internal errors are logged with their cause.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := mfa.ErrorOf(err)
	if e.Code == mfa.EInternal {
		h.logError(r, "internal error", e.Err)
	}
	l := h.loc(r)
	h.message(w, r, statusOf(e), messagePage{Heading: l.T("Something went wrong"), Text: l.Err(e), Link: "/", LinkLabel: l.T("Go to the start page")})
}

// logError logs an error with the request's id and path: the cause of an
// internal error page, or an error that cannot be shown.
func (h *Handler) logError(r *http.Request, msg string, err error) {
	h.log.ErrorContext(r.Context(), msg, "path", r.URL.Path, "err", err)
}

// errText words err for a page: a refusal in the request's language, any
// other error as it is.
func (h *Handler) errText(r *http.Request, err error) string {
	if e, ok := isRefusal(err); ok {
		return h.loc(r).Err(e)
	}
	return err.Error()
}
