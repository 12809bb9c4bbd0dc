// Package confcode is the org's configuration as code: the YAML file that
// `smsmfa export` writes and `smsmfa apply` reads (schema smsmfa/v1, see
// docs/configuration.md). It parses and checks the file strictly (an
// unknown key is an error with its path and line), resolves ${ENV}
// references for secrets and turns the file into an mfa.OrgConfig; the
// domain (mfa.Configs) diffs and applies it.
package confcode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"smsmfa/internal/mfa"
)

// APIVersion is the schema the file declares.
const APIVersion = "smsmfa/v1"

// MaxSize bounds the file: a configuration is a few kilobytes.
const MaxSize = 1 << 20

// File is the file's schema.
type File struct {
	APIVersion    string            `yaml:"apiVersion"`
	Settings      yaml.MapSlice     `yaml:"settings,omitempty"`
	Providers     []Provider        `yaml:"providers,omitempty"`
	Templates     map[string]string `yaml:"templates,omitempty"`
	Numbers       []Number          `yaml:"numbers,omitempty"`
	TrustedRanges []string          `yaml:"trusted_ranges,omitempty"`
	Apps          []App             `yaml:"oidc_apps,omitempty"`
	RadiusClients []RadiusClient    `yaml:"radius_clients,omitempty"`
}

// Provider is an SMS provider account.
type Provider struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	URL      string `yaml:"url,omitempty"`
	Priority *int   `yaml:"priority,omitempty"`
	Enabled  *bool  `yaml:"enabled,omitempty"`
	// Senders are "VALUE[:CC,CC…]" as the command line takes them.
	Senders []string `yaml:"senders,omitempty"`
	// Credentials are ${ENV} references (region and header may be literal).
	Credentials map[string]string `yaml:"credentials,omitempty"`
}

// Number is an admin rule on one phone number.
type Number struct {
	Number string `yaml:"number"`
	Status string `yaml:"status"`
}

// App is an OpenID Connect application.
type App struct {
	ClientID     string   `yaml:"client_id,omitempty"`
	Name         string   `yaml:"name"`
	Public       bool     `yaml:"public"`
	RedirectURIs []string `yaml:"redirect_uris"`
	LogoutURIs   []string `yaml:"logout_uris,omitempty"`
	// ClientSecret is a ${ENV} reference; omitted keeps the stored secret.
	ClientSecret string `yaml:"client_secret,omitempty"`
}

// RadiusClient is a NAS allowed to use the RADIUS front door.
type RadiusClient struct {
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
	Secret  string `yaml:"secret"`
}

// Problem is one thing wrong in the file, at a path ($.providers[0].name)
// and, when known, a line.
type Problem struct {
	Path    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s (line %d): %s", p.Path, p.Line, p.Message)
	}
	return p.Path + ": " + p.Message
}

// Problems is the refusal of a file, with every problem found.
type Problems []Problem

func (ps Problems) Error() string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// Doc is a parsed file.
type Doc struct {
	file *ast.File
	// Config is the configuration the file describes, secrets resolved.
	Config mfa.OrgConfig
	// Prune lists the kinds of objects (mfa.ConfigDiff.Kind) whose section
	// the file has: only those are pruned with --prune.
	Prune []string
	// Problems found while reading the file (unresolved references,
	// literal secrets, bad senders).
	Problems Problems
	locales  []string // the templates' locales, in Config.Templates' order
}

var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// literalCredentials are the provider credentials that are no secret and
// may be written as they are.
var literalCredentials = []string{"region", "header"}

// placeholder stands in for a secret whose reference did not resolve, so
// the domain's checks report the other problems only (nothing is applied
// while a problem remains).
const placeholder = "unresolved-reference-placeholder"

// Read reads a file of at most MaxSize bytes from r.
func Read(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("the file is larger than %d bytes: refused", MaxSize)
	}
	return data, nil
}

