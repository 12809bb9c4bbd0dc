// Package smshttp holds the HTTP plumbing the SMS provider adapters share:
// the default client and its timeout, turning transport failures and HTTP
// statuses into *sms.Error values, Retry-After parsing, bounded body reads,
// credential-name and callback-field checks, and scrubbing provider messages of secrets before
// they reach an error. It is internal to the sms adapters.
package smshttp
