package web

import (
	"context"
	"net/http"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// The phone and code steps, shared by the sign-in and the account pages.

// newPhoneData fills the phone page for the org's default country.
func (h *Handler) newPhoneData(ctx context.Context, l *Locale, heading, intro, action string, existing *mfa.Phone) (*phonePage, error) {
	set, err := h.svc.Org.Settings(ctx)
	if err != nil {
		return nil, err
	}
	p := &phonePage{Heading: heading, Intro: intro, Form: phoneForm{Action: action, Region: set.DefaultRegion, Countries: l.Countries(), Focus: existing == nil}}
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
	p.common = h.refused(r, u, e)
	p.Form.Phone, p.Form.Region, p.Form.Invalid, p.Form.Focus = r.PostFormValue("phone"), r.PostFormValue("country"), true, true
	if p.Form.Region == "" {
		p.Form.Region = "US"
	}
	h.render(w, r, p)
}

// noteSent tells the user, honestly, where the code went. A text that
// could not be sent gets no note: the refusal on the page says why.
func (h *Handler) noteSent(r *http.Request, sent *mfa.Sent) {
	if sent == nil || sent.Delivery.State == mfa.MessageFailed {
		return
	}
	to, l, ctx := phone.Mask(sent.To), h.loc(r), r.Context()
	if sent.Channel == mfa.ChannelVoice {
		if sent.Delivery.State == mfa.MessageSent {
			h.sess.Put(ctx, keyFlash, l.T("We are calling %s. Answer to hear your code.", to))
			return
		}
		h.sess.Put(ctx, keyInfo, l.T("We will call %s shortly. Answer to hear your code.", to))
		return
	}
	if sent.Delivery.State == mfa.MessageSent {
		h.sess.Put(ctx, keyFlash, l.T("We sent a code to %s.", to))
		return
	}
	h.sess.Put(ctx, keyInfo, l.T("Your code is on its way to %s. Text messages can take a minute to arrive.", to))
}

// newCodeData fills the code page for a pending challenge.
func (h *Handler) newCodeData(l *Locale, heading, action, resend string, pending *mfa.Challenge, resendAt time.Time, digits int) *codePage {
	now := h.svc.Org.Now()
	p := &codePage{Heading: heading, Action: action, ResendAction: resend}
	if pending != nil {
		left := pending.Expires.Sub(now).Round(time.Minute)
		if left < time.Minute {
			p.Hint = l.T("Enter the %d-digit code. It expires in less than a minute.", digits)
		} else {
			p.Hint = l.T("Enter the %d-digit code. It expires in %s.", digits, mfa.Duration(left))
		}
	} else {
		p.Hint = l.T("Your last code is no longer valid. Re-send to get a new one.")
	}
	if wait := resendAt.Sub(now); wait > 0 {
		p.ResendIn = int((wait + time.Second - 1) / time.Second)
		p.ResendAt = l.Clock(resendAt)
	}
	return p
}