// Parse reads a file strictly and resolves its references with getenv.
// A file that cannot be read as the schema (bad YAML, an unknown key, a
// wrong type, anchors) is an error (Problems, or another error); what the
// file says wrong beyond that is in Doc.Problems.
func Parse(data []byte, getenv func(string) string) (doc *Doc, err error) {
	defer func() {
		// The YAML library is not to bring the command down on a strange
		// file: a panic in it is a refusal of the file.
		if r := recover(); r != nil {
			doc, err = nil, Problems{{Path: "$", Message: "the file cannot be read as YAML"}}
		}
	}()
	if len(data) > MaxSize {
		return nil, fmt.Errorf("the file is larger than %d bytes: refused", MaxSize)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlProblem(nil, err)
	}
	d := &Doc{file: file}
	// Anchors and aliases could make a small file expand into a huge one.
	var aliases Problems
	for _, body := range file.Docs {
		if body == nil {
			continue
		}
		ast.Walk(visitor(func(n ast.Node) {
			if n.Type() == ast.AliasType || n.Type() == ast.AnchorType {
				aliases = append(aliases, Problem{Path: n.GetPath(), Line: n.GetToken().Position.Line, Message: "anchors and aliases (& and *) are not supported"})
			}
		}), body)
	}
	if len(aliases) > 0 {
		return nil, aliases
	}
	if len(file.Docs) != 1 {
		return nil, Problems{{Path: "$", Message: "the file must hold exactly one YAML document"}}
	}
	var f File
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, yamlProblem(file, err)
	}
	if f.APIVersion != APIVersion {
		return nil, Problems{d.at("$.apiVersion", fmt.Sprintf("must be %s (got %q)", APIVersion, f.APIVersion))}
	}
	d.read(&f, getenv)
	return d, nil
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		return nil
	}
	v(n)
	return v
}

// yamlProblem turns an error of the YAML library into a Problem with the
// path and line of its token.
func yamlProblem(file *ast.File, err error) error {
	ye, ok := errors.AsType[yaml.Error](err)
	if !ok || ye.GetToken() == nil {
		return Problems{{Path: "$", Message: err.Error()}}
	}
	tk := ye.GetToken()
	p := Problem{Path: "$", Line: tk.Position.Line, Message: ye.GetMessage()}
	if file != nil {
		for _, doc := range file.Docs {
			if doc == nil {
				continue
			}
			ast.Walk(visitor(func(n ast.Node) {
				nt := n.GetToken()
				if nt != nil && nt.Position.Line == tk.Position.Line && nt.Position.Column == tk.Position.Column && len(n.GetPath()) > len(p.Path) {
					p.Path = n.GetPath()
				}
			}), doc)
		}
	}
	return Problems{p}
}

// at is a problem at path, with the line of path in the file, or else of
// the nearest part of the file holding it (a field left out: its item).
func (d *Doc) at(path, msg string) Problem {
	p := Problem{Path: path, Message: msg}
	if d.file == nil {
		return p
	}
	for look := path; look != "$" && look != ""; {
		if yp, err := yaml.PathString(look); err == nil {
			if n, err := yp.FilterFile(d.file); err == nil && n != nil && n.GetToken() != nil {
				p.Line = n.GetToken().Position.Line
				return p
			}
		}
		i := strings.LastIndexAny(look, ".[")
		if i <= 0 {
			break
		}
		look = look[:i]
	}
	return p
}

func (d *Doc) problem(path, format string, args ...any) {
	d.Problems = append(d.Problems, d.at(path, fmt.Sprintf(format, args...)))
}

// secret resolves a field that must be a ${ENV} reference.
func (d *Doc) secret(path, v string, getenv func(string) string) string {
	m := envRef.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		d.problem(path, "a secret must be an environment reference such as ${SMSMFA_SECRET}, never the secret itself")
		return placeholder
	}
	if ownVariable(m[1]) {
		d.problem(path, "%s is one of the server's own variables (its master key, database, …): a file must not send it to a provider; use a name such as SMSMFA_PROVIDER_<NAME>_<FIELD>", m[1])
		return placeholder
	}
	val := getenv(m[1])
	if val == "" {
		d.problem(path, "the environment variable %s is not set", m[1])
		return placeholder
	}
	return val
}

