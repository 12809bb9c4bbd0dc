package web

import (
	"net/http"
	"strconv"
	"time"

	"smsmfa/internal/mfa"
)

const formTime = "2006-01-02T15:04"

func (h *Handler) adminLog(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	q := r.URL.Query()
	p := &adminLogPage{common: common{User: u}, Query: q.Get("q"), Type: q.Get("type"), Outcome: q.Get("outcome"), Since: q.Get("since"), Until: q.Get("until"),
		Types: mfa.EventTypes, Outcomes: []string{mfa.OutcomeSuccess, mfa.OutcomeFailure, mfa.OutcomeDeny, mfa.OutcomeAllow}}
	f := mfa.EventFilter{Query: q.Get("q"), Outcome: q.Get("outcome"), Limit: 100}
	if t := q.Get("type"); t != "" {
		f.Types = []string{t}
	}
	if t, err := time.Parse(formTime, q.Get("since")); err == nil {
		f.Since = t
	}
	if t, err := time.Parse(formTime, q.Get("until")); err == nil {
		f.Until = t
	}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	evs, err := h.svc.Events(r.Context(), f)
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
