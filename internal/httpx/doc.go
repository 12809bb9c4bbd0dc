// Package httpx holds what every HTTP surface of smsmfa shares: the server
// with its timeouts, middleware (request id, client address behind trusted
// proxies, access log, panic recovery, security headers) and small response
// helpers.
package httpx
