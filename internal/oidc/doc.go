// Package oidc is smsmfa's OpenID Provider: it serves discovery, the
// JWKS, /authorize, /token, /userinfo, /introspect and /revoke with
// github.com/zitadel/oidc/v3's op package, at Okta's paths (the org
// authorization server under /oauth2/v1 and the "default" custom server
// under /oauth2/default/v1). Its op.Storage keeps everything in the
// database through the domain service mfa.OIDC, so any instance of a
// cluster serves any step. Sign-in itself is the web UI's: /authorize
// sends the browser to the web UI's /signin/oidc, which signs the user in
// (password and SMS) and calls Respond to send the code to the app.
package oidc
