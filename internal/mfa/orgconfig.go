package mfa

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"smsmfa/internal/fraud"
	"smsmfa/internal/phone"
)

// Event types of configuration applied as a whole.
const (
	EvAppUpdate          = "application.lifecycle.update"
	EvRadiusClientUpdate = "system.radius_client.update"
)

// OrgConfig is the org's configuration as a whole, as `smsmfa apply` sets
// it and `smsmfa export` reads it: settings, SMS providers, message
// templates, number rules, trusted ranges, OIDC applications and RADIUS
// clients. Secrets in it are in clear (in memory only).
type OrgConfig struct {
	// Settings are name → value; a setting not named is left as it is.
	Settings  map[string]string
	Providers []ProviderConfig
	Templates []Template
	// Numbers are the admin's (and the detector's) rules on single numbers:
	// trusted, blocked or cleared.
	Numbers []Number
	// TrustedRanges are the number ranges and countries never throttled
	// (fraud keys in the form the console takes: "+44791112", "GB").
	TrustedRanges []string
	Apps          []AppConfig
	RadiusClients []RadiusClientConfig
}

// AppConfig is an OIDC application in an OrgConfig.
type AppConfig struct {
	// ClientID is the app's client id; empty: the app of that name, or a
	// new id.
	ClientID     string
	Name         string
	RedirectURIs []string
	LogoutURIs   []string
	Public       bool
	// Secret is a confidential app's secret in clear; empty keeps the
	// stored one (a new confidential app needs one).
	Secret string
	// secretHash is the stored hash, read by Current.
	secretHash []byte
}

// RadiusClientConfig is a RADIUS client in an OrgConfig.
type RadiusClientConfig struct {
	Name    string
	Address string
	Secret  string
}

// ConfigProblem is one thing wrong in a configuration: Section names the
// part ("settings.code_length", "providers", …), Index the item of a list
// (-1: none), Field the item's field ("" for the item).
type ConfigProblem struct {
	Section string
	Index   int
	Field   string
	Message string
}

// ConfigInvalid is the refusal of a configuration with every problem.
type ConfigInvalid struct{ Problems []ConfigProblem }

func (e *ConfigInvalid) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s[%d].%s: %s", p.Section, p.Index, p.Field, p.Message)
	}
	return b.String()
}

// ConfigOp is what a change does.
type ConfigOp string

// Change operations.
const (
	ConfigAdd    ConfigOp = "+"
	ConfigChange ConfigOp = "~"
	ConfigRemove ConfigOp = "-"
	ConfigKept   ConfigOp = "=" // in the database, not in the file: kept
)

// ConfigDiff is one change between the database and a configuration.
type ConfigDiff struct {
	Op     ConfigOp
	Kind   string // "settings", "provider", "template", "number", "trusted-range", "app", "radius-client"
	Name   string
	Detail string // what changed (never a secret's value)
}

// String is the change as apply prints it: "+ provider twilio-eu",
// "~ settings.code_lifetime: 300s -> 600s", "= radius-client vpn1: not in file (kept)".
func (d ConfigDiff) String() string {
	if d.Kind == "settings" {
		return string(d.Op) + " settings." + d.Name + ": " + d.Detail
	}
	s := string(d.Op) + " " + d.Kind + " " + d.Name
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}

// Configs reads and applies the org's configuration as a whole.
type Configs struct {
	*core
	kinds  ProviderKinds
	opener Opener
}

// NewConfigs returns the configuration service; c needs a Sealer and the
// ProviderKinds, and an Opener (or a Sealer that is one) to read secrets.
func NewConfigs(c Config) *Configs {
	s := &Configs{core: newCore(c), kinds: c.ProviderKinds, opener: c.Opener}
	if s.opener == nil {
		s.opener, _ = c.Sealer.(Opener)
	}
	s.require("Configs", c.Sealer != nil, c.ProviderKinds != nil)
	return s
}

// Current reads the org's configuration, secrets opened.
func (s *Configs) Current(ctx context.Context) (OrgConfig, error) {
	return load(ctx, s.core, func(tx Tx) (OrgConfig, error) { return s.current(ctx, tx) })
}

