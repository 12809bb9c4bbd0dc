package mfa

import (
	"encoding/json"
	"fmt"
	"time"
)

// humanDuration prints a duration for people: "5 minutes", "90 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0 && d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// HumanDuration prints a duration for people ("5 minutes").
func HumanDuration(d time.Duration) string { return humanDuration(d) }

// MessageContent is what a queued text carries, sealed: the text a person
// reads and the one-time code in it, apart, so that the delivery worker can
// hand providers the code as a field (Okta's telephony hook sends it as
// otpCode) without reading it out of the text.
type MessageContent struct {
	Body string `json:"body"`
	Code string `json:"code"`
	// Channel is ChannelVoice for a voice call: Parts are the phrases it
	// reads out (Body is them as one text), in Language (BCP 47), and it
	// dials Extension once answered. Inside the seal, so the outbox table
	// needs no column for it.
	Channel   Channel  `json:"channel,omitempty"`
	Language  string   `json:"language,omitempty"`
	Parts     []string `json:"parts,omitempty"`
	Extension string   `json:"extension,omitempty"`
}

// messageContext binds a sealed MessageContent to its message. Versions
// that sealed the text alone bound it to the bare message id: the distinct
// context tells the two formats apart without guessing from the plaintext,
// and an older version given a new message fails to open it (the message
// fails) rather than sending the JSON as the text.
func messageContext(id string) string { return "message:" + id }

// SealMessage seals c for message id.
func SealMessage(s Sealer, id string, c MessageContent) []byte {
	b, _ := json.Marshal(c)
	return s.Seal(b, messageContext(id))
}

// OpenMessage opens the sealed content of message id. A text queued by a
// version that sealed the body alone opens with an empty Code. It fails
// when sealed was not made under this key for this message (the master key
// changed, or the value was moved or altered).
func OpenMessage(o Opener, id string, sealed []byte) (MessageContent, error) {
	b, err := o.Open(sealed, messageContext(id))
	if err != nil {
		body, lerr := o.Open(sealed, id)
		if lerr != nil {
			return MessageContent{}, err
		}
		return MessageContent{Body: string(body)}, nil
	}
	var c MessageContent
	if err := json.Unmarshal(b, &c); err != nil {
		return MessageContent{}, fmt.Errorf("open message: %w", err)
	}
	return c, nil
}
