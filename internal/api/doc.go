// Package api is smsmfa's Okta-compatible JSON API for the SMS factor:
// the Authn API (/api/v1/authn, the sign-in state machine), enough of the
// Users API for Okta's SDKs, the Factors API (/api/v1/users/{id}/factors),
// org factor administration (/api/v1/org/factors, /api/v1/authenticators)
// and the System Log API (/api/v1/logs). It speaks Okta's wire format as
// ../shared/okta-api.md records it, so Okta's SDKs work against it
// unchanged: Okta's error JSON, X-Okta-Request-Id, X-Rate-Limit-* headers,
// HAL links with absolute URLs and one allowed method each.
//
// Management endpoints need `Authorization: SSWS <token>`; the Authn API
// is public and answers CORS requests from the org's trusted origins.
package api
