// Package webhook sends SMS by POSTing to an operator's HTTPS endpoint in
// the format of Okta's telephony inline hook, so that a service written for
// Okta's "custom SMS provider" hook works unchanged, and signs each request
// so the receiver can check it came from us, unaltered and recently.
//
// The request is Okta's event (eventType "com.okta.telephony.provider",
// data.messageProfile with msgTemplate = the message text, otpCode = the
// one-time code in it and phoneNumber in E.164) with the shared secret in a configurable header (Okta's
// authScheme, "Authorization" by default) and an
// X-Smsmfa-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t "." body)>
// header (see Sign and VerifySignature). The answer is Okta's: a
// com.okta.telephony.action command whose status is SUCCESSFUL, PENDING or
// FAILED, or an error object. Like Okta, Send waits 3 s and never retries.
package webhook
