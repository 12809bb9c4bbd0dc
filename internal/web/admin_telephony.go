package web

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"strings"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms"
)

// Pool is the running SMS provider pool, as the console sees it.
type Pool interface {
	BreakerOpen(name string) bool
	SendTest(ctx context.Context, name, to string) (string, error)
	Reload(ctx context.Context) error
	Add(ctx context.Context, p mfa.ProviderConfig) (*mfa.ProviderConfig, error)
	Env() *mfa.ProviderConfig
	CallbackURL(providerType, name string) string
	// Types lists the provider types the pool can run.
	Types() []string
	// Warning is shown on every admin page while it is not empty (no
	// provider in service: codes cannot be sent).
	Warning() string
}

// defaultProviderType is the type the add-provider form starts with.
const defaultProviderType = "twilio"

func (h *Handler) telephonyRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /admin/providers", h.requireAdmin(h.adminProviders))
	m.HandleFunc("POST /admin/providers", h.requireAdmin(h.adminAddProvider))
	m.HandleFunc("POST /admin/providers/{name}/update", h.requireAdmin(h.adminUpdateProvider))
	m.HandleFunc("POST /admin/providers/{name}/remove", h.requireAdmin(h.adminRemoveProvider))
	m.HandleFunc("POST /admin/providers/{name}/test", h.requireAdmin(h.adminTestProvider))
	m.HandleFunc("GET /admin/templates", h.requireAdmin(h.adminTemplates))
	m.HandleFunc("POST /admin/templates", h.requireAdmin(h.adminSaveTemplate))
	m.HandleFunc("GET /admin/delivery", h.requireAdmin(h.adminDelivery))
	m.HandleFunc("GET /admin/optouts", h.requireAdmin(h.adminOptOuts))
	m.HandleFunc("GET /admin/traffic", h.requireAdmin(h.adminTraffic))
	m.HandleFunc("POST /admin/traffic/ranges", h.requireAdmin(h.adminSetRange))
}

func (h *Handler) providersPage(w http.ResponseWriter, r *http.Request, u *mfa.User, status int, errMsg string, form providerForm) {
	ps, err := h.svc.Telephony.Providers(r.Context(), h.keys)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if env := h.pool.Env(); env != nil {
		ps = append([]mfa.ProviderConfig{*env}, ps...)
	}
	var rows []providerRow
	for _, p := range ps {
		rows = append(rows, providerRow{ProviderConfig: p, Masked: p.MaskedCredentials(), BreakerOpen: h.pool.BreakerOpen(p.Name), Callback: h.pool.CallbackURL(p.Type, p.Name)})
	}
	if form.Type == "" {
		form.Type, form.Priority = defaultProviderType, 100
	}
	h.render(w, r, &adminProvidersPage{common: common{User: u, Error: errMsg, status: status}, Providers: rows, Types: h.pool.Types(), Form: form})
}

func (h *Handler) adminProviders(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.providersPage(w, r, u, http.StatusOK, "", providerForm{})
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *Handler) adminAddProvider(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	var problems []string
	prio := 0 // an empty priority field
	if v := strings.TrimSpace(r.PostFormValue("priority")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, h.loc(r).T("priority must be a whole number"))
		}
		prio = n
	}
	form := providerForm{Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), URL: strings.TrimSpace(r.PostFormValue("url")), Senders: r.PostFormValue("senders"), Priority: prio}
	p := mfa.ProviderConfig{Name: form.Name, Type: form.Type, BaseURL: form.URL, Priority: prio, Credentials: map[string]string{}}
	for _, l := range lines(r.PostFormValue("credentials")) {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			problems = append(problems, h.loc(r).T("credential lines must read KEY=VALUE"))
			continue
		}
		p.Credentials[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	for _, l := range lines(form.Senders) {
		s, err := mfa.ParseSender(l)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		p.Senders = append(p.Senders, s)
	}
	if len(problems) > 0 {
		h.providersPage(w, r, u, http.StatusBadRequest, h.loc(r).T("Nothing was saved: %s", strings.Join(problems, "; ")), form)
		return
	}
	if _, err := h.pool.Add(r.Context(), p); err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.providersPage(w, r, u, statusOf(e), h.loc(r).T("Nothing was saved: %s", h.loc(r).Err(e)), form)
		return
	}
	h.done(w, r, nil, h.loc(r).T("Provider %s added. Messages now go to the configured providers.", p.Name), "/admin/providers")
}

