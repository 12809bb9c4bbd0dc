package web

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

	"smsmfa/internal/mfa"
)

// safeTarget is the one check of an address to send a browser to. It
// parses raw, cleans its path, then checks the result, and returns what
// to put in Location; ok is false when raw is not allowed. Allowed: a path
// on this server ("/account?x=1"), or an absolute http(s) URL on self's
// origin (given back as its path) or on one of trusted (origins as the
// trusted_origins setting keeps them: lower-case "scheme://host[:port]").
//
// Refused: raw over mfa.FieldRedirect's cap; any byte of raw that is a
// control character, a space, a backslash or not ASCII (browsers drop tabs
// and line breaks and read "\" as "/", so "/\tx" and "/\x" would name the
// host x); a decoded path holding a backslash or a control character
// ("/%5Cx", "/%09/x"); user info ("https://good@evil"); an opaque URL
// ("https:evil"); any other scheme ("javascript:", "data:"); a relative
// path ("evil", "./x"); any other origin, IDN hosts included (trusted
// origins are ASCII). The cleaned path never starts with "//".
func safeTarget(raw string, self *url.URL, trusted []string) (string, bool) {
	if raw == "" || len(raw) > mfa.FieldRedirect.Max {
		return "", false
	}
	for i := range len(raw) {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "", false
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" ||
		strings.ContainsFunc(u.Path+u.Fragment, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return "", false
	}
	local := u.Scheme == "" && u.Host == ""
	if local && !strings.HasPrefix(raw, "/") {
		return "", false
	}
	if !local {
		origin := u.Scheme + "://" + strings.ToLower(u.Host)
		switch {
		case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			return "", false
		case self != nil && origin == strings.ToLower(self.Scheme+"://"+self.Host):
			local = true
		case !slices.Contains(trusted, origin):
			return "", false
		}
	}
	out := url.URL{Path: cleanPath(u.Path), RawQuery: u.RawQuery, Fragment: u.Fragment}
	if !local {
		out.Scheme, out.Host = u.Scheme, u.Host
	}
	target := out.String()
	// The result is read again as a browser would: a local target must
	// stay on this server.
	back, err := url.Parse(target)
	if err != nil || (local && (back.Host != "" || back.Scheme != "" || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//"))) {
		return "", false
	}
	return target, true
}

// cleanPath is p with "." and ".." resolved and slashes single, rooted,
// keeping a trailing slash.
func cleanPath(p string) string {
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// seeOther sends the browser to target, which safeTarget returned, with
// 303 See Other.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// redirect sends the browser to a path on this server with 303 See Other.
// The path may hold parts of the request (an id from the URL), so it is
// checked too; one that is not allowed goes to "/".
func redirect(w http.ResponseWriter, r *http.Request, p string) {
	target, ok := safeTarget(p, nil, nil)
	if !ok {
		target = "/"
	}
	seeOther(w, r, target)
}

// redirectTarget checks raw, an address a request asks to go to: a path on
// this server, an absolute URL on it, or one on an origin the admin
// trusts; none at all is the account page. The error is the settings'
// failing to load.
func (h *Handler) redirectTarget(ctx context.Context, raw string) (string, bool, error) {
	if raw == "" {
		return "/account", true, nil
	}
	if target, ok := safeTarget(raw, h.base, nil); ok {
		return target, true, nil
	}
	set, err := h.svc.Org.Settings(ctx)
	if err != nil {
		return "", false, err
	}
	target, ok := safeTarget(raw, h.base, set.TrustedOrigins)
	return target, ok, nil
}

// localTarget checks raw, a path on this server to go to from a form
// (the confirmation's next): none at all is the account page; one that is
// not allowed too, and that is recorded in the system log.
func (h *Handler) localTarget(r *http.Request, raw string) string {
	if raw == "" {
		return "/account"
	}
	target, ok := safeTarget(raw, h.base, nil)
	if !ok {
		h.blocked(r, mfa.BlockedRedirect)
		return "/account"
	}
	return target
}

// blocked records in the system log that r was refused for what it
// carried (once a minute per address and reason); a failure to record is
// logged, never shown.
func (h *Handler) blocked(r *http.Request, reason string) {
	if err := h.svc.Org.RecordBlocked(r.Context(), reason, r.Method+" "+r.URL.Path); err != nil {
		h.logError(r, "record blocked request", err)
	}
}
