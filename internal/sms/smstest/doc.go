// Package smstest holds provider emulators for tests: Gateway speaks the
// signed webhook format (Okta's telephony inline hook) and can be told to be
// down, slow, refuse credentials or hang; Twilio speaks the Messages API
// and sends signed status callbacks and inbound messages back. They listen
// on loopback only.
package smstest
