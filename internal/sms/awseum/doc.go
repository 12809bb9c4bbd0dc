// Package awseum sends SMS through AWS End User Messaging SMS (the
// pinpointsmsvoicev2 API's SendTextMessage) with aws-sdk-go-v2, as a
// TRANSACTIONAL message.
//
// The SDK's retries are off so that a failing provider is left within our
// 1–2 s budget; AWS error codes and their reasons (ConflictException
// DESTINATION_PHONE_NUMBER_OPTED_OUT and so on) are mapped onto the reasons
// of package sms (see Send). BaseURL overrides the SDK's regional
// endpoint; tests point it at an httptest.Server. No SDK type appears in
// this package's API.
package awseum
