// Package devsink is the development SMS provider: it keeps the messages it
// is given in memory (for the /dev/sms page and its JSON) and writes each to
// the log. It is the provider when none is configured. It is the only place
// where a message body or code may reach a log.
package devsink

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"smsmfa/internal/sms"
)

// Message is a message the sink received.
type Message struct {
	ID   string `json:"id"`
	To   string `json:"to"`
	From string `json:"from"`
	Body string `json:"body"`
	Code string `json:"code"` // the one-time code in Body, empty for a text without one
	// Channel is "voice" for a call (Body is what it reads out), empty
	// for a text.
	Channel string `json:"channel,omitempty"`
	// Extension is the extension a call dials once answered.
	Extension string    `json:"extension,omitempty"`
	Created   time.Time `json:"created"`
}

// Sink is an in-memory SMS provider.
type Sink struct {
	mu   sync.Mutex
	msgs []Message
	max  int
	seq  int
	log  *slog.Logger
	now  func() time.Time
}

var _ sms.Provider = (*Sink)(nil)

// New returns a sink keeping the newest max messages, logging to log (nil:
// no logging).
func New(max int, log *slog.Logger) *Sink {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sink{max: max, log: log, now: time.Now}
}

// CanCall is true: the sink keeps calls as it keeps texts.
func (s *Sink) CanCall() bool { return true }

// Call stores msg as a call (Channel "voice", Body the text read out) and
// logs it.
func (s *Sink) Call(ctx context.Context, msg sms.Message) (string, error) { return s.Send(ctx, msg) }

var _ sms.Caller = (*Sink)(nil)

// Send stores msg and logs it.
func (s *Sink) Send(ctx context.Context, msg sms.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", sms.NewError(sms.Timeout, "", err.Error())
	}
	s.mu.Lock()
	s.seq++
	m := Message{ID: "dev" + strconv.Itoa(s.seq) + "-" + msg.ID, To: msg.To, From: msg.From, Body: msg.Body, Code: msg.Code, Channel: string(msg.Channel), Extension: msg.Extension, Created: s.now().UTC()}
	s.msgs = append(s.msgs, m)
	if len(s.msgs) > s.max {
		s.msgs = append([]Message(nil), s.msgs[len(s.msgs)-s.max:]...)
	}
	s.mu.Unlock()
	s.log.InfoContext(ctx, "development SMS sink", "id", m.ID, "to", m.To, "from", m.From, "body", m.Body, "code", m.Code, "channel", m.Channel)
	return m.ID, nil
}

// Messages returns the messages received, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message{}, s.msgs...)
}
