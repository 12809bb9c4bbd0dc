// Package mfa is the domain of smsmfa: users, the SMS factor, one-time code
// challenges, sign-in transactions, org settings, rate limits and the system
// log. It decides; it does no I/O of its own. Storage, SMS delivery, password
// hashing, time and randomness come in through the small interfaces declared
// here (Store, Tx, Deliverer, PasswordHasher, Sealer, Clock), so the same
// rules serve the web UI, the Okta-compatible API and the command line.
//
// Every refusal is an *Error with a Code (the class: invalid, not_found,
// rate_limited, …), a Reason (the exact cause, which the API maps onto an
// Okta error code) and a Message that is safe to show the user.
package mfa
