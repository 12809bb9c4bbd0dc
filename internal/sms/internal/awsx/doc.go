// Package awsx holds what the two AWS SMS adapters (awssns, awseum) share:
// an aws.Config built from static credentials with the SDK's retries off,
// and the translation of SDK errors into *sms.Error values. It is internal
// to the sms adapters.
package awsx
