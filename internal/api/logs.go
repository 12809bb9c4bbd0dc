package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

var filterTerm = regexp.MustCompile(`^\s*(eventType|outcome\.result|actor\.alternateId|actor\.id|target\.id|target\.alternateId)\s+eq\s+"([^"]*)"\s*$`)

// parseFilter reads the subset of Okta's filter expressions smsmfa
// supports: `field eq "value"` terms joined by `or` on eventType, or one
// term on another field (q searches free text).
func parseFilter(s string, f *mfa.EventFilter) bool {
	if strings.TrimSpace(s) == "" {
		return true
	}
	for _, term := range regexp.MustCompile(`\s+or\s+`).Split(s, -1) {
		term = strings.Trim(strings.TrimSpace(term), "()")
		m := filterTerm.FindStringSubmatch(term)
		if m == nil {
			return false
		}
		switch m[1] {
		case "eventType":
			f.Types = append(f.Types, m[2])
		case "outcome.result":
			if f.Outcome != "" {
				return false
			}
			f.Outcome = m[2]
		default:
			if f.Query != "" {
				return false
			}
			f.Query = m[2]
		}
	}
	return true
}

// logs is GET /api/v1/logs with since, until, filter, q, limit, after and
// sortOrder. Without since/until it returns the last 7 days, oldest first
// (Okta's default); a Link: <…>; rel="next" header holds the next page.
func (h *Handler) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := mfa.EventFilter{Query: q.Get("q"), OldestFirst: !strings.EqualFold(q.Get("sortOrder"), "DESCENDING"), Limit: 100}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			newError(400, "E0000001", "Api validation failed: limit", "limit must be a positive whole number").write(w, r)
			return
		}
		f.Limit = min(n, 1000)
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				newError(400, "E0000001", "Api validation failed: "+p.name, p.name+" must be an ISO 8601 time such as 2026-11-27T10:00:00.000Z").write(w, r)
				return
			}
			*p.dst = t
		}
	}
	if f.Since.IsZero() && f.Until.IsZero() && q.Get("after") == "" {
		f.Since = h.svc.Org.Now().Add(-7 * 24 * time.Hour)
	}
	if !parseFilter(q.Get("filter"), &f) {
		newError(400, "E0000031", "Invalid search criteria.", `Supported: eventType eq "…" (joined with or), outcome.result, actor.id, actor.alternateId, target.id or target.alternateId eq "…".`).write(w, r)
		return
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			newError(400, "E0000001", "Api validation failed: after", "after must be the cursor from a Link header").write(w, r)
			return
		}
		f.After = n
	}
	evs, err := h.svc.Org.Events(r.Context(), f)
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	w.Header().Add("Link", "<"+h.base+r.URL.Path+"?"+q.Encode()+`>; rel="self"`)
	if len(evs) == f.Limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", strconv.FormatInt(evs[len(evs)-1].Seq, 10))
		w.Header().Add("Link", "<"+h.base+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	out := make([]logEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, newLogEvent(e))
	}
	ok(w, out)
}
