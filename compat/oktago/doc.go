// Package oktago holds smsmfa's compatibility tests for Okta's Go SDKs
// (okta-sdk-golang v5.0.2 and v2.20.0). The tests build the smsmfa binary,
// start it on a loopback port with a fresh SQLite database and drive its
// Okta-compatible Users and Factors API with the SDKs, unchanged. It is a
// module of its own so that the SDKs' dependencies stay out of smsmfa's.
package oktago
