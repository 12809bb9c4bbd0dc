// Package awssns sends SMS through Amazon SNS Publish (to a phone number,
// not a topic) with aws-sdk-go-v2, as a Transactional message.
//
// The SDK's retries are off so that a failing provider is left within our
// 1–2 s budget; AWS error codes are mapped onto the reasons of package sms
// (see Send). BaseURL overrides the SDK's regional endpoint; tests point it
// at an httptest.Server. No SDK type appears in this package's API.
package awssns
