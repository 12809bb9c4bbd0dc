package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// formLink is a small form with one button (back, cancel, …).
type formLink struct{ Method, URL, Label string }

// phoneForm is the country picker and number field.
type phoneForm struct {
	Action    string
	Region    string
	Phone     string
	Invalid   bool
	Focus     bool
	Countries []phone.Country
}

// phoneData is the phone entry page.
type phoneData struct {
	Heading  string
	Intro    string
	Existing string // the verified number on file, masked
	Form     phoneForm
	Back     *formLink
}

// codeData is the code entry page.
type codeData struct {
	Heading      string
	Hint         string
	Action       string
	ResendAction string
	ResendIn     int
	ResendAt     string
	Back         *formLink
	Cancel       *formLink
}

// newPhoneData fills the phone page for the org's default country.
func (h *Handler) newPhoneData(ctx context.Context, heading, intro, action string, existing *mfa.Phone) phoneData {
	set, _ := h.svc.Org.Settings(ctx)
	d := phoneData{Heading: heading, Intro: intro, Form: phoneForm{Action: action, Region: set.DefaultRegion, Countries: phone.Countries(), Focus: existing == nil}}
	if existing != nil {
		d.Existing = phone.Mask(existing.Number)
	}
	return d
}

// enrollRequest reads the phone form.
func enrollRequest(r *http.Request) mfa.EnrollRequest {
	if r.PostFormValue("use") == "existing" {
		return mfa.EnrollRequest{}
	}
	return mfa.EnrollRequest{Phone: r.PostFormValue("phone"), Region: r.PostFormValue("country"), UpdatePhone: true}
}

// phoneRefused shows the phone page again with the refusal and what was typed.
func (h *Handler) phoneRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, d phoneData, e *mfa.Error) {
	d.Form.Phone, d.Form.Region, d.Form.Invalid, d.Form.Focus = r.PostFormValue("phone"), r.PostFormValue("country"), true, true
	if d.Form.Region == "" {
		d.Form.Region = "US"
	}
	h.render(w, r, statusOf(e), "phone", d.Heading, u, e.Message, d)
}

// noteSent tells the user, honestly, where the code went.
func (h *Handler) noteSent(ctx context.Context, sent *mfa.Sent) {
	if sent == nil {
		return
	}
	to := phone.Mask(sent.To)
	if sent.Delivery.State == mfa.MessageSent {
		h.sess.Put(ctx, keyFlash, "We sent a code to "+to+".")
		return
	}
	h.sess.Put(ctx, keyInfo, "Your code is on its way to "+to+". Text messages can take a minute to arrive.")
}

// newCodeData fills the code page for a pending challenge.
func (h *Handler) newCodeData(heading, action, resend string, pending *mfa.Challenge, resendAt time.Time, digits int) codeData {
	now := h.svc.Org.Now()
	d := codeData{Heading: heading, Action: action, ResendAction: resend}
	if pending != nil {
		left := pending.Expires.Sub(now).Round(time.Minute)
		if left < time.Minute {
			d.Hint = fmt.Sprintf("Enter the %d-digit code. It expires in less than a minute.", digits)
		} else {
			d.Hint = fmt.Sprintf("Enter the %d-digit code. It expires in %s.", digits, mfa.HumanDuration(left))
		}
	} else {
		d.Hint = "Your last code is no longer valid. Re-send to get a new one."
	}
	if wait := resendAt.Sub(now); wait > 0 {
		d.ResendIn = int((wait + time.Second - 1) / time.Second)
		d.ResendAt = resendAt.UTC().Format("15:04:05 UTC")
	}
	return d
}
