// Package twilio sends SMS through Twilio's Programmable Messaging REST API
// with a hand-written net/http client (no SDK), and reads what Twilio sends
// back: status callbacks, inbound messages and their X-Twilio-Signature.
//
// Send posts to {BaseURL}/2010-04-01/Accounts/{AccountSid}/Messages.json
// with HTTP basic auth and maps Twilio's numeric error codes onto the
// reasons of package sms (see ReasonForCode). BaseURL defaults to
// https://api.twilio.com; tests point it at an httptest.Server.
package twilio
