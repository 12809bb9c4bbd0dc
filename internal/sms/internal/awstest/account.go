package awstest

import "net/http"

// The account the AWS adapters' tests sign with and the emulators check:
// the example key of AWS's documentation.
const (
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	Region          = "us-west-2"
)

// Refusal is why AWS refuses a request's signature.
type Refusal int

// The refusals Check reports.
const (
	Accepted     Refusal = iota
	UnknownKey           // the access key id is not the account's
	BadSignature         // malformed, another region or service, or not matching
)

// Check verifies the SigV4 signature of r (whose body was body) for
// service as the test account would, and says whether AWS would refuse
// it and why.
func Check(r *http.Request, body []byte, service string) (Auth, Refusal) {
	a, err := Verify(r, body, SecretAccessKey, Region, service)
	switch {
	case a.AccessKeyID != AccessKeyID:
		return a, UnknownKey
	case err != nil:
		return a, BadSignature
	}
	return a, Accepted
}
