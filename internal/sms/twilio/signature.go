package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// SignatureHeader is the header in which Twilio signs its callbacks.
const SignatureHeader = "X-Twilio-Signature"

// VerifySignature reports whether signature (the X-Twilio-Signature header)
// is Twilio's signature of a callback: base64 of HMAC-SHA1, keyed by the
// auth token, over fullURL followed by every form parameter as name then
// value, names in byte order (values of a repeated name sorted, duplicates
// once). fullURL is the URL Twilio called, scheme, host, path and query
// included, exactly as configured at Twilio (behind a proxy, rebuild it
// from the public base URL, not from the request's Host). Like Twilio's own
// libraries it also accepts the signature of fullURL with the default port
// added or removed. The comparison is constant-time. It returns false for an
// empty token or signature and for a signature that is not base64.
func VerifySignature(authToken, fullURL string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	ok := false
	for _, u := range urlVariants(fullURL) {
		// Check every variant so the time spent does not depend on which matched.
		if hmac.Equal(got, mac(authToken, u, form)) {
			ok = true
		}
	}
	return ok
}

// Signature returns the X-Twilio-Signature Twilio would send for a callback
// to fullURL with form; VerifySignature accepts it. Tests and local
// emulators use it.
func Signature(authToken, fullURL string, form url.Values) string {
	return base64.StdEncoding.EncodeToString(mac(authToken, fullURL, form))
}

// mac computes the raw HMAC-SHA1 of the signing string.
func mac(authToken, fullURL string, form url.Values) []byte {
	h := hmac.New(sha1.New, []byte(authToken))
	h.Write([]byte(fullURL))
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := slices.Clone(form[name])
		slices.Sort(values)
		values = slices.Compact(values)
		for _, v := range values {
			h.Write([]byte(name))
			h.Write([]byte(v))
		}
	}
	return h.Sum(nil)
}

// urlVariants returns fullURL and, when it parses, the same URL with its
// default port removed (if present) or added (if absent).
func urlVariants(fullURL string) []string {
	variants := []string{fullURL}
	u, err := url.Parse(fullURL)
	if err != nil || u.Host == "" {
		return variants
	}
	var defPort string
	switch strings.ToLower(u.Scheme) {
	case "https":
		defPort = "443"
	case "http":
		defPort = "80"
	default:
		return variants
	}
	alt := *u
	switch u.Port() {
	case "":
		alt.Host = u.Host + ":" + defPort
	case defPort:
		alt.Host = u.Hostname()
		if strings.Contains(alt.Host, ":") { // IPv6 literal
			alt.Host = "[" + alt.Host + "]"
		}
	default:
		return variants
	}
	return append(variants, alt.String())
}
