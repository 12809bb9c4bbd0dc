package smshttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/sms"
)

// DefaultTimeout bounds one request to a provider when the adapter's
// configuration brings no *http.Client of its own.
const DefaultTimeout = 3 * time.Second

// MaxBody is the most of a provider's answer an adapter reads.
const MaxBody = 1 << 20

// ErrTooLarge is returned by ReadBody for an answer over MaxBody bytes.
var ErrTooLarge = errors.New("answer larger than 1 MiB")

// maxDetail is the most of a provider's message kept in an sms.Error.
const maxDetail = 300

// Client returns c, or when c is nil a new client whose whole request,
// body included, must finish within DefaultTimeout and which does not
// follow redirects: a provider API does not redirect a send, and following
// one would replay credentials (a webhook's custom secret header survives
// a cross-host redirect in net/http) to wherever it points. The 3xx answer
// itself comes back to the adapter.
func Client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{
		Timeout: DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// ReadBody reads at most MaxBody bytes of r. It returns an error when r
// fails or holds more than MaxBody bytes.
func ReadBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, ErrTooLarge
	}
	return b, nil
}

// TransportError turns a failure to get an answer from a provider (from
// http.Client.Do or from reading the body) into an error for Send. A
// deadline — the client's timeout or ctx's — is an *sms.Error with reason
// Timeout; a cancelled ctx is returned wrapped, not as an *sms.Error,
// because the provider did nothing wrong; anything else (connection
// refused, reset, TLS failure, an answer over MaxBody) is an *sms.Error
// with reason ProviderDown.
// The result never holds the request URL, which may carry an account id.
func TransportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return sms.NewError(sms.Timeout, "", "deadline exceeded before the provider answered")
		}
		return fmt.Errorf("send cancelled: %w", ctxErr)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return sms.NewError(sms.Timeout, "", "no answer within the client timeout")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sms.NewError(sms.Timeout, "", "no answer within the client timeout")
	}
	if errors.Is(err, ErrTooLarge) {
		return sms.NewError(sms.ProviderDown, "", "answer larger than 1 MiB")
	}
	detail := "connection failed"
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
		// The inner error of a net.OpError names the syscall and its
		// failure ("connect: connection refused"), no addresses.
		detail += ": " + oe.Op + ": " + oe.Err.Error()
	}
	return sms.NewError(sms.ProviderDown, "", detail)
}

// StatusError is the fallback for an HTTP status that the provider's own
// error payload did not explain: 401 and 403 are BadCredentials, 429 is
// Throttled with the Retry-After hint, 5xx is ProviderDown, and anything
// else is Unknown. Code is "HTTP <status>"; detail is kept as given.
func StatusError(status int, h http.Header, now time.Time, detail string) *sms.Error {
	e := sms.NewError(ReasonForStatus(status), "HTTP "+strconv.Itoa(status), detail)
	if e.Reason == sms.Throttled {
		e.RetryAfter = RetryAfter(h, now)
	}
	return e
}

// ReasonForStatus maps an HTTP status to a reason as StatusError does.
func ReasonForStatus(status int) sms.Reason {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return sms.BadCredentials
	case status == http.StatusTooManyRequests:
		return sms.Throttled
	case status >= 500:
		return sms.ProviderDown
	}
	return sms.Unknown
}

// RetryAfter reads a Retry-After header, either delay-seconds or an HTTP
// date (taken relative to now). It returns 0 when the header is absent,
// malformed, or in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > 24*60*60 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Missing returns an error naming each credential whose value is empty,
// or nil. names and values are parallel: names[i] is the credential name
// an operator types (e.g. "auth_token"), values[i] its value.
func Missing(provider string, names []string, values ...string) error {
	var missing []string
	for i, v := range values {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, strconv.Quote(names[i]))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s: missing credential %s", provider, strings.Join(missing, ", "))
}

// Clean makes a provider's message safe to keep in an sms.Error: every
// non-empty secret (message body, credentials) is replaced by
// "[redacted]", control characters become spaces, and the result is cut
// to a few hundred bytes.
func Clean(detail string, secrets ...string) string {
	for _, s := range secrets {
		if strings.TrimSpace(s) != "" {
			detail = strings.ReplaceAll(detail, s, "[redacted]")
		}
	}
	detail = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, detail)
	detail = strings.TrimSpace(detail)
	if len(detail) > maxDetail {
		cut := maxDetail
		for cut > 0 && !isRuneStart(detail[cut]) {
			cut--
		}
		detail = detail[:cut] + "…"
	}
	return detail
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ParseBase parses an adapter's API address as sms.ParseURL does, with a
// message naming the provider.
func ParseBase(provider, raw string) (*url.URL, error) {
	u, err := sms.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: base URL %w", provider, err)
	}
	return u, nil
}

// Base returns an adapter's API address without a trailing slash: raw, or
// def when raw is empty. It fails as ParseBase does.
func Base(provider, raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	if _, err := ParseBase(provider, raw); err != nil {
		return "", err
	}
	return strings.TrimRight(raw, "/"), nil
}

// Clock returns now, or time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// Post sends body to url with c, as contentType and accepting JSON, and
// returns the answer with its body (see ReadBody; the response's body is
// closed). prepare, when not nil, adds to the request what the provider
// needs (credentials, a signature). A request that cannot be built is an
// *sms.Error with reason Unknown; a failure to get the answer is the error
// of TransportError.
func Post(ctx context.Context, c *http.Client, url, contentType string, body io.Reader, prepare func(*http.Request)) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, nil, sms.NewError(sms.Unknown, "", "cannot build the request")
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if prepare != nil {
		prepare(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, TransportError(ctx, err)
	}
	defer resp.Body.Close()
	b, err := ReadBody(resp.Body)
	if err != nil {
		return nil, nil, TransportError(ctx, err)
	}
	return resp, b, nil
}
