package web

import (
	"net/http"
	"time"

	"smsmfa/internal/mfa"
)

// trafficPeriods are the dashboard's periods, by their query value.
var trafficPeriods = []struct {
	Value, Label string
	Period       time.Duration
}{{"24h", msgKey("Last 24 hours"), 24 * time.Hour}, {"7d", msgKey("Last 7 days"), 7 * 24 * time.Hour}, {"30d", msgKey("Last 30 days"), 30 * 24 * time.Hour}}

func (h *Handler) adminTraffic(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	p := &adminTrafficPage{common: common{User: u}, Period: "24h"}
	period := trafficPeriods[0].Period
	for _, tp := range trafficPeriods {
		if r.URL.Query().Get("period") == tp.Value {
			p.Period, period = tp.Value, tp.Period
		}
	}
	d, err := h.svc.Telephony.Dashboard(r.Context(), period)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keys, err := h.svc.Org.FraudKeys(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	set, err := h.svc.Org.Settings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.fill(h.loc(r), d, keys, set, h.svc.Org.Now())
	h.render(w, r, p)
}

func (h *Handler) adminSetRange(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	setStatus(h, w, r, "key", "/admin/traffic", h.svc.Org.SetFraudKey, map[mfa.FraudStatus]string{
		mfa.FraudAllowed: msgKey("Throttle lifted: codes to this range go out again."), mfa.FraudTrusted: msgKey("Trusted: it will not be throttled."),
		"": msgKey("Rule removed: the detector judges it again.")})
}
