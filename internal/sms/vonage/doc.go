// Package vonage sends SMS through Vonage's (formerly Nexmo's) SMS API with
// a hand-written net/http client (the Vonage Go SDK is not used), and reads
// Vonage's delivery receipts and their signatures.
//
// Send posts a form to {BaseURL}/sms/json. Vonage answers HTTP 200 even
// when it refuses a message; the verdict is the status of each entry in
// "messages", mapped onto the reasons of package sms by ReasonForStatus.
// BaseURL defaults to https://rest.nexmo.com; tests point it at an
// httptest.Server.
package vonage