// read fills d.Config from f.
func (d *Doc) read(f *File, getenv func(string) string) {
	c := &d.Config
	if f.Settings != nil {
		c.Settings = map[string]string{}
		for _, it := range f.Settings {
			name := fmt.Sprint(it.Key)
			v, ok := scalarText(it.Value)
			if !ok {
				d.problem("$.settings."+name, "must be a single value or a list of values")
				continue
			}
			c.Settings[name] = v
		}
	}
	if f.Providers != nil {
		d.Prune = append(d.Prune, "provider")
	}
	for i, p := range f.Providers {
		path := fmt.Sprintf("$.providers[%d]", i)
		pc := mfa.ProviderConfig{Name: p.Name, Type: p.Type, BaseURL: p.URL, Priority: 100, Enabled: true, Credentials: map[string]string{}}
		if p.Priority != nil {
			pc.Priority = *p.Priority
		}
		if p.Enabled != nil {
			pc.Enabled = *p.Enabled
		}
		for j, sv := range p.Senders {
			s, err := mfa.ParseSender(sv)
			if err != nil {
				d.problem(fmt.Sprintf("%s.senders[%d]", path, j), "%s", err.Error())
				continue
			}
			pc.Senders = append(pc.Senders, s)
		}
		for _, k := range slices.Sorted(maps.Keys(p.Credentials)) {
			v := p.Credentials[k]
			if slices.Contains(literalCredentials, k) && !strings.Contains(v, "${") {
				pc.Credentials[k] = v
				continue
			}
			pc.Credentials[k] = d.secret(path+".credentials."+k, v, getenv)
		}
		c.Providers = append(c.Providers, pc)
	}
	if f.Templates != nil {
		d.Prune = append(d.Prune, "template")
	}
	for _, loc := range slices.Sorted(maps.Keys(f.Templates)) {
		c.Templates = append(c.Templates, mfa.Template{Locale: loc, Body: f.Templates[loc]})
		d.locales = append(d.locales, loc)
	}
	if f.Numbers != nil {
		d.Prune = append(d.Prune, "number")
	}
	for _, n := range f.Numbers {
		c.Numbers = append(c.Numbers, mfa.Number{Number: n.Number, Status: mfa.NumberStatus(n.Status)})
	}
	if f.TrustedRanges != nil {
		d.Prune = append(d.Prune, "trusted-range")
	}
	c.TrustedRanges = slices.Clone(f.TrustedRanges)
	if f.Apps != nil {
		d.Prune = append(d.Prune, "app")
	}
	for i, a := range f.Apps {
		ac := mfa.AppConfig{ClientID: a.ClientID, Name: a.Name, Public: a.Public, RedirectURIs: a.RedirectURIs, LogoutURIs: a.LogoutURIs}
		if a.ClientSecret != "" {
			ac.Secret = d.secret(fmt.Sprintf("$.oidc_apps[%d].client_secret", i), a.ClientSecret, getenv)
			if ac.Secret == placeholder && a.Public {
				ac.Secret = ""
			}
		}
		c.Apps = append(c.Apps, ac)
	}
	if f.RadiusClients != nil {
		d.Prune = append(d.Prune, "radius-client")
	}
	for i, r := range f.RadiusClients {
		c.RadiusClients = append(c.RadiusClients, mfa.RadiusClientConfig{Name: r.Name, Address: r.Address,
			Secret: d.secret(fmt.Sprintf("$.radius_clients[%d].secret", i), r.Secret, getenv)})
	}
}

// scalarText is a setting's value as the console takes it: a scalar as
// text, a list joined with commas.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case []any:
		var out []string
		for _, e := range x {
			s, ok := scalarText(e)
			if !ok {
				return "", false
			}
			if _, isList := e.([]any); isList {
				return "", false
			}
			out = append(out, s)
		}
		return strings.Join(out, ","), true
	}
	return "", false
}

// Explain turns the domain's problems with d.Config into problems at the
// file's paths.
func (d *Doc) Explain(ps []mfa.ConfigProblem) Problems {
	var out Problems
	for _, p := range ps {
		path := "$." + p.Section
		switch {
		case p.Section == "settings":
			path += "." + p.Field
		case p.Section == "templates" && p.Index >= 0 && p.Index < len(d.locales):
			path += "." + d.locales[p.Index]
		case p.Index >= 0:
			path += fmt.Sprintf("[%d]", p.Index)
			if p.Field != "" {
				path += "." + p.Field
			}
		}
		out = append(out, d.at(path, p.Message))
	}
	return out
}

