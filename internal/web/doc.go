// Package web is smsmfa's HTML interface: sign-in with the "Extra
// verification is required for your account" enrollment, the sign-in code
// challenge, the account page's Extra Verification section, the admin
// console, and in development mode the SMS sink's page. Pages are
// server-rendered html/template with one stylesheet and no JavaScript.
//
// Each page is a struct (pages*.go) that embeds common, the layout's
// fields, and names its template and title; handlers fill one and call
// render(w, r, page). Templates read the struct's fields, so a test can
// execute every template with its struct and catch a wrong field name.
//
// The sign-in pages drive the same transaction state machine as the
// Okta-compatible authn API (mfa.Signin); the state token lives in
// the browser session. Sessions are scs sessions stored in the database
// (token hashes only), renewed at sign-in and after MFA.
package web
