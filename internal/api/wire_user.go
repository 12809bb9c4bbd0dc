package api

import "smsmfa/internal/mfa"

// user is Okta's User object. The password is never returned: credentials
// show an empty password object when the user has one.
type user struct {
	ID              string      `json:"id"`
	Status          string      `json:"status"`
	Created         string      `json:"created"`
	Activated       *string     `json:"activated"`
	StatusChanged   *string     `json:"statusChanged"`
	LastLogin       *string     `json:"lastLogin"`
	LastUpdated     string      `json:"lastUpdated"`
	PasswordChanged *string     `json:"passwordChanged"`
	Profile         userProfile `json:"profile"`
	Credentials     credentials `json:"credentials"`
	Links           userLinks   `json:"_links"`
}

type userProfile struct {
	Login     string `json:"login"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Locale    string `json:"locale"`
	TimeZone  string `json:"timeZone"`
}

type credentials struct {
	Password *emptyObject       `json:"password,omitempty"`
	Provider credentialProvider `json:"provider"`
}

type credentialProvider struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// userLinks: activate or deactivate by status, unlock while locked.
type userLinks struct {
	Self         link `json:"self"`
	Activate     link `json:"activate,omitzero"`
	Deactivate   link `json:"deactivate,omitzero"`
	Unlock       link `json:"unlock,omitzero"`
	ResetFactors link `json:"resetFactors"`
}

func (h *Handler) user(u *mfa.User) user {
	self := "/api/v1/users/" + u.ID
	links := userLinks{Self: h.link("GET", self), ResetFactors: h.link("POST", self+"/lifecycle/reset_factors")}
	switch u.Status {
	case mfa.UserActive:
		links.Deactivate = h.link("POST", self+"/lifecycle/deactivate")
	default:
		links.Activate = h.link("POST", self+"/lifecycle/activate")
	}
	if u.Locked(h.svc.Org.Now()) {
		links.Unlock = h.link("POST", self+"/lifecycle/unlock")
	}
	status := string(u.Status)
	if u.Status == mfa.UserActive && u.Locked(h.svc.Org.Now()) {
		status = "LOCKED_OUT"
	}
	creds := credentials{Provider: credentialProvider{Type: "OKTA", Name: "OKTA"}}
	if u.PasswordHash != "" {
		creds.Password = &emptyObject{}
	}
	return user{ID: u.ID, Status: status, Created: oktaTime(u.Created), Activated: optTime(u.Activated), StatusChanged: optTime(u.StatusChanged),
		LastLogin: optTime(u.LastLogin), LastUpdated: oktaTime(u.LastUpdated), PasswordChanged: optTime(u.PasswordChanged),
		Profile: userProfile{Login: u.Login, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
			Locale: u.Locale, TimeZone: u.TimeZone},
		Credentials: creds, Links: links}
}
