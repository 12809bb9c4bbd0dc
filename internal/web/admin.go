package web

import (
	"context"
	"net/http"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

func (h *Handler) adminRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /admin", h.requireAdmin(h.adminOverview))
	m.HandleFunc("POST /admin/sms", h.requireAdmin(h.adminSMS))
	m.HandleFunc("POST /admin/factor", h.requireAdmin(h.adminFactor))
	m.HandleFunc("GET /admin/settings", h.requireAdmin(h.adminSettingsPage))
	m.HandleFunc("POST /admin/settings", h.requireAdmin(h.adminSettings))
	m.HandleFunc("GET /admin/users", h.requireAdmin(h.adminUsers))
	m.HandleFunc("POST /admin/users", h.requireAdmin(h.adminCreateUser))
	m.HandleFunc("GET /admin/users/{id}", h.requireAdmin(h.adminUser))
	m.HandleFunc("POST /admin/users/{id}/reset", h.requireAdmin(h.adminResetFactor))
	m.HandleFunc("POST /admin/users/{id}/unlock", h.requireAdmin(h.adminUnlock))
	m.HandleFunc("POST /admin/users/{id}/admin", h.requireAdmin(h.adminSetAdmin))
	m.HandleFunc("GET /admin/numbers", h.requireAdmin(h.adminNumbers))
	m.HandleFunc("POST /admin/numbers", h.requireAdmin(h.adminSetNumber))
	m.HandleFunc("GET /admin/log", h.requireAdmin(h.adminLog))
	m.HandleFunc("GET /admin/tokens", h.requireAdmin(h.adminTokens))
	m.HandleFunc("POST /admin/tokens", h.requireAdmin(h.adminCreateToken))
	m.HandleFunc("POST /admin/tokens/{id}/revoke", h.requireAdmin(h.adminRevokeToken))
	m.HandleFunc("GET /admin/radius", h.requireAdmin(h.adminRadius))
	m.HandleFunc("POST /admin/radius", h.requireAdmin(h.adminAddRadiusClient))
	m.HandleFunc("POST /admin/radius/{id}/remove", h.requireAdmin(h.adminRemoveRadiusClient))
	m.HandleFunc("GET /admin/apps", h.requireAdmin(h.adminApps))
	m.HandleFunc("POST /admin/apps", h.requireAdmin(h.adminCreateApp))
	m.HandleFunc("POST /admin/apps/{id}/remove", h.requireAdmin(h.adminRemoveApp))
}

// done flashes msg (or shows err) and goes back to path.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, err error, msg, path string) {
	if err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.sess.Put(r.Context(), keyInfo, h.loc(r).Err(e))
	} else {
		h.sess.Put(r.Context(), keyFlash, msg)
	}
	redirect(w, r, path)
}

func (h *Handler) adminOverview(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	o, err := h.svc.Org.Overview(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, left, err := h.checklist(r.Context(), h.loc(r), o.SMSEnabled)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	factors, several, err := h.adminFactorRows(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &adminOverviewPage{common: common{User: u},
		Enabled: o.SMSEnabled, SentToday: o.SentToday, Budget: o.Budget, Blocked: o.Blocked, Locked: o.LockedUsers,
		Checklist: items, Remaining: left, Voice: voiceLineOf(o), Factors: factors, Several: several})
}

func (h *Handler) adminSMS(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	on := r.PostFormValue("enabled") == "true"
	msg := h.loc(r).T("SMS authentication is off.")
	if on {
		msg = h.loc(r).T("SMS authentication is on. Users set up Text Message Code at their next sign-in.")
	}
	h.done(w, r, h.svc.Org.SetSMSEnabled(r.Context(), on), msg, "/admin")
}

func (h *Handler) settingRows(vals map[string]string) []settingRow {
	var rows []settingRow
	for _, d := range mfa.SettingDefs {
		rows = append(rows, settingRow{Name: d.Name, Help: d.Help, Default: d.Default, Value: vals[d.Name]})
	}
	return rows
}

func (h *Handler) adminSettingsPage(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	vals, err := h.svc.Org.SettingValues(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &adminSettingsPage{common: common{User: u}, Rows: h.settingRows(vals)})
}

func (h *Handler) adminSettings(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "The form could not be read."))
		return
	}
	changes := map[string]string{}
	for _, d := range mfa.SettingDefs {
		if vs, ok := r.PostForm[d.Name]; ok && len(vs) > 0 {
			changes[d.Name] = vs[0]
		}
	}
	if err := h.svc.Org.UpdateSettings(r.Context(), changes); err != nil {
		e, ok := isRefusal(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		// Show what was typed, with the reasons.
		vals, err := h.svc.Org.SettingValues(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for k, v := range changes {
			vals[k] = v
		}
		h.render(w, r, &adminSettingsPage{common: common{User: u, Error: h.loc(r).T("Nothing was saved: %s", h.loc(r).Err(e)), status: http.StatusBadRequest}, Rows: h.settingRows(vals)})
		return
	}
	h.sess.Put(r.Context(), keyFlash, h.loc(r).T("Settings saved."))
	redirect(w, r, "/admin/settings")
}

func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.usersPage(w, r, &adminUsersPage{common: common{User: u}})
}

