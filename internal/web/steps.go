package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// The phone and code steps, shared by the sign-in and the account pages.

// newPhoneData fills the phone page for the org's default country.
func (h *Handler) newPhoneData(ctx context.Context, heading, intro, action string, existing *mfa.Phone) (*phonePage, error) {
	set, err := h.svc.Org.Settings(ctx)
	if err != nil {
		return nil, err
	}
	p := &phonePage{Heading: heading, Intro: intro, Form: phoneForm{Action: action, Region: set.DefaultRegion, Countries: phone.Countries(), Focus: existing == nil}}
	if existing != nil {
		p.Existing = phone.Mask(existing.Number)
	}
	return p, nil
}

// enrollRequest reads the phone form.
func enrollRequest(r *http.Request) mfa.EnrollRequest {
	if r.PostFormValue("use") == "existing" {
		return mfa.EnrollRequest{}
	}
	return mfa.EnrollRequest{Phone: r.PostFormValue("phone"), Region: r.PostFormValue("country"), UpdatePhone: true}
}

// phoneRefused shows the phone page again with the refusal and what was typed.
func (h *Handler) phoneRefused(w http.ResponseWriter, r *http.Request, u *mfa.User, p *phonePage, e *mfa.Error) {
	p.common = refused(u, e)
	p.Form.Phone, p.Form.Region, p.Form.Invalid, p.Form.Focus = r.PostFormValue("phone"), r.PostFormValue("country"), true, true
	if p.Form.Region == "" {
		p.Form.Region = "US"
	}
	h.render(w, r, p)
}

// noteSent tells the user, honestly, where the code went. A text that
// could not be sent gets no note: the refusal on the page says why.
func (h *Handler) noteSent(ctx context.Context, sent *mfa.Sent) {
	if sent == nil || sent.Delivery.State == mfa.MessageFailed {
		return
	}
	to := phone.Mask(sent.To)
	if sent.Channel == mfa.ChannelVoice {
		if sent.Delivery.State == mfa.MessageSent {
			h.sess.Put(ctx, keyFlash, "We are calling "+to+". Answer to hear your code.")
			return
		}
		h.sess.Put(ctx, keyInfo, "We will call "+to+" shortly. Answer to hear your code.")
		return
	}
	if sent.Delivery.State == mfa.MessageSent {
		h.sess.Put(ctx, keyFlash, "We sent a code to "+to+".")
		return
	}
	h.sess.Put(ctx, keyInfo, "Your code is on its way to "+to+". Text messages can take a minute to arrive.")
}

// newCodeData fills the code page for a pending challenge.
func (h *Handler) newCodeData(heading, action, resend string, pending *mfa.Challenge, resendAt time.Time, digits int) *codePage {
	now := h.svc.Org.Now()
	p := &codePage{Heading: heading, Action: action, ResendAction: resend}
	if pending != nil {
		left := pending.Expires.Sub(now).Round(time.Minute)
		if left < time.Minute {
			p.Hint = fmt.Sprintf("Enter the %d-digit code. It expires in less than a minute.", digits)
		} else {
			p.Hint = fmt.Sprintf("Enter the %d-digit code. It expires in %s.", digits, mfa.HumanDuration(left))
		}
	} else {
		p.Hint = "Your last code is no longer valid. Re-send to get a new one."
	}
	if wait := resendAt.Sub(now); wait > 0 {
		p.ResendIn = int((wait + time.Second - 1) / time.Second)
		p.ResendAt = resendAt.UTC().Format("15:04:05 UTC")
	}
	return p
}
