// Package web is smsmfa's HTML interface: sign-in with the "Extra
// verification is required for your account" enrollment, the sign-in code
// challenge, the account page's Extra Verification section, the admin
// console, and in development mode the SMS sink's page. Pages are
// server-rendered html/template with one stylesheet and no JavaScript.
//
// The sign-in pages drive the same transaction state machine as the
// Okta-compatible authn API (mfa.Signin); the state token lives in
// the browser session. Sessions are scs sessions stored in the database
// (token hashes only), renewed at sign-in and after MFA.
package web
