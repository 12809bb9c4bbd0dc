package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// columnCaps names the field of each text column that has one (mfa.Field);
// the other text columns are held to otherCap.
var columnCaps = map[string]mfa.Field{
	"users.login": mfa.FieldLogin, "users.email": mfa.FieldEmail, "users.first_name": mfa.FieldFirstName,
	"users.last_name": mfa.FieldLastName, "users.locale": mfa.FieldLocale, "users.time_zone": mfa.FieldTimeZone,
	"transactions.relay_state": mfa.FieldRelayState, "transactions.client_ip": mfa.FieldClientIP, "challenges.client_ip": mfa.FieldClientIP,
	"api_tokens.name": mfa.FieldTokenName, "providers.name": mfa.FieldProviderName, "providers.base_url": mfa.FieldProviderURL,
	"templates.locale": mfa.FieldTemplateLocale, "templates.body": mfa.FieldTemplate, "settings.value": mfa.FieldSettingValue,
	"settings.updated_by": mfa.FieldEventParty, "numbers.updated_by": mfa.FieldEventParty, "templates.updated_by": mfa.FieldEventParty,
	"events.event_type": mfa.FieldEventParty, "events.severity": mfa.FieldEventParty, "events.outcome": mfa.FieldEventParty,
	"events.actor_id": mfa.FieldEventParty, "events.actor_type": mfa.FieldEventParty, "events.actor_alternate_id": mfa.FieldEventParty,
	"events.actor_display_name": mfa.FieldEventParty, "events.target_id": mfa.FieldEventParty, "events.target_type": mfa.FieldEventParty,
	"events.target_alternate_id": mfa.FieldEventParty, "events.target_display_name": mfa.FieldEventParty,
	"events.message": mfa.FieldEventText, "events.reason": mfa.FieldEventText,
	"events.client_ip": mfa.FieldClientIP, "events.user_agent": mfa.FieldUserAgent, "events.request_id": mfa.FieldRequestID,
}

// otherCap bounds every other text column: ids, states, numbers, hashes.
const otherCap = 2048

// TextChecker reads back what the store holds, for fuzz targets and
// attack tests: every text column of every table of a database.
type TextChecker struct {
	db      *store.DB
	lastSeq int64 // events are only added: each is read once
}

// NewTextChecker returns a checker of db.
func NewTextChecker(db *store.DB) *TextChecker { return &TextChecker{db: db} }

// Check fails tb for each stored text that is not fit to store: not valid
// UTF-8, holding NUL, a control character (but the line breaks of a
// template) or a bidirectional control, longer than its column's cap, or,
// in an identifier column (a login, a locale…), holding U+FFFD, the mark
// of bytes that were not text.
func (c *TextChecker) Check(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`
	if c.db.Engine() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	tables, err := c.strings(ctx, q)
	if err != nil {
		tb.Fatalf("storetest: list tables: %v", err)
	}
	for _, table := range tables {
		query := `SELECT * FROM ` + table
		if table == "events" {
			query += fmt.Sprintf(` WHERE seq > %d ORDER BY seq`, c.lastSeq)
		}
		if err := c.checkTable(tb, ctx, table, query); err != nil {
			tb.Fatalf("storetest: read %s: %v", table, err)
		}
	}
}

func (c *TextChecker) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := c.db.SQL().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (c *TextChecker) checkTable(tb testing.TB, ctx context.Context, table, query string) error {
	tb.Helper()
	rows, err := c.db.SQL().QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, col := range cols {
			s, ok := vals[i].(string)
			if !ok {
				continue
			}
			name := table + "." + col
			if name == "events.details" {
				checkDetails(tb, s)
				continue
			}
			if msg := unfit(name, s); msg != "" {
				tb.Errorf("stored %s = %.80q (%d bytes): %s", name, s, len(s), msg)
			}
		}
		if table == "events" {
			if seq, ok := vals[0].(int64); ok {
				c.lastSeq = max(c.lastSeq, seq)
			}
		}
	}
	return rows.Err()
}

// checkDetails checks the keys and values of an event's details (JSON,
// whose escapes would hide control characters from a check of the text).
func checkDetails(tb testing.TB, s string) {
	tb.Helper()
	var d map[string]string
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		tb.Errorf("stored events.details = %.80q: not JSON: %v", s, err)
		return
	}
	for k, v := range d {
		if msg := unfit("events.details key", k); msg != "" {
			tb.Errorf("stored detail key %.80q: %s", k, msg)
		}
		if msg := unfit("events.details", v); msg != "" {
			tb.Errorf("stored detail %s = %.80q: %s", k, v, msg)
		}
	}
}

// unfit says what is wrong with s stored in column name, or "".
func unfit(name, s string) string {
	f, capped := columnCaps[name]
	switch {
	case !utf8.ValidString(s):
		return "not UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "holds NUL"
	case mfa.CleanText(s, f.Kind == mfa.Paragraph) != s:
		return "holds control characters"
	case capped && utf8.RuneCountInString(s) > f.Max:
		return fmt.Sprintf("over its cap of %d characters", f.Max)
	case !capped && utf8.RuneCountInString(s) > otherCap:
		return fmt.Sprintf("over %d characters", otherCap)
	case capped && f.Kind == mfa.Identifier && strings.ContainsRune(s, utf8.RuneError):
		return "an identifier holding U+FFFD"
	}
	return ""
}

// FuzzSettings are org settings under which no rate limit, lockout or
// cooldown stops a fuzz run for long (the fuzz targets also move their
// clock on an hour a run): every request reaches the code under test.
var FuzzSettings = map[string]string{
	"limit_authn_minute": "1000000", "limit_api_minute": "1000000", "limit_user_hour": "1000", "limit_ip_hour": "100000",
	"limit_phone_15m": "1000", "limit_phone_day": "10000", "resend_cooldown": "0", "activation_limit": "100",
	"shared_number_max_users": "10000", "password_lockout_failures": "100", "mfa_lockout_failures": "100", "mfa_lockouts_to_admin": "0",
	"limit_password_minute": "100000",
}
