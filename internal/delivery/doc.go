// Package delivery sends the SMS messages of the durable outbox. A message
// is written to the outbox in the same transaction as its challenge; then
// Deliver tries to send it at once and waits a short bound for the answer,
// and a background worker sends whatever is left (a slow provider, a retry,
// a message whose instance died mid-send). A worker holds a message under a
// lease, so a crashed worker's messages are taken over when the lease ends.
//
// Retries back off exponentially and stop once the code has expired. A
// message is sent at most once per attempt; it is sent twice only when a
// provider accepted it but its answer was lost (timeout), which the
// message's attempt count shows.
package delivery