func (h *Handler) adminUpdateProvider(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	prio, err := strconv.Atoi(r.PostFormValue("priority"))
	if err != nil {
		h.done(w, r, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "Priority must be a whole number."), "", "/admin/providers")
		return
	}
	enabled := r.PostFormValue("enabled") == "true"
	_, err = h.svc.Telephony.UpdateProvider(r.Context(), r.PathValue("name"), func(p *mfa.ProviderConfig) { p.Priority, p.Enabled = prio, enabled }, h.keys)
	h.reloaded(w, r, err, h.loc(r).T("Provider %s saved.", r.PathValue("name")))
}

func (h *Handler) adminRemoveProvider(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	err := h.svc.Telephony.RemoveProvider(r.Context(), r.PathValue("name"))
	h.reloaded(w, r, err, h.loc(r).T("Provider %s removed.", r.PathValue("name")))
}

// reloaded ends a provider change: on success (err nil) the running pool
// picks it up at once. The change is stored either way and the pool also
// reloads on its own, so a failed reload is logged and told, not an error.
func (h *Handler) reloaded(w http.ResponseWriter, r *http.Request, err error, msg string) {
	if err == nil {
		if rerr := h.pool.Reload(r.Context()); rerr != nil {
			h.logError(r, "reload providers", rerr)
			h.sess.Put(r.Context(), keyInfo, msg+" "+h.loc(r).T("It takes effect when the providers next reload."))
			redirect(w, r, "/admin/providers")
			return
		}
	}
	h.done(w, r, err, msg, "/admin/providers")
}

func (h *Handler) adminTestProvider(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	name := r.PathValue("name")
	id, err := h.pool.SendTest(r.Context(), name, r.PostFormValue("to"))
	if err != nil {
		h.sess.Put(r.Context(), keyInfo, h.loc(r).T("The test message through %s failed: %s", name, h.errText(r, err)))
	} else {
		h.sess.Put(r.Context(), keyFlash, h.loc(r).T("The test message was accepted by %s (id %s). Check the phone.", name, id))
	}
	redirect(w, r, "/admin/providers")
}

func (h *Handler) templatesPage(w http.ResponseWriter, r *http.Request, u *mfa.User, status int, errMsg, locale, body string, pv *preview) {
	ts, err := h.svc.Telephony.Templates(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if body == "" && locale == "" {
		body = mfa.DefaultTemplate
	}
	h.render(w, r, &adminTemplatesPage{common: common{User: u, Error: errMsg, status: status}, Templates: ts, Locale: locale, Body: body, Preview: pv})
}

func (h *Handler) adminTemplates(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.templatesPage(w, r, u, http.StatusOK, "", "", "", nil)
}

func (h *Handler) adminSaveTemplate(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	locale, body := strings.TrimSpace(r.PostFormValue("locale")), r.PostFormValue("body")
	if r.PostFormValue("action") == "preview" {
		if err := mfa.ValidateTemplate(cmp.Or(locale, "en"), body); err != nil {
			h.templatesPage(w, r, u, http.StatusBadRequest, h.loc(r).Err(mfa.ErrorOf(err)), locale, body, nil)
			return
		}
		text, err := h.svc.Telephony.PreviewTemplate(r.Context(), body)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		enc := sms.Encode(text)
		h.templatesPage(w, r, u, http.StatusOK, "", locale, body, &preview{Text: text, Chars: len([]rune(text)), Encoding: enc.Name, Segments: enc.Segments})
		return
	}
	if err := h.svc.Telephony.SetTemplate(r.Context(), locale, body); err != nil {
		if e, ok := isRefusal(err); ok {
			h.templatesPage(w, r, u, statusOf(e), h.loc(r).Err(e), locale, body, nil)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.done(w, r, nil, h.loc(r).T("Message text for %s saved.", locale), "/admin/templates")
}
