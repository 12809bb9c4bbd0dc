package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"smsmfa/internal/mfa"
)

// formTime is how a datetime-local field sends a time (seconds optional).
const formTime = "2006-01-02T15:04"

func (h *Handler) adminLog(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	q := r.URL.Query()
	p := &adminLogPage{common: common{User: u}, Query: q.Get("q"), Type: q.Get("type"), Outcome: q.Get("outcome"), Since: q.Get("since"), Until: q.Get("until"),
		Types: mfa.EventTypes, Outcomes: []string{mfa.OutcomeSuccess, mfa.OutcomeFailure, mfa.OutcomeDeny, mfa.OutcomeAllow}}
	f, err := logFilter(q)
	if err != nil {
		p.common = h.refused(r, u, mfa.ErrorOf(err))
		h.render(w, r, p)
		return
	}
	evs, err := h.svc.Org.Events(r.Context(), f)
	if e, ok := isRefusal(err); ok {
		p.common, p.Query = h.refused(r, u, e), mfa.FieldSearch.Clip(p.Query)
		h.render(w, r, p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Events = evs
	if len(evs) == f.Limit {
		q.Set("after", strconv.FormatInt(evs[len(evs)-1].Seq, 10))
		p.Older = "/admin/log?" + q.Encode()
	}
	h.render(w, r, p)
}

// logFilter reads the log's filters. A time or a page cursor that does not
// parse is refused (EInvalid), not dropped.
func logFilter(q url.Values) (mfa.EventFilter, error) {
	f := mfa.EventFilter{Query: q.Get("q"), Outcome: q.Get("outcome"), Limit: 100}
	if t := q.Get("type"); t != "" {
		f.Types = []string{t}
	}
	var err error
	if f.Since, err = queryTime(q, "since"); err != nil {
		return f, err
	}
	if f.Until, err = queryTime(q, "until"); err != nil {
		return f, err
	}
	if a := q.Get("after"); a != "" {
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil {
			return f, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "The link to older events is not valid. Filter again.")
		}
	}
	return f, nil
}

// queryTime reads the time in the query parameter name; empty is the zero time.
func queryTime(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{formTime, formTime + ":05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "The %s time must read like 2026-01-31T09:30.", name)
}
