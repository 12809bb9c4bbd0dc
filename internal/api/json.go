package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
)

// decode reads a JSON object body into v; when it cannot, it writes the
// refusal and reports false. An empty body and the literal `null` (which
// Okta's Go SDK v5 sends for a challenge) count as `{}`. Unknown fields are
// ignored, as Okta does. A body over httpx.MaxBody is refused with 413
// before it is read on, and the refusal is in the system log (once a
// minute per address).
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if e := h.readJSON(w, r, v); e != nil {
		e.write(w, r)
		return false
	}
	return true
}

// readJSON is decode without the answer: the refusal is returned.
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxBody))
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		if err := h.svc.Org.RecordBlocked(r.Context(), mfa.BlockedTooLarge, r.Method+" "+r.URL.Path); err != nil {
			h.log.ErrorContext(r.Context(), "record blocked request", "err", err)
		}
		return newError(http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed.", "The request body is larger than 64 KiB.")
	}
	if err != nil {
		return errMalformed
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	if b[0] != '{' {
		return errMalformed
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errMalformed
	}
	return nil
}

// ok writes v as JSON with 200.
func ok(w http.ResponseWriter, v any) { httpx.JSON(w, http.StatusOK, v) }

// oktaTime formats times the way Okta does: UTC with milliseconds.
func oktaTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// optTime is a nullable time: nil for zero.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := oktaTime(t)
	return &s
}

// link is a HAL link. auth-js only turns a link into a function when
// hints.allow has exactly one method.
type link struct {
	Name  string `json:"name,omitempty"`
	Href  string `json:"href"`
	Hints *hints `json:"hints,omitempty"`
}

type hints struct {
	Allow []string `json:"allow"`
}

// emptyObject encodes as {}: the body of lifecycle answers, and objects
// Okta sends empty (a user's password credential, a log event's
// transaction detail).
type emptyObject struct{}

// phoneProfile is the profile of an sms factor or phone.
type phoneProfile struct {
	PhoneNumber string `json:"phoneNumber"`
	// PhoneExtension is a call factor's extension (never sent for sms).
	PhoneExtension string `json:"phoneExtension,omitempty"`
}

func (h *Handler) link(method, path string) link {
	return link{Href: h.base + path, Hints: &hints{Allow: []string{method}}}
}

func (h *Handler) link2(path string, methods ...string) link {
	return link{Href: h.base + path, Hints: &hints{Allow: methods}}
}

func (h *Handler) named(name, method, path string) link {
	l := h.link(method, path)
	l.Name = name
	return l
}
