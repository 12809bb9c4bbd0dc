// Package awstest helps the AWS adapters' tests build emulators that check
// requests the way AWS does: it holds a test account, parses a SigV4
// Authorization header and verifies its signature by signing the received
// request again with the emulator's copy of the secret key. Only tests
// import it.
package awstest
