package mfa

import (
	"context"
	"crypto/subtle"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"smsmfa/internal/secret"
)

// insertProvider stores a new provider and records it.
func (s *Configs) insertProvider(ctx context.Context, tx Tx, p ProviderConfig) error {
	now := s.clock.Now()
	p.ID, p.Created, p.Updated = s.newID("prv"), now, now
	for i := range p.Senders {
		p.Senders[i].ID, p.Senders[i].ProviderID = s.newID("snd"), p.ID
	}
	if err := tx.InsertProvider(ctx, StoredProvider{ProviderConfig: p, SealedCredentials: SealCredentials(s.sealer, p.ID, p.Credentials)}); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: EvProviderAdd, Target: Party{ID: p.ID, Type: "SmsProvider", AlternateID: p.Name}, Outcome: OutcomeSuccess,
		Message: "SMS provider added", Details: withApply(map[string]string{"type": p.Type, "senders": strconv.Itoa(len(p.Senders)), "priority": strconv.Itoa(p.Priority)})})
}

// providerChanges names what differs between two providers (credentials by
// name only).
func providerChanges(old, p ProviderConfig) []string {
	var out []string
	if old.Type != p.Type {
		out = append(out, "type "+old.Type+" -> "+p.Type)
	}
	if old.BaseURL != p.BaseURL {
		out = append(out, "url "+quoteEmpty(shownURL(old.BaseURL))+" -> "+quoteEmpty(shownURL(p.BaseURL)))
	}
	if old.Priority != p.Priority {
		out = append(out, "priority "+strconv.Itoa(old.Priority)+" -> "+strconv.Itoa(p.Priority))
	}
	if old.Enabled != p.Enabled {
		out = append(out, "enabled "+boolText(old.Enabled)+" -> "+boolText(p.Enabled))
	}
	if a, b := senderList(old.Senders), senderList(p.Senders); a != b {
		out = append(out, "senders "+quoteEmpty(a)+" -> "+quoteEmpty(b))
	}
	for _, k := range slices.Sorted(maps.Keys(old.Credentials)) {
		if v, ok := p.Credentials[k]; !ok {
			out = append(out, "credentials."+k+" removed")
		} else if subtle.ConstantTimeCompare([]byte(v), []byte(old.Credentials[k])) != 1 {
			out = append(out, "credentials."+k+" changed")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p.Credentials)) {
		if _, ok := old.Credentials[k]; !ok {
			out = append(out, "credentials."+k+" added")
		}
	}
	return out
}

func senderList(ss []Sender) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return strings.Join(out, " ")
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// diffApps matches the wanted apps to the stored ones (by client id, else
// by name) and returns the steps.
func (s *Configs) diffApps(cur, want []AppConfig, gone func(kind, name string, do func(ctx context.Context, tx Tx) error)) ([]configStep, error) {
	var steps []configStep
	left := slices.Clone(cur)
	find := func(w AppConfig) (AppConfig, bool) {
		i := slices.IndexFunc(left, func(a AppConfig) bool {
			if w.ClientID != "" {
				return a.ClientID == w.ClientID
			}
			return a.Name == w.Name
		})
		if i < 0 {
			return AppConfig{}, false
		}
		a := left[i]
		left = slices.Delete(left, i, i+1)
		return a, true
	}
	for i, w := range want {
		old, ok := find(w)
		if !ok {
			if !w.Public && w.Secret == "" {
				return nil, &ConfigInvalid{[]ConfigProblem{{Section: "oidc_apps", Index: i, Field: "client_secret",
					Message: fmt.Sprintf("the new confidential application %q needs client_secret (a ${ENV} reference)", w.Name)}}}
			}
			a := App{ID: w.ClientID, Name: w.Name, RedirectURIs: w.RedirectURIs, LogoutURIs: w.LogoutURIs, Public: w.Public}
			kind := "confidential"
			if w.Public {
				kind = "public"
			}
			steps = append(steps, configStep{ConfigDiff{ConfigAdd, "app", w.Name, kind}, func(ctx context.Context, tx Tx) error {
				if a.ID == "" {
					a.ID = s.newID("0oa")
				}
				a.Created = s.clock.Now()
				if !a.Public {
					a.SecretHash = secret.HashToken(w.Secret)
				}
				if err := tx.InsertApp(ctx, a); err != nil {
					return err
				}
				return s.record(ctx, tx, Event{Type: EvAppCreate, Target: appParty(a), Outcome: OutcomeSuccess, Message: "Application created",
					Details: withApply(map[string]string{"client_type": kind, "redirect_uris": strings.Join(a.RedirectURIs, " ")})})
			}})
			continue
		}
		var changes []string
		if old.Name != w.Name {
			changes = append(changes, "name "+old.Name+" -> "+w.Name)
		}
		if !slices.Equal(old.RedirectURIs, w.RedirectURIs) {
			changes = append(changes, "redirect_uris")
		}
		if !slices.Equal(old.LogoutURIs, w.LogoutURIs) {
			changes = append(changes, "logout_uris")
		}
		hash := old.secretHash
		if old.Public != w.Public {
			changes = append(changes, "public "+boolText(old.Public)+" -> "+boolText(w.Public))
			if w.Public {
				hash = nil
			} else if w.Secret == "" {
				return nil, &ConfigInvalid{[]ConfigProblem{{Section: "oidc_apps", Index: i, Field: "client_secret",
					Message: fmt.Sprintf("the application %q becomes confidential and needs client_secret (a ${ENV} reference)", w.Name)}}}
			}
		}
		if !w.Public && w.Secret != "" {
			if h := secret.HashToken(w.Secret); subtle.ConstantTimeCompare(h, old.secretHash) != 1 {
				hash = h
				if old.Public == w.Public {
					changes = append(changes, "client_secret changed")
				}
			}
		}
		if len(changes) == 0 {
			continue
		}
		a := App{ID: old.ClientID, Name: w.Name, RedirectURIs: w.RedirectURIs, LogoutURIs: w.LogoutURIs, Public: w.Public, SecretHash: hash}
		detail := strings.Join(changes, ", ")
		steps = append(steps, configStep{ConfigDiff{ConfigChange, "app", old.Name, detail}, func(ctx context.Context, tx Tx) error {
			if err := tx.UpdateApp(ctx, a); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvAppUpdate, Target: appParty(a), Outcome: OutcomeSuccess, Message: "Application changed",
				Details: withApply(map[string]string{"changed": detail})})
		}})
	}
	for _, a := range left {
		app := App{ID: a.ClientID, Name: a.Name}
		gone("app", a.Name, func(ctx context.Context, tx Tx) error {
			if err := tx.DeleteApp(ctx, app.ID); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvAppDelete, Target: appParty(app), Outcome: OutcomeSuccess, Message: "Application removed; its tokens are revoked", Details: withApply(nil)})
		})
	}
	return steps, nil
}

// shownURL is u as a diff and the system log show it: without user
// information and query, which can carry a token.
func shownURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return p.String()
}
