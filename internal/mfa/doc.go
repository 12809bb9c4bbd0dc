// Package mfa is the domain of smsmfa: users, the SMS factor, one-time code
// challenges, sign-in transactions, org settings, rate limits and the system
// log. It decides; it does no I/O of its own. Storage, SMS delivery, password
// hashing, time and randomness come in through the small interfaces declared
// here (Store, Tx, Deliverer, PasswordHasher, Sealer, Clock), so the same
// rules serve the web UI, the Okta-compatible API and the command line.
//
// The domain is a handful of services, one per thing users and admins do:
// Signin (the authn state machine), Factors (the SMS factor of one user),
// Users, Tokens (API tokens), Telephony (providers, templates, opt-outs,
// receipts) and Org (settings, numbers, the system log, limits). They share
// one core: the unit of work (run), the system log (record), ids and the
// org settings. New builds them all from one Config.
//
// One error channel: every operation returns a plain error. A refusal (an
// *Error whose Code is not EInternal) returned from a unit of work commits
// what the work counted before it (a wrong-code try, a lockout, rate-limit
// counters, events) and is returned to the caller; any other error rolls
// the work back. rollback(e) marks the rare refusal that must roll back (a
// unique violation, after which PostgreSQL refuses further statements).
//
// Every refusal is an *Error with a Code (the class: invalid, not_found,
// rate_limited, …), a Reason (the exact cause, which the API maps onto an
// Okta error code) and a Message that is safe to show the user.
package mfa
