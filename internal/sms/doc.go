// Package sms holds what every SMS provider adapter shares: the Message a
// provider sends, the Provider interface, the Kind by which each adapter
// describes its provider type once (credentials, address, senders, how to
// make it), and the typed delivery errors that let the delivery worker
// decide between failing a message, trying the next provider, or retrying
// later. It imports nothing but the standard library;
// each adapter lives in its own sub-package and no SDK type escapes it.
package sms