func (s *Configs) current(ctx context.Context, tx Tx) (OrgConfig, error) {
	var c OrgConfig
	if s.opener == nil {
		return c, errors.New("configs: no Opener to read the secrets with")
	}
	stored, err := tx.LoadSettings(ctx)
	if err != nil {
		return c, err
	}
	c.Settings = SettingValues(stored)
	ps, err := tx.ListProviders(ctx)
	if err != nil {
		return c, err
	}
	for _, p := range ps {
		pc := p.ProviderConfig
		if pc.Credentials, err = OpenCredentials(s.opener, p.ID, p.SealedCredentials); err != nil {
			return c, fmt.Errorf("provider %s: credentials cannot be decrypted (was the master key changed?): %w", p.Name, err)
		}
		c.Providers = append(c.Providers, pc)
	}
	sort.SliceStable(c.Providers, func(i, j int) bool {
		a, b := c.Providers[i], c.Providers[j]
		return a.Priority < b.Priority || a.Priority == b.Priority && a.Name < b.Name
	})
	if c.Templates, err = tx.ListTemplates(ctx); err != nil {
		return c, err
	}
	slices.SortFunc(c.Templates, func(a, b Template) int { return strings.Compare(a.Locale, b.Locale) })
	if c.Numbers, err = tx.ListNumbers(ctx); err != nil {
		return c, err
	}
	slices.SortFunc(c.Numbers, func(a, b Number) int { return strings.Compare(a.Number, b.Number) })
	keys, err := tx.ListFraudKeys(ctx)
	if err != nil {
		return c, err
	}
	for _, k := range keys {
		if k.Status == FraudTrusted {
			c.TrustedRanges = append(c.TrustedRanges, k.Label())
		}
	}
	slices.Sort(c.TrustedRanges)
	apps, err := tx.ListApps(ctx)
	if err != nil {
		return c, err
	}
	for _, a := range apps {
		c.Apps = append(c.Apps, AppConfig{ClientID: a.ID, Name: a.Name, RedirectURIs: a.RedirectURIs, LogoutURIs: a.LogoutURIs, Public: a.Public, secretHash: a.SecretHash})
	}
	rcs, err := tx.ListRadiusClients(ctx)
	if err != nil {
		return c, err
	}
	for _, r := range rcs {
		b, err := s.opener.Open(r.SealedSecret, RadiusSecretContext(r.ID))
		if err != nil {
			return c, fmt.Errorf("RADIUS client %s: secret cannot be decrypted (was the master key changed?): %w", r.Name, err)
		}
		c.RadiusClients = append(c.RadiusClients, RadiusClientConfig{Name: r.Name, Address: r.Prefix.String(), Secret: string(b)})
	}
	return c, nil
}

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// Check normalises want in place with the rules the console and the
// commands use, and lists every problem.
func (s *Configs) Check(want *OrgConfig) []ConfigProblem { return CheckOrgConfig(want, s.kinds) }

