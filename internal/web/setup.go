package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"smsmfa/internal/mfa"
)

// First run: while the organisation has no active administrator, the
// start page and the sign-in page lead to /setup, which creates the first
// one (mfa.Users.SetupAdmin decides, in the database, so every instance
// agrees). Once an admin exists /setup sends the browser to sign in.

// needsSetup reports whether the organisation has no active
// administrator. Once one exists it is remembered: an organisation does
// not go back to having none (the last admin cannot be demoted), and a
// restart finds out anew if it did.
func (h *Handler) needsSetup(ctx context.Context) (bool, error) {
	if h.setupDone.Load() {
		return false, nil
	}
	need, err := h.svc.Users.NeedsSetup(ctx)
	if err == nil && !need {
		h.setupDone.Store(true)
	}
	return need, err
}

// toSetup sends the browser to /setup while setup is needed, and reports
// whether it did (or failed).
func (h *Handler) toSetup(w http.ResponseWriter, r *http.Request) bool {
	need, err := h.needsSetup(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	if need {
		redirect(w, r, "/setup")
	}
	return need
}

// local reports whether r comes from the server's own machine: its client
// address (after the trusted proxies) is a loopback address, it was sent
// to a loopback name (a page of another site whose name was rebound to
// 127.0.0.1 still sends that site's name: DNS rebinding), and it names no
// forwarded client. A reverse proxy on the same machine adds
// X-Forwarded-For or Forwarded, so its clients are not local.
func local(r *http.Request) bool {
	a, err := netip.ParseAddr(mfa.ClientFrom(r.Context()).IP)
	if err != nil || !a.Unmap().IsLoopback() {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = h
	}
	if ha, err := netip.ParseAddr(strings.Trim(host, "[]")); !strings.EqualFold(host, "localhost") && (err != nil || !ha.Unmap().IsLoopback()) {
		return false
	}
	for _, hd := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Client-Ip", "True-Client-Ip", "Cf-Connecting-Ip"} {
		if r.Header.Get(hd) != "" {
			return false
		}
	}
	return true
}

func (h *Handler) setupPage(w http.ResponseWriter, r *http.Request) {
	need, err := h.needsSetup(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !need {
		redirect(w, r, "/login")
		return
	}
	h.render(w, r, &setupPage{Local: local(r)})
}

func (h *Handler) setup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	need, err := h.needsSetup(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !need {
		h.sess.Put(ctx, keyInfo, h.loc(r).T("Setup is complete: this organisation has an administrator. Sign in."))
		redirect(w, r, "/login")
		return
	}
	p := setupPage{Local: local(r), Login: mfa.FieldLogin.Clip(r.PostFormValue("login")),
		First: mfa.FieldFirstName.Clip(r.PostFormValue("first")), Last: mfa.FieldLastName.Clip(r.PostFormValue("last"))}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		p.common = common{Error: h.loc(r).T("The two passwords differ. Type the same password twice."), status: http.StatusBadRequest}
		h.render(w, r, &p)
		return
	}
	// The sign-in form's per-address budget, before any work.
	if l, err := h.svc.Org.CountRequest(ctx, mfa.AuthnRequest, mfa.ClientFrom(ctx).IP); err != nil {
		h.fail(w, r, err)
		return
	} else if !l.OK {
		p.common = common{Error: h.loc(r).T("Too many attempts from your network. Wait a minute, then try again."), status: http.StatusTooManyRequests, retry: l.Reset}
		h.render(w, r, &p)
		return
	}
	u, err := h.svc.Users.SetupAdmin(ctx, mfa.SetupRequest{Local: p.Local, Code: r.PostFormValue("code"),
		Login: r.PostFormValue("login"), Password: r.PostFormValue("password"), FirstName: r.PostFormValue("first"), LastName: r.PostFormValue("last")})
	if e, ok := isRefusal(err); ok {
		if e.Reason == mfa.RSetupDone {
			h.setupDone.Store(true)
			h.sess.Put(ctx, keyInfo, h.loc(r).Err(e))
			redirect(w, r, "/login")
			return
		}
		p.common = h.refused(r, nil, e)
		h.render(w, r, &p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setupDone.Store(true)
	if err := h.startSession(ctx, u, h.svc.Org.Now(), mfa.AMR{"pwd"}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.sess.Put(ctx, keyFlash, h.loc(r).T("Welcome, %s: you are the administrator. Here is what is left to set up.", u.DisplayName()))
	seeOther(w, r, "/admin")
}

// checklist is the console's getting-started list, from the real state.
func (h *Handler) checklist(ctx context.Context, l *Locale, smsOn bool) ([]checkItem, int, error) {
	var items []checkItem
	items = append(items, checkItem{Label: l.T("Turn SMS authentication on"), Done: smsOn,
		Hint: l.T("Until then users sign in with their password only."), Link: "#sms-h", LinkLabel: l.T("SMS authentication, below")})

	provider := checkItem{Label: l.T("Add an SMS provider"), Hint: l.T("Twilio, Vonage, AWS or a webhook: where the codes are sent."),
		Link: "/admin/providers", LinkLabel: l.T("SMS providers")}
	if h.pool != nil {
		provider.Done = h.pool.Warning() == ""
	}
	if h.dev != nil {
		provider.Label = l.T("Use the development inbox (running with --dev)")
		provider.Hint = l.T("Texts are not sent: they appear in the development inbox. Add a provider before going live.")
		provider.Link, provider.LinkLabel = "/dev/sms", l.T("Development inbox")
	}
	items = append(items, provider)

	test := checkItem{Label: l.T("Send a test message"), Hint: l.T("From the providers page: the test button of a provider."),
		Link: "/admin/providers", LinkLabel: l.T("SMS providers")}
	if h.dev != nil {
		test.Hint = l.T("Set up Text Message Code on your own account: the code appears in the development inbox.")
		test.Link, test.LinkLabel = "/account", l.T("Your account")
	}
	sent, err := h.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{mfa.EvProviderTest}, Outcome: mfa.OutcomeSuccess, Limit: 1})
	if err != nil {
		return nil, 0, err
	}
	test.Done = len(sent) > 0
	for _, st := range []mfa.MessageState{mfa.MessageSent, mfa.MessageDelivered} {
		if test.Done {
			break
		}
		msgs, err := h.svc.Telephony.DeliveryLog(ctx, mfa.MessageFilter{State: st, Limit: 1})
		if err != nil {
			return nil, 0, err
		}
		test.Done = len(msgs) > 0
	}
	items = append(items, test)

	users, err := h.svc.Users.ListUsers(ctx, "", "", 2)
	if err != nil {
		return nil, 0, err
	}
	items = append(items, checkItem{Label: l.T("Invite users"), Hint: l.T("Add the people who sign in; they set up their phone at their first sign-in."),
		Done: len(users) > 1, Link: "/admin/users", LinkLabel: l.T("Users")})

	left := 0
	for _, it := range items {
		if !it.Done {
			left++
		}
	}
	return items, left, nil
}
