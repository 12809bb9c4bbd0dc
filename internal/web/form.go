package web

import (
	"errors"
	"net/http"
	"net/url"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
)

// readForms reads the body of every form before any handler does, up to
// httpx.MaxBody bytes. A larger body is answered 413 and goes no further:
// nothing of it is stored, and the refusal is in the system log (once a
// minute per address). A body that is not a form, or a form holding what
// nobody types (NUL, other control characters but tabs and line breaks,
// bidirectional controls, bytes that are not UTF-8: mfa.Typeable),
// answers 400: nothing of it reaches the domain, which cleans or refuses
// what it is given from every door (the API, the command line) anyway.
func (h *Handler) readForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBody)
		err := r.ParseForm()
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			h.blocked(r, mfa.BlockedTooLarge)
			h.message(w, r, http.StatusRequestEntityTooLarge, messagePage{Heading: h.loc(r).T("Form too large"),
				Text: h.loc(r).T("What you sent is larger than 64 KiB, so nothing was saved. Go back and send less."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
			return
		}
		if err == nil && !typed(r.PostForm) {
			h.blocked(r, mfa.BlockedNotText)
			h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Form not accepted"),
				Text: h.loc(r).T("What you sent holds characters that cannot be typed (control characters or bytes that are not text), so nothing was saved. Go back and type it again."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
			return
		}
		if err != nil {
			h.message(w, r, http.StatusBadRequest, messagePage{Heading: h.loc(r).T("Form not readable"),
				Text: h.loc(r).T("What you sent could not be read as a form, so nothing was saved. Go back and try again."), Link: "/", LinkLabel: h.loc(r).T("Go to the start page")})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// typed reports whether every name and value of form is mfa.Typeable.
func typed(form url.Values) bool {
	for k, vs := range form {
		if !mfa.Typeable(k) {
			return false
		}
		for _, v := range vs {
			if !mfa.Typeable(v) {
				return false
			}
		}
	}
	return true
}
