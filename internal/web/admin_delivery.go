package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

func (h *Handler) adminDelivery(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	q := r.URL.Query()
	f := mfa.MessageFilter{State: mfa.MessageState(q.Get("state")), Provider: strings.TrimSpace(q.Get("provider")), Before: q.Get("before"), Limit: 50}
	states := []mfa.MessageState{mfa.MessageQueued, mfa.MessageSending, mfa.MessageSent, mfa.MessageDelivered, mfa.MessageUndelivered, mfa.MessageFailed, mfa.MessageExpired}
	p := &adminDeliveryPage{common: common{User: u}, States: states, Provider: f.Provider, Number: q.Get("number")}
	if slices.Contains(states, f.State) {
		p.State = string(f.State)
	}
	if n := strings.TrimSpace(q.Get("number")); n != "" {
		num, err := phone.Parse(n, "US")
		if err != nil {
			p.common = common{User: u, Error: h.loc(r).T("Enter the recipient as a phone number, for example +14155550123."), status: http.StatusBadRequest}
			h.render(w, r, p)
			return
		}
		f.Number = num.E164
	}
	recs, err := h.svc.Telephony.DeliveryLog(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, rec := range recs {
		row := deliveryRow{DeliveryRecord: rec, To: phone.Mask(rec.Message.To)}
		if !rec.Sent.IsZero() {
			row.Latency = rec.Sent.Sub(rec.Created).Round(time.Millisecond).String()
		}
		p.Rows = append(p.Rows, row)
	}
	if len(recs) == f.Limit {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("before", recs[len(recs)-1].ID)
		p.Older = "/admin/delivery?" + v.Encode()
	}
	h.render(w, r, p)
}

func (h *Handler) adminOptOuts(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	outs, evs, err := h.svc.Telephony.OptOuts(r.Context(), 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range outs {
		outs[i].Number = phone.Mask(outs[i].Number)
	}
	for i := range evs {
		evs[i].Number = phone.Mask(evs[i].Number)
	}
	h.render(w, r, &adminOptOutsPage{common: common{User: u}, OptOuts: outs, Events: evs})
}
