package web

import (
	"fmt"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// adminTrafficPage is the telephony dashboard: texts, delivery, entered
// codes and latency over a period, by country and provider, the budget,
// and the ranges and countries the pumping detector acted on.
type adminTrafficPage struct {
	common
	Period    string
	Periods   []periodLink
	D         mfa.Dashboard
	Chart     chart
	Countries []dashRow
	Providers []dashRow
	Total     dashRow
	BudgetPct int
	Active    []fraudRow // throttled now
	Others    []fraudRow // lifted, trusted, expired
	Help      []settingRow
}

func (adminTrafficPage) template() string { return "admin_traffic" }
func (adminTrafficPage) title() string    { return "Traffic" }

type periodLink struct {
	Value, Label string
	Current      bool
}

// dashRow is a country or provider with its figures as text.
type dashRow struct {
	Name                                string
	Texts, Sent, Delivered, Failed, Ver int
	Conversion                          string
	Send, Receipt                       string // "p50 / p95"
}

// fraudRow is a range or country the detector or an admin acted on.
type fraudRow struct {
	mfa.FraudKey
	Until string
}

// chart is a bar chart of texts per hour or day, drawn as SVG by the
// template: each bar stacks delivered, sent and failed texts, with a dot
// for the codes entered.
type chart struct {
	W, H, Top, Bottom float64
	Bars              []bar
	Max               int
	Ticks             []tick
	BudgetY           float64 // the daily budget's line (daily charts), 0 when off the chart
	Verified          string  // polyline points
	Label             string
}

type bar struct {
	X, W   float64
	Rects  []rect
	Title  string
	Label  string
	Labelx float64
}

type rect struct {
	Y, H  float64
	Class string
}

type tick struct {
	Y     float64
	Label string
}

func (p *adminTrafficPage) fill(l *Locale, d mfa.Dashboard, keys []mfa.FraudKey, set mfa.Settings, now time.Time) {
	p.D = d
	for _, tp := range trafficPeriods {
		p.Periods = append(p.Periods, periodLink{tp.Value, l.T(tp.Label), tp.Value == p.Period})
	}
	p.Total = toDashRow(l, l.T("All"), d.Total)
	for _, c := range d.Countries {
		p.Countries = append(p.Countries, toDashRow(l, c.Name, c.DashCounts))
	}
	for _, c := range d.Providers {
		p.Providers = append(p.Providers, toDashRow(l, c.Name, c.DashCounts))
	}
	if d.Budget > 0 {
		p.BudgetPct = min(100*d.SentToday/d.Budget, 100)
	}
	for _, k := range keys {
		row := fraudRow{FraudKey: k, Until: "—"}
		if !k.Until.IsZero() {
			row.Until = k.Until.UTC().Format(l.T("2006-01-02 15:04 UTC"))
		}
		if k.Status == mfa.FraudThrottled && k.Active(now) {
			p.Active = append(p.Active, row)
		} else {
			p.Others = append(p.Others, row)
		}
	}
	for _, def := range mfa.SettingDefs {
		if strings.HasPrefix(def.Name, "fraud_") {
			p.Help = append(p.Help, settingRow{Name: def.Name, Help: def.Help, Default: def.Default})
		}
	}
	p.Chart = drawChart(l, d)
}

func toDashRow(l *Locale, name string, c mfa.DashCounts) dashRow {
	r := dashRow{Name: name, Texts: c.Texts, Sent: c.Sent, Delivered: c.Delivered, Failed: c.Failed, Ver: c.Verified,
		Conversion: "—", Send: "—", Receipt: "—"}
	if c.Texts > 0 {
		r.Conversion = l.T("%d%%", int(100*c.Conversion()+0.5))
	}
	if c.Sent > 0 {
		r.Send = latency(l, c.SendP50) + " / " + latency(l, c.SendP95)
	}
	if c.ReceiptP95 > 0 {
		r.Receipt = latency(l, c.ReceiptP50) + " / " + latency(l, c.ReceiptP95)
	}
	return r
}

func latency(l *Locale, d time.Duration) string {
	if d < time.Second {
		return l.T("%d ms", int(d/time.Millisecond))
	}
	return l.T("%.1f s", d.Seconds())
}

// drawChart lays the dashboard's series out on a 640×220 canvas.
func drawChart(l *Locale, d mfa.Dashboard) chart {
	c := chart{W: 640, H: 220, Top: 10, Bottom: 190, Label: l.T("Texts per hour")}
	if d.Step >= 24*time.Hour {
		c.Label = l.T("Texts per day")
	}
	for _, pt := range d.Series {
		c.Max = max(c.Max, pt.Texts)
	}
	if d.Step >= 24*time.Hour && d.Budget > 0 && d.Budget <= 2*max(c.Max, 1) {
		c.Max = max(c.Max, d.Budget)
	}
	c.Max = niceMax(c.Max)
	left, width := 40.0, 590.0
	y := func(n int) float64 { return c.Bottom - (c.Bottom-c.Top)*float64(n)/float64(c.Max) }
	for i := 0; i <= 4; i++ {
		n := c.Max * i / 4
		c.Ticks = append(c.Ticks, tick{Y: y(n), Label: l.Num(n)})
	}
	if d.Step >= 24*time.Hour && d.Budget <= c.Max {
		c.BudgetY = y(d.Budget)
	}
	n := max(len(d.Series), 1)
	step := width / float64(n)
	var pts []string
	every := max(n/8, 1)
	for i, pt := range d.Series {
		b := bar{X: left + float64(i)*step + step*0.1, W: step * 0.8}
		b.Labelx = b.X + b.W/2
		if i%every == 0 {
			if d.Step >= 24*time.Hour {
				b.Label = pt.Start.Format(l.T("Jan 2"))
			} else {
				b.Label = pt.Start.Format(l.T("15h"))
			}
		}
		other := pt.Texts - pt.Delivered - pt.Failed
		base := 0
		for _, part := range []struct {
			n     int
			class string
		}{{pt.Delivered, "delivered"}, {other, "sent"}, {pt.Failed, "failed"}} {
			if part.n <= 0 {
				continue
			}
			b.Rects = append(b.Rects, rect{Y: y(base + part.n), H: y(base) - y(base+part.n), Class: part.class})
			base += part.n
		}
		b.Title = l.T("%s: %d texts, %d delivered, %d failed, %d codes entered", pt.Start.UTC().Format(l.T("2006-01-02 15:04")), pt.Texts, pt.Delivered, pt.Failed, pt.Verified)
		c.Bars = append(c.Bars, b)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", b.Labelx, y(pt.Verified)))
	}
	c.Verified = strings.Join(pts, " ")
	return c
}

// niceMax rounds n up to 1, 2, 4, 5 or 8 times a power of ten, divisible
// by 4 (the chart has four steps).
func niceMax(n int) int {
	if n <= 4 {
		return 4
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 4, 5, 8} {
			if m*p >= n && (m*p)%4 == 0 {
				return m * p
			}
		}
		if p > 1e9 {
			return n
		}
	}
}