// usersPage lists the users the query finds into p (a search that is
// refused is shown as p's error) and shows p.
func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, p *adminUsersPage) {
	p.Query = mfa.FieldSearch.Clip(r.URL.Query().Get("q"))
	const pageSize = 50
	users, err := h.svc.Users.ListUsers(r.Context(), r.URL.Query().Get("q"), r.URL.Query().Get("after"), pageSize+1)
	if e, ok := isRefusal(err); ok {
		if p.Error == "" {
			p.common = h.refused(r, p.User, e)
		}
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(users) > pageSize {
		users = users[:pageSize]
		p.Next = users[pageSize-1].Login
	}
	now := h.svc.Org.Now()
	for _, x := range users {
		p.Users = append(p.Users, userRow{User: x, Locked: x.Locked(now)})
	}
	h.render(w, r, p)
}

func (h *Handler) adminCreateUser(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	form := newUserForm{Login: r.PostFormValue("login"), First: r.PostFormValue("first"), Last: r.PostFormValue("last"), Admin: r.PostFormValue("admin") == "true"}
	nu, err := h.svc.Users.CreateUser(r.Context(), mfa.NewUser{Login: form.Login, Password: r.PostFormValue("password"),
		FirstName: form.First, LastName: form.Last, Admin: form.Admin, Activate: true})
	if e, ok := isRefusal(err); ok {
		// Shown again with what was typed, cut to what the fields hold.
		form.Login, form.First, form.Last = mfa.FieldLogin.Clip(form.Login), mfa.FieldFirstName.Clip(form.First), mfa.FieldLastName.Clip(form.Last)
		h.usersPage(w, r, &adminUsersPage{common: h.refused(r, u, e), Form: form})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, nil, h.loc(r).T("User %s added.", nu.Login), "/admin/users/"+nu.ID)
}

func (h *Handler) adminUser(w http.ResponseWriter, r *http.Request, admin *mfa.User) {
	u, err := h.svc.Users.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, loaded := h.factorState(w, r, u)
	if !loaded {
		return
	}
	// Other accounts that asked for codes to this user's number.
	others, err := h.svc.Org.Events(r.Context(), mfa.EventFilter{Types: []string{mfa.EvNumberEnrolledByOther}, TargetID: u.ID, Limit: 10})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &adminUserPage{common: common{User: admin}, Target: u, Locked: u.Locked(h.svc.Org.Now()), Factor: st.Factor, EnrolledByOthers: others}
	if st.Factor != nil {
		p.FactorPhone = phone.Mask(st.Factor.PhoneNumber)
	}
	if st.Phone != nil {
		p.Phone = phone.Mask(st.Phone.Number)
	}
	if p.TOTP, loaded = h.userTOTP(w, r, u); !loaded {
		return
	}
	if p.RecoveryLeft, err = h.svc.Factors.RecoveryCodesLeft(r.Context(), u.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	ws, err := h.svc.Factors.WebAuthn(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Passkeys = ws.Credentials
	h.render(w, r, p)
}

func (h *Handler) adminResetFactor(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	id := r.PathValue("id")
	h.done(w, r, h.svc.Factors.ResetFactors(r.Context(), id), h.loc(r).T("Factors reset: the user sets up a factor again at the next sign-in (recovery codes removed too)."), "/admin/users/"+id)
}

func (h *Handler) adminUnlock(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	id := r.PathValue("id")
	h.done(w, r, h.svc.Users.Unlock(r.Context(), id), h.loc(r).T("User unlocked."), "/admin/users/"+id)
}

func (h *Handler) adminNumbers(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	ns, err := h.svc.Org.Numbers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]numberRow, 0, len(ns))
	for _, n := range ns {
		row := numberRow{Number: n}
		if n.Status == mfa.NumberBlocked { // who keeps signing in on it
			if row.Users, err = h.svc.Org.NumberUsers(r.Context(), n.Number); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		rows = append(rows, row)
	}
	h.render(w, r, &adminNumbersPage{common: common{User: u}, Numbers: rows})
}

func (h *Handler) adminSetNumber(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	setStatus(h, w, r, "number", "/admin/numbers", h.svc.Org.SetNumberStatus,
		map[mfa.NumberStatus]string{mfa.NumberTrusted: msgKey("Number trusted."), mfa.NumberCleared: msgKey("Number unblocked."), "": msgKey("Number no longer trusted.")})
}

// setStatus applies the form's status (a key of msgs; any other is
// refused) to the form's field with set, and answers with its message.
func setStatus[S ~string](h *Handler, w http.ResponseWriter, r *http.Request, field, back string, set func(context.Context, string, S) error, msgs map[S]string) {
	status := S(r.PostFormValue("status"))
	msg, ok := msgs[status]
	if !ok {
		h.done(w, r, mfa.Errorf(mfa.EInvalid, mfa.RInvalidInput, "Unknown status."), "", back)
		return
	}
	h.done(w, r, set(r.Context(), r.PostFormValue(field), status), h.loc(r).T(msg), back)
}

func (h *Handler) adminTokens(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	h.tokensPage(w, r, u, "")
}

// tokensPage lists the tokens; a new token is shown once, in the answer to
// the form that created it (never stored in the session).
func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request, u *mfa.User, newToken string) {
	ts, err := h.svc.Tokens.Tokens(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, &adminTokensPage{common: common{User: u}, Tokens: ts, New: newToken})
}

func (h *Handler) adminCreateToken(w http.ResponseWriter, r *http.Request, u *mfa.User) {
	_, clear, err := h.svc.Tokens.CreateToken(r.Context(), r.PostFormValue("name"), u.ID)
	if err != nil {
		h.done(w, r, err, "", "/admin/tokens")
		return
	}
	h.tokensPage(w, r, u, clear)
}

func (h *Handler) adminRevokeToken(w http.ResponseWriter, r *http.Request, _ *mfa.User) {
	h.done(w, r, h.svc.Tokens.RevokeToken(r.Context(), r.PathValue("id")), h.loc(r).T("Token revoked."), "/admin/tokens")
}