// CheckOrgConfig is Configs.Check with the provider types of kinds.
func CheckOrgConfig(want *OrgConfig, kinds ProviderKinds) []ConfigProblem {
	var out []ConfigProblem
	add := func(section string, i int, field string, err error) {
		msg := err.Error()
		if e, ok := errors.AsType[*Error](err); ok {
			msg = strings.TrimSpace(e.Message)
		}
		out = append(out, ConfigProblem{Section: section, Index: i, Field: field, Message: msg})
	}
	region := "US"
	for _, name := range slices.Sorted(maps.Keys(want.Settings)) {
		def, ok := SettingByName(name)
		if !ok {
			add("settings", -1, name, fmt.Errorf("unknown setting %q", name))
			continue
		}
		v, err := FieldSettingValue.Check(want.Settings[name])
		if err == nil {
			v, err = def.Normalize(v)
		} else {
			err = fmt.Errorf("%s must be at most %d characters", name, FieldSettingValue.Max)
		}
		if err != nil {
			add("settings", -1, name, err)
			continue
		}
		want.Settings[name] = v
		if name == "default_region" {
			region = v
		}
	}
	seen := map[string]bool{}
	for i := range want.Providers {
		p := &want.Providers[i]
		if p.Credentials == nil {
			p.Credentials = map[string]string{}
		}
		if err := CheckProvider(p, kinds); err != nil {
			add("providers", i, "", err)
		}
		if seen[p.Name] {
			add("providers", i, "name", fmt.Errorf("a provider named %q comes twice", p.Name))
		}
		seen[p.Name] = true
	}
	seen = map[string]bool{}
	for i := range want.Templates {
		t := &want.Templates[i]
		t.Locale = strings.ReplaceAll(strings.TrimSpace(t.Locale), "-", "_")
		t.Body = strings.TrimSpace(CleanText(t.Body, true))
		if err := ValidateTemplate(t.Locale, t.Body); err != nil {
			add("templates", i, "", err)
		}
		if seen[t.Locale] {
			add("templates", i, "", fmt.Errorf("the locale %q comes twice", t.Locale))
		}
		seen[t.Locale] = true
	}
	seen = map[string]bool{}
	for i := range want.Numbers {
		n := &want.Numbers[i]
		e, err := phone.Parse(n.Number, region)
		if err != nil {
			add("numbers", i, "number", errors.New("enter a phone number with its country code"))
			continue
		}
		n.Number = e.E164
		if !slices.Contains([]NumberStatus{NumberTrusted, NumberBlocked, NumberCleared}, n.Status) {
			add("numbers", i, "status", fmt.Errorf("status must be trusted, blocked or cleared (got %q)", n.Status))
		}
		if seen[n.Number] {
			add("numbers", i, "number", fmt.Errorf("the number %s comes twice", n.Number))
		}
		seen[n.Number] = true
	}
	seen = map[string]bool{}
	for i, r := range want.TrustedRanges {
		key, ok := fraud.ParseKey(r)
		if !ok {
			add("trusted_ranges", i, "", errors.New("enter a number range with its country code (such as +44791112) or a two-letter country code (such as GB)"))
			continue
		}
		want.TrustedRanges[i] = fraud.Label(key)
		if seen[key] {
			add("trusted_ranges", i, "", fmt.Errorf("%s comes twice", r))
		}
		seen[key] = true
	}
	seen = map[string]bool{}
	for i := range want.Apps {
		a := &want.Apps[i]
		checked, err := CheckApp(NewApp{Name: a.Name, RedirectURIs: a.RedirectURIs, LogoutURIs: a.LogoutURIs, Public: a.Public})
		if err != nil {
			add("oidc_apps", i, "", err)
			continue
		}
		a.Name, a.RedirectURIs, a.LogoutURIs = checked.Name, checked.RedirectURIs, checked.LogoutURIs
		if a.ClientID != "" && !clientIDPattern.MatchString(a.ClientID) {
			add("oidc_apps", i, "client_id", errors.New("a client id is 6 to 64 letters, digits, - or _"))
		}
		if a.Public && a.Secret != "" {
			add("oidc_apps", i, "client_secret", errors.New("a public application has no secret"))
		}
		if !a.Public && a.Secret != "" && len(a.Secret) < 32 {
			add("oidc_apps", i, "client_secret", errors.New("a client secret must be at least 32 characters"))
		}
		id := "id:" + a.ClientID
		if a.ClientID == "" {
			id = "name:" + a.Name
		}
		if seen[id] {
			add("oidc_apps", i, "", fmt.Errorf("the application %s comes twice", strings.TrimPrefix(strings.TrimPrefix(id, "id:"), "name:")))
		}
		seen[id] = true
	}
	seen = map[string]bool{}
	for i := range want.RadiusClients {
		r := &want.RadiusClients[i]
		name, prefix, err := CheckRadiusClient(r.Name, r.Address, r.Secret)
		if err != nil {
			add("radius_clients", i, "", err)
			continue
		}
		r.Name, r.Address = name, prefix.String()
		if seen[name] || seen[r.Address] {
			add("radius_clients", i, "", fmt.Errorf("a RADIUS client named %q or with the address %s comes twice", name, r.Address))
		}
		seen[name], seen[r.Address] = true, true
	}
	return out
}

// configStep is one change and the work that makes it.
type configStep struct {
	ConfigDiff
	do func(ctx context.Context, tx Tx) error
}

