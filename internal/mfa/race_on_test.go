//go:build race

package mfa_test

// raceDetector is set when the tests run with -race.
const raceDetector = true
