// Package fraud detects SMS pumping (artificially inflated traffic, toll
// fraud): codes sent to fresh numbers in one range, or to a country the
// org never texted, that nobody enters. It is pure: it judges the traffic
// of one destination key (a country or a number range) as the store
// counted it, and explains its decision; package mfa keeps the counts,
// acts on decisions and records them in the system log.
//
// Only "unproven" sends are counted: enrollment codes to a number the user
// has not verified. Codes to a number a user already verified are never
// counted or throttled, so pumping a range cannot lock its real users out.
package fraud