// Plan checks want and returns the changes applying it would make, without
// making them. prune lists the kinds of objects (ConfigDiff.Kind) removed
// when not in want; the others are kept. Refusal: *ConfigInvalid with every problem.
func (s *Configs) Plan(ctx context.Context, want OrgConfig, prune []string) ([]ConfigDiff, error) {
	if ps := s.Check(&want); len(ps) > 0 {
		return nil, &ConfigInvalid{ps}
	}
	var out []ConfigDiff
	var invalid *ConfigInvalid
	err := s.view(ctx, func(tx Tx) error {
		steps, err := s.diff(ctx, tx, want, prune)
		if ci, ok := errors.AsType[*ConfigInvalid](err); ok {
			invalid, err = ci, nil
		}
		for _, st := range steps {
			out = append(out, st.ConfigDiff)
		}
		return err
	})
	if invalid != nil {
		return nil, invalid
	}
	return out, err
}

// Apply checks want and makes the org's configuration match it in one unit
// of work: every change or none. Each changed object is recorded in the
// system log. Objects not in want are removed when prune names their kind,
// else kept. It
// returns the changes (ConfigKept for what was kept). Refusal:
// *ConfigInvalid with every problem, or a refusal of the database (a name
// taken).
func (s *Configs) Apply(ctx context.Context, want OrgConfig, prune []string) ([]ConfigDiff, error) {
	if ps := s.Check(&want); len(ps) > 0 {
		return nil, &ConfigInvalid{ps}
	}
	var out []ConfigDiff
	var invalid *ConfigInvalid
	err := s.run(ctx, func(tx Tx) error {
		out, invalid = nil, nil
		if err := tx.Lock(ctx, "apply"); err != nil {
			return err
		}
		steps, err := s.diff(ctx, tx, want, prune)
		if ci, ok := errors.AsType[*ConfigInvalid](err); ok {
			invalid = ci
			return nil // nothing written yet
		}
		if err != nil {
			return err
		}
		for _, st := range steps {
			out = append(out, st.ConfigDiff)
		}
		// Removals first: an object renamed in the file (its old name
		// pruned) may take an address or a number its old row still holds.
		for _, removals := range []bool{true, false} {
			for _, st := range steps {
				if st.do == nil || (st.Op == ConfigRemove) != removals {
					continue
				}
				if err := st.do(ctx, tx); err != nil {
					if errors.Is(err, ErrConflict) {
						return rollback(Errorf(EConflict, RInvalidInput, "%s %s: the name or address is taken", st.Kind, st.Name))
					}
					return fmt.Errorf("%s %s: %w", st.Kind, st.Name, err)
				}
			}
		}
		return nil
	})
	if invalid != nil {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Changed counts the changes of a diff that are not ConfigKept.
func Changed(ds []ConfigDiff) int {
	n := 0
	for _, d := range ds {
		if d.Op != ConfigKept {
			n++
		}
	}
	return n
}

func withApply(m map[string]string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out["via"] = "apply"
	return out
}

// diff compares the database (read in tx) with want, checked, and returns
// the steps, in a stable order.
func (s *Configs) diff(ctx context.Context, tx Tx, want OrgConfig, prune []string) ([]configStep, error) {
	cur, err := s.current(ctx, tx)
	if err != nil {
		return nil, err
	}
	by := ClientFrom(ctx).Actor.AlternateID
	var steps []configStep
	gone := func(kind, name string, do func(ctx context.Context, tx Tx) error) {
		if slices.Contains(prune, kind) {
			steps = append(steps, configStep{ConfigDiff{ConfigRemove, kind, name, ""}, do})
		} else {
			steps = append(steps, configStep{ConfigDiff{ConfigKept, kind, name, "not in file (kept)"}, nil})
		}
	}

	// settings
	for _, def := range SettingDefs {
		v, ok := want.Settings[def.Name]
		old := cur.Settings[def.Name]
		if !ok || v == old {
			continue
		}
		steps = append(steps, configStep{ConfigDiff{ConfigChange, "settings", def.Name, quoteEmpty(old) + " -> " + quoteEmpty(v)}, func(ctx context.Context, tx Tx) error {
			return s.saveSetting(ctx, tx, def.Name, old, v, by, s.clock.Now(), withApply(nil))
		}})
	}

	// providers
	curP := map[string]ProviderConfig{}
	for _, p := range cur.Providers {
		curP[p.Name] = p
	}
	for _, p := range want.Providers {
		old, ok := curP[p.Name]
		delete(curP, p.Name)
		if !ok {
			steps = append(steps, configStep{ConfigDiff{ConfigAdd, "provider", p.Name, p.Type}, func(ctx context.Context, tx Tx) error { return s.insertProvider(ctx, tx, p) }})
			continue
		}
		changes := providerChanges(old, p)
		if len(changes) == 0 {
			continue
		}
		steps = append(steps, configStep{ConfigDiff{ConfigChange, "provider", p.Name, strings.Join(changes, ", ")}, func(ctx context.Context, tx Tx) error {
			p.ID, p.Created, p.Updated = old.ID, old.Created, s.clock.Now()
			for i := range p.Senders {
				p.Senders[i].ID, p.Senders[i].ProviderID = s.newID("snd"), p.ID
			}
			if err := tx.UpdateProvider(ctx, StoredProvider{ProviderConfig: p, SealedCredentials: SealCredentials(s.sealer, p.ID, p.Credentials)}); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvProviderUpdate, Target: Party{ID: p.ID, Type: "SmsProvider", AlternateID: p.Name}, Outcome: OutcomeSuccess,
				Message: "SMS provider changed", Details: withApply(map[string]string{"changed": strings.Join(changes, ", "), "enabled": boolText(p.Enabled), "priority": strconv.Itoa(p.Priority)})})
		}})
	}
	for _, name := range slices.Sorted(maps.Keys(curP)) {
		p := curP[name]
		gone("provider", name, func(ctx context.Context, tx Tx) error {
			if err := tx.DeleteProvider(ctx, name); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvProviderRemove, Target: Party{ID: p.ID, Type: "SmsProvider", AlternateID: name}, Outcome: OutcomeSuccess, Message: "SMS provider removed", Details: withApply(nil)})
		})
	}

	// templates
	curT := map[string]Template{}
	for _, t := range cur.Templates {
		curT[t.Locale] = t
	}
	for _, t := range want.Templates {
		old, ok := curT[t.Locale]
		delete(curT, t.Locale)
		if ok && old.Body == t.Body {
			continue
		}
		op, detail := ConfigAdd, ""
		if ok {
			op, detail = ConfigChange, "text changed"
		}
		steps = append(steps, configStep{ConfigDiff{op, "template", t.Locale, detail}, func(ctx context.Context, tx Tx) error {
			if err := tx.PutTemplate(ctx, Template{Locale: t.Locale, Body: t.Body, Updated: s.clock.Now(), UpdatedBy: by}); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvTemplateUpdate, Target: Party{ID: t.Locale, Type: "SmsTemplate", AlternateID: t.Locale}, Outcome: OutcomeSuccess, Message: "SMS template changed", Details: withApply(nil)})
		}})
	}
	for _, loc := range slices.Sorted(maps.Keys(curT)) {
		gone("template", loc, func(ctx context.Context, tx Tx) error {
			if err := tx.DeleteTemplate(ctx, loc); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvTemplateUpdate, Target: Party{ID: loc, Type: "SmsTemplate", AlternateID: loc}, Outcome: OutcomeSuccess, Message: "SMS template removed", Details: withApply(nil)})
		})
	}

	// numbers
	curN := map[string]Number{}
	for _, n := range cur.Numbers {
		curN[n.Number] = n
	}
	for _, n := range want.Numbers {
		old, ok := curN[n.Number]
		delete(curN, n.Number)
		if ok && old.Status == n.Status {
			continue
		}
		op, detail := ConfigAdd, string(n.Status)
		if ok {
			op, detail = ConfigChange, string(old.Status)+" -> "+string(n.Status)
		}
		steps = append(steps, configStep{ConfigDiff{op, "number", n.Number, detail}, func(ctx context.Context, tx Tx) error {
			if err := tx.PutNumber(ctx, Number{Number: n.Number, Status: n.Status, Updated: s.clock.Now(), UpdatedBy: by, Reason: "set by smsmfa apply"}); err != nil {
				return err
			}
			ev := map[NumberStatus]string{NumberTrusted: EvNumberTrusted, NumberCleared: EvNumberUnblocked, NumberBlocked: EvNumberBlocked}[n.Status]
			return s.record(ctx, tx, Event{Type: ev, Target: s.phoneParty(n.Number), Outcome: OutcomeSuccess, Message: "Phone number " + string(n.Status), Details: withApply(nil)})
		}})
	}
	for _, num := range slices.Sorted(maps.Keys(curN)) {
		gone("number", num, func(ctx context.Context, tx Tx) error {
			if err := tx.DeleteNumber(ctx, num); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvNumberUnblocked, Target: s.phoneParty(num), Outcome: OutcomeSuccess, Message: "Phone number rule removed", Details: withApply(nil)})
		})
	}

	// trusted ranges
	curR := map[string]bool{}
	for _, r := range cur.TrustedRanges {
		curR[r] = true
	}
	for _, r := range want.TrustedRanges {
		if curR[r] {
			delete(curR, r)
			continue
		}
		key, _ := fraud.ParseKey(r)
		steps = append(steps, configStep{ConfigDiff{ConfigAdd, "trusted-range", r, ""}, func(ctx context.Context, tx Tx) error {
			old, err := tx.GetFraudKeys(ctx, []string{key})
			if err != nil {
				return err
			}
			prev := old[key]
			if err := tx.PutFraudKey(ctx, FraudKey{Key: key, Status: FraudTrusted, Since: s.clock.Now(), Strikes: prev.Strikes, Evidence: prev.Evidence, Details: prev.Details, UpdatedBy: by}); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvFraudTrust, Target: fraudParty(key), Outcome: OutcomeSuccess, Message: "Trusted: never throttled: " + r,
				Details: withApply(map[string]string{"previous": string(prev.Status)})})
		}})
	}
	for _, r := range slices.Sorted(maps.Keys(curR)) {
		key, _ := fraud.ParseKey(r)
		gone("trusted-range", r, func(ctx context.Context, tx Tx) error {
			if err := tx.DeleteFraudKey(ctx, key); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvFraudForget, Target: fraudParty(key), Outcome: OutcomeSuccess, Message: "Rule removed: judged again: " + r, Details: withApply(nil)})
		})
	}

	// applications
	appSteps, err := s.diffApps(cur.Apps, want.Apps, gone)
	if err != nil {
		return nil, err
	}
	steps = append(steps, appSteps...)

	// RADIUS clients
	curC := map[string]RadiusClientConfig{}
	for _, c := range cur.RadiusClients {
		curC[c.Name] = c
	}
	for _, c := range want.RadiusClients {
		old, ok := curC[c.Name]
		delete(curC, c.Name)
		var changes []string
		if ok && old.Address != c.Address {
			changes = append(changes, "address "+old.Address+" -> "+c.Address)
		}
		if ok && subtle.ConstantTimeCompare([]byte(old.Secret), []byte(c.Secret)) != 1 {
			changes = append(changes, "secret changed")
		}
		if ok && len(changes) == 0 {
			continue
		}
		op, detail := ConfigAdd, c.Address
		if ok {
			op, detail = ConfigChange, strings.Join(changes, ", ")
		}
		steps = append(steps, configStep{ConfigDiff{op, "radius-client", c.Name, detail}, func(ctx context.Context, tx Tx) error {
			prefix, _ := ParseRadiusAddress(c.Address)
			rc := RadiusClient{ID: s.newID("rad"), Name: c.Name, Prefix: prefix, Created: s.clock.Now()}
			ev, msg := EvRadiusClientAdd, "RADIUS client added"
			if ok {
				prev, err := tx.DeleteRadiusClient(ctx, c.Name)
				if err != nil {
					return err
				}
				rc.ID, rc.Created = prev.ID, prev.Created
				ev, msg = EvRadiusClientUpdate, "RADIUS client changed"
			}
			rc.SealedSecret = s.sealer.Seal([]byte(c.Secret), RadiusSecretContext(rc.ID))
			if err := tx.InsertRadiusClient(ctx, rc); err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: ev, Target: radiusParty(rc), Outcome: OutcomeSuccess, Message: msg,
				Details: withApply(map[string]string{"address": rc.Prefix.String(), "changed": detail})})
		}})
	}
	for _, name := range slices.Sorted(maps.Keys(curC)) {
		gone("radius-client", name, func(ctx context.Context, tx Tx) error {
			c, err := tx.DeleteRadiusClient(ctx, name)
			if err != nil {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvRadiusClientRemove, Target: radiusParty(c), Outcome: OutcomeSuccess, Message: "RADIUS client removed",
				Details: withApply(map[string]string{"address": c.Prefix.String()})})
		})
	}
	return steps, nil
}
