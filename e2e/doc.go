// Package e2e drives the real smsmfa server in headless Chromium through
// the flows of DESIGN §1: sign-in, "Extra verification is required for your
// account", enrollment with a wrong code and a re-send, the sign-in
// challenge, the account page's Reset / Remove / Setup with the verified
// number reused, and the admin console's SMS switch. Codes are read from
// the development sink at /dev/sms/messages, as a person reads their phone.
//
// The tests run when SMSMFA_E2E=1 and a Chromium is installed
// (/usr/bin/chromium, or SMSMFA_CHROMIUM); .ci/run sets both up.
package e2e