// ownVariable reports whether name is a variable of the server's own
// (SMSMFA_KEY, SMSMFA_DATABASE, …: every SMSMFA_ name but those export
// writes for secrets). A reviewed file could otherwise hand the master key
// to a webhook provider whose URL it also sets.
func ownVariable(name string) bool {
	if !strings.HasPrefix(name, "SMSMFA_") {
		return false
	}
	for _, p := range []string{"SMSMFA_PROVIDER_", "SMSMFA_RADIUS_", "SMSMFA_APP_"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// EnvName is the variable export names for a secret of an object:
// SMSMFA_<KIND>_<NAME>_<FIELD>, upper case, other characters as _.
func EnvName(kind, name, field string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				return r
			}
			return '_'
		}, s)
	}
	return "SMSMFA_" + clean(kind) + "_" + clean(name) + "_" + clean(field)
}

// Export writes c in the file's schema: secrets as ${ENV} references
// (never their values), OIDC client secrets left out (stored hashed: the
// stored one is kept). It returns the file and the names of the variables
// its references name (never their values).
func Export(c mfa.OrgConfig) ([]byte, []string, error) {
	var env []string
	f := File{APIVersion: APIVersion}
	for _, def := range mfa.SettingDefs {
		v, ok := c.Settings[def.Name]
		if !ok {
			continue
		}
		f.Settings = append(f.Settings, yaml.MapItem{Key: def.Name, Value: typed(v)})
	}
	for _, p := range c.Providers {
		fp := Provider{Name: p.Name, Type: p.Type, URL: p.BaseURL, Priority: &p.Priority, Enabled: &p.Enabled, Credentials: map[string]string{}}
		for _, s := range p.Senders {
			fp.Senders = append(fp.Senders, s.String())
		}
		for k, v := range p.Credentials {
			if slices.Contains(literalCredentials, k) && !strings.Contains(v, "${") {
				fp.Credentials[k] = v
				continue
			}
			name := EnvName("provider", p.Name, k)
			env = append(env, name)
			fp.Credentials[k] = "${" + name + "}"
		}
		f.Providers = append(f.Providers, fp)
	}
	if len(c.Templates) > 0 {
		f.Templates = map[string]string{}
	}
	for _, t := range c.Templates {
		f.Templates[t.Locale] = t.Body
	}
	for _, n := range c.Numbers {
		f.Numbers = append(f.Numbers, Number{Number: n.Number, Status: string(n.Status)})
	}
	f.TrustedRanges = c.TrustedRanges
	for _, a := range c.Apps {
		f.Apps = append(f.Apps, App{ClientID: a.ClientID, Name: a.Name, Public: a.Public, RedirectURIs: a.RedirectURIs, LogoutURIs: a.LogoutURIs})
	}
	for _, r := range c.RadiusClients {
		name := EnvName("radius", r.Name, "secret")
		env = append(env, name)
		f.RadiusClients = append(f.RadiusClients, RadiusClient{Name: r.Name, Address: r.Address, Secret: "${" + name + "}"})
	}
	body, err := yaml.MarshalWithOptions(f, yaml.IndentSequence(true))
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	b.WriteString("# smsmfa configuration (schema " + APIVersion + "; see docs/configuration.md).\n")
	b.WriteString("# Secrets are ${ENV} references: set each variable before smsmfa apply.\n")
	b.Write(body)
	slices.Sort(env)
	return b.Bytes(), env, nil
}

// typed writes a setting's text as a YAML number or boolean when it is
// one, so the file reads naturally; apply takes either form.
func typed(v string) any {
	if n, err := strconv.Atoi(v); err == nil && strconv.Itoa(n) == v {
		return n
	}
	if v == "true" || v == "false" {
		return v == "true"
	}
	return v
}

// WriteDiff prints a plan: one line per change, then a summary.
func WriteDiff(w io.Writer, ds []mfa.ConfigDiff) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
	if mfa.Changed(ds) == 0 {
		fmt.Fprintln(w, "no changes")
	}
}
