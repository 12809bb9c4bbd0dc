package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"text/template/parse"
	"time"
	"unicode"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/telephony"
)

// testLocale returns the UI's locale named code.
func testLocale(t testing.TB, code string) *Locale {
	t.Helper()
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := ls.byCode[code]
	if !ok {
		t.Fatalf("no locale %q", code)
	}
	return l
}

// catchMissing records the keys looked up and not found while the test
// runs.
func catchMissing(t *testing.T) func() []string {
	var mu sync.Mutex
	var got []string
	missingMu.Lock()
	missingFor = func(lang, key string) {
		mu.Lock()
		got = append(got, lang+": "+strconv.Quote(key))
		mu.Unlock()
	}
	missingMu.Unlock()
	t.Cleanup(func() {
		missingMu.Lock()
		missingFor = nil
		missingMu.Unlock()
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Compact(slices.Sorted(slices.Values(got)))
	}
}

// TestEveryPageInEveryLanguage draws every sample page in every language:
// no key is missing from a catalogue, no argument is missing or extra (no
// %! in the page), and the page says which language it is in.
func TestEveryPageInEveryLanguage(t *testing.T) {
	missing := catchMissing(t)
	tpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := loadLocales()
	if len(ls.list) < 4 {
		t.Fatalf("%d languages, want at least en, de, fr, es", len(ls.list))
	}
	for _, l := range ls.list {
		for i, p := range samplePages(l) {
			c := p.base()
			c.Page, c.Title, c.Org, c.CSS, c.Flash, c.Info = p.template(), p.title(), "Example Org", tpl.css, "Saved.", "Note."
			if _, worded := p.(wordedTitle); !worded {
				c.Title = l.T(c.Title)
			}
			c.Lang, c.Dir, c.Langs, c.Here = l.Code, l.Dir, ls.choices(l), "/account"
			b, err := tpl.execute(l, p.template(), p)
			if err != nil {
				t.Errorf("%s sample %d: %v", l.Code, i, err)
				continue
			}
			if i := bytes.Index(b, []byte("%!")); i >= 0 {
				t.Errorf("%s sample %d (%s): formatting artefact: %s", l.Code, i, p.template(), b[max(i-80, 0):min(i+80, len(b))])
			}
			if want := `<html lang="` + l.Code + `" dir="ltr">`; !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s sample %d: no %s", l.Code, i, want)
			}
		}
	}
	if m := missing(); len(m) > 0 {
		t.Errorf("%d keys missing from the catalogues:\n%s", len(m), strings.Join(m, "\n"))
	}
}

// readCatalogue reads i18n/<code>.json.
func readCatalogue(t *testing.T, code string) map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(catalogueFS, "i18n/"+code+".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a message's fmt verbs, in argument order ("%[2]s" counts as
// the second argument's verb).
func verbs(msg string) []string {
	var out []string
	next := 1
	byArg := map[int]string{}
	for _, v := range verbRE.FindAllStringSubmatch(msg, -1) {
		if v[0] == "%%" {
			continue
		}
		n := next
		if v[1] != "" {
			n, _ = strconv.Atoi(strings.Trim(v[1], "[]"))
		}
		verb := v[0][len(v[0])-1:]
		byArg[n] = verb
		next = n + 1
	}
	for i := 1; i <= len(byArg); i++ {
		out = append(out, byArg[i])
	}
	return out
}

// TestCataloguesHaveTheKeysOfEnglish: every catalogue has exactly the
// English catalogue's keys, each message filled in with the same
// arguments (verbs), and its own layouts for dates.
func TestCataloguesHaveTheKeysOfEnglish(t *testing.T) {
	en := readCatalogue(t, "en")
	names, _ := fs.Glob(catalogueFS, "i18n/*.json")
	if len(names) < 4 {
		t.Fatalf("catalogues: %v", names)
	}
	for _, n := range names {
		code := strings.TrimSuffix(filepath.Base(n), ".json")
		m := readCatalogue(t, code)
		for k := range en {
			v, ok := m[k]
			switch {
			case !ok:
				t.Errorf("%s: no %q", code, k)
			case strings.TrimSpace(v) == "":
				t.Errorf("%s: %q is empty", code, k)
			case !slices.Equal(verbs(v), verbs(k)):
				t.Errorf("%s: %q → %q: arguments %v, want %v", code, k, v, verbs(v), verbs(k))
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %q is not an English key", code, k)
			}
		}
	}
}

// usedKeys collects every catalogue key the code names: the string
// arguments of t and tw in the templates; in the web package, the literal
// arguments of T, TW, count and msgKey and the formats of mfa.Errorf; in
// internal/mfa, the formats of Errorf, Phrase and the rate limits; the
// phrases of phone.Type.Describe; the pool's warning; the settings' help.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{telephony.NoProviderWarning: true, mfa.InternalMessage: true}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		src, _ := fs.ReadFile(templateFS, n)
		trees, err := parse.Parse(n, string(src), "{{", "}}", parseFuncs())
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trees {
			walkTemplate(tr.Root, func(n parse.Node) {
				cmd, ok := n.(*parse.CommandNode)
				if !ok || len(cmd.Args) < 2 {
					return
				}
				if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "t" || id.Ident == "tw") {
					if s, ok := cmd.Args[1].(*parse.StringNode); ok {
						keys[s.Text] = true
					}
				}
			})
		}
	}
	for _, d := range mfa.SettingDefs { // t .Help on the settings and traffic pages
		keys[d.Help] = true
	}
	for _, k := range mfa.FactorKinds { // a refusal's Phrase: "%s is not enabled for this organization."
		keys[k.Label] = true
	}
	goKeys(t, ".", keys, map[string]int{"T": 0, "TW": 0, "msgKey": 0, "count": 1, "Errorf": 2})
	goKeys(t, "../mfa", keys, map[string]int{"Errorf": 2, "phraseErrorf": 0})
	goKeys(t, "../phone", keys, nil)
	return keys
}

// goKeys adds the keys named in the Go files of dir (tests left out):
// the literal arguments from position i on of calls to the functions in
// calls (fmt.Errorf left out), Phrase{Format: …} literals, the last field
// of limit literals and the results of Describe and of the pages' title.
func goKeys(t *testing.T, dir string, keys map[string]bool, calls map[string]int) {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, fn := range files {
		if strings.HasSuffix(fn, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, fn, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		lit := func(e ast.Expr) {
			if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
				s, _ := strconv.Unquote(b.Value)
				keys[s] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fun := n.Fun.(type) {
				case *ast.Ident:
					name = fun.Name
				case *ast.SelectorExpr:
					if x, ok := fun.X.(*ast.Ident); ok && x.Name == "fmt" {
						return true
					}
					name = fun.Sel.Name
				}
				if from, ok := calls[name]; ok {
					switch name {
					case "Errorf":
						if len(n.Args) > from {
							lit(n.Args[from])
						}
					default:
						for _, a := range n.Args[min(from, len(n.Args)):] {
							lit(a)
						}
					}
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Phrase" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Format" {
								lit(kv.Value)
							}
						}
					}
				}
				if at, ok := n.Type.(*ast.ArrayType); ok {
					if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "limit" {
						for _, e := range n.Elts {
							if cl, ok := e.(*ast.CompositeLit); ok && len(cl.Elts) > 0 {
								lit(cl.Elts[len(cl.Elts)-1])
							}
						}
					}
				}
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "limit" && len(n.Elts) > 0 {
					lit(n.Elts[len(n.Elts)-1])
				}
			case *ast.FuncDecl:
				if n.Name.Name == "Describe" || n.Name.Name == "title" {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							lit(r.Results[0])
						}
						return true
					})
				}
			}
			return true
		})
	}
}

// parseFuncs names every function a template may call, for parse.Parse.
func parseFuncs() map[string]any {
	m := map[string]any{}
	for k, v := range funcs {
		m[k] = v
	}
	for k, v := range localeFuncs(&Locale{}) {
		m[k] = v
	}
	for _, b := range []string{"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery", "call"} {
		m[b] = fmt.Sprint
	}
	return m
}

func walkTemplate(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplate(c, f)
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTemplate(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkTemplate(a, f)
		}
	case *parse.IfNode:
		walkTemplate(n.Pipe, f)
		walkTemplate(n.List, f)
		if n.ElseList != nil {
			walkTemplate(n.ElseList, f)
		}
	case *parse.RangeNode:
		walkTemplate(n.Pipe, f)
		walkTemplate(n.List, f)
		if n.ElseList != nil {
			walkTemplate(n.ElseList, f)
		}
	case *parse.WithNode:
		walkTemplate(n.Pipe, f)
		walkTemplate(n.List, f)
		if n.ElseList != nil {
			walkTemplate(n.ElseList, f)
		}
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, f)
	}
}

// TestEnglishCatalogueHasEveryKeyUsed: every key the code names is in
// en.json, and en.json holds no key nobody uses. With -update-catalogue
// the English catalogue is written from the code (then translate the new
// keys in every other catalogue: TestCataloguesHaveTheKeysOfEnglish lists
// them).
func TestEnglishCatalogueHasEveryKeyUsed(t *testing.T) {
	used := usedKeys(t)
	delete(used, "")
	delete(used, "%s")
	if os.Getenv("SMSMFA_UPDATE_CATALOGUE") != "" {
		old := readCatalogue(t, "en")
		out := map[string]string{}
		for k := range used {
			out[k] = k
			if v, ok := old[k]; ok {
				out[k] = v
			}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		_ = b
		if err := os.WriteFile("i18n/en.json", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	en := readCatalogue(t, "en")
	var missing, unused []string
	for k := range used {
		if _, ok := en[k]; !ok {
			missing = append(missing, strconv.Quote(k))
		}
	}
	for k := range en {
		if !used[k] {
			unused = append(unused, strconv.Quote(k))
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("keys not in i18n/en.json (run with SMSMFA_UPDATE_CATALOGUE=1):\n%s", strings.Join(missing, "\n"))
	}
	if len(unused) > 0 {
		t.Errorf("keys in i18n/en.json that nothing uses:\n%s", strings.Join(unused, "\n"))
	}
}

// allowedText is literal text a template may hold outside t: names that
// are the same in every language.
var allowedText = []string{"smsmfa", "JSON", "/dev/sms/messages"}

// visibleAttr matches an attribute a user reads or hears.
var visibleAttr = regexp.MustCompile(`(?i)\b(aria-label|title|placeholder|alt)\s*=\s*"([^"]*)"`)

// TestTemplatesHaveNoLiteralText: the text of every template, outside
// {{…}}, holds no words: not between tags, not in a label, title or
// placeholder attribute. Words go through t.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	names, _ := fs.Glob(templateFS, "templates/*.html")
	if len(names) == 0 {
		t.Fatal("no templates")
	}
	for _, n := range names {
		src, _ := fs.ReadFile(templateFS, n)
		trees, err := parse.Parse(n, string(src), "{{", "}}", parseFuncs())
		if err != nil {
			t.Fatal(err)
		}
		for name, tr := range trees {
			// The text of the template with each action as a marker, so a
			// tag split by an action is still one tag.
			var b strings.Builder
			var collect func(parse.Node)
			collect = func(nd parse.Node) {
				switch nd := nd.(type) {
				case *parse.TextNode:
					b.Write(nd.Text)
				case *parse.ListNode:
					if nd != nil {
						for _, c := range nd.Nodes {
							collect(c)
						}
					}
				case *parse.IfNode:
					b.WriteString("\x00")
					collect(nd.List)
					if nd.ElseList != nil {
						collect(nd.ElseList)
					}
				case *parse.RangeNode:
					b.WriteString("\x00")
					collect(nd.List)
					if nd.ElseList != nil {
						collect(nd.ElseList)
					}
				case *parse.WithNode:
					b.WriteString("\x00")
					collect(nd.List)
					if nd.ElseList != nil {
						collect(nd.ElseList)
					}
				default:
					b.WriteString("\x00")
				}
			}
			collect(tr.Root)
			for _, bad := range literalWords(b.String()) {
				t.Errorf("%s (%s): literal text %q: put it through t", n, name, bad)
			}
		}
	}
}

// literalWords returns the words in html outside tags, and in the visible
// attributes of tags, leaving out the allowed names.
func literalWords(html string) []string {
	var out []string
	check := func(s string) {
		for _, a := range allowedText {
			s = strings.ReplaceAll(s, a, "")
		}
		s = strings.ReplaceAll(s, "&amp;", "")
		if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
			out = append(out, strings.TrimSpace(strings.ReplaceAll(s, "\x00", "{{…}}")))
		}
	}
	for len(html) > 0 {
		i := strings.IndexByte(html, '<')
		if i < 0 {
			check(html)
			break
		}
		check(html[:i])
		j := strings.IndexByte(html[i:], '>')
		if j < 0 {
			break
		}
		tag := html[i : i+j+1]
		for _, m := range visibleAttr.FindAllStringSubmatch(tag, -1) {
			check(m[2])
		}
		html = html[i+j+1:]
	}
	return out
}

func TestLiteralWordsFindsText(t *testing.T) {
	for _, c := range []struct {
		html string
		bad  int
	}{
		{`<p>Hello</p>`, 1},
		{`<p>` + "\x00" + `</p>`, 0},
		{`<input placeholder="Your name">`, 1},
		{`<input placeholder="+1 415">`, 0},
		{`<a aria-label="` + "\x00" + `" href="/x">` + "\x00" + `</a>`, 0},
		{`<div class="alert error">` + "\x00" + ` smsmfa</div>`, 0},
	} {
		if got := literalWords(c.html); len(got) != c.bad {
			t.Errorf("%q: %q", c.html, got)
		}
	}
}

// The arguments of a refusal are worded in the language: a country, a
// wait, a phrase, a number grouped the language's way; the English
// message (API, system log) is unchanged.
func TestRefusalArgumentsInTheLanguage(t *testing.T) {
	de, fr, en := testLocale(t, "de"), testLocale(t, "fr"), testLocale(t, "en")
	e := mfa.Errorf(mfa.EInvalid, mfa.RPhoneCountry, "Your organisation does not send text messages to %s numbers (+%d). %s",
		mfa.Country("DE"), 49, mfa.Phrase{Format: "Numbers starting with %s can be used.", Args: []any{"+33"}})
	if want := "Your organisation does not send text messages to Germany numbers (+49). Numbers starting with +33 can be used."; e.Message != want || en.Err(e) != want {
		t.Errorf("English: %q / %q", e.Message, en.Err(e))
	}
	if got, want := de.Err(e), "Ihre Organisation sendet keine SMS an Nummern aus Deutschland (+49). Nummern, die mit +33 beginnen, können verwendet werden."; got != want {
		t.Errorf("German: %q, want %q", got, want)
	}
	wait := mfa.Errorf(mfa.ERateLimited, mfa.RResendTooSoon, "A code was sent a moment ago. You can ask for another in %s.", mfa.Duration(2*time.Minute))
	if got, want := fr.Err(wait), "Un code vient d'être envoyé. Vous pourrez en demander un autre dans 2 minutes."; got != want {
		t.Errorf("French: %q, want %q", got, want)
	}
	if got := de.T("%d of %d allowed", 45, 10000); got != "45 von 10.000 erlaubt" {
		t.Errorf("German number: %q", got)
	}
	if got := de.Time(time.Date(2026, 3, 4, 14, 5, 0, 0, time.UTC)); got != "04.03.2026 14:05:00 UTC" {
		t.Errorf("German time: %q", got)
	}
	cs := de.Countries()
	i := slices.IndexFunc(cs, func(c phone.Country) bool { return c.Region == "DE" })
	if i < 0 || cs[i].Label() != "Deutschland (+49)" {
		t.Fatalf("German country list: no Deutschland (+49)")
	}
	if phone.Countries()[i].Region == "DE" {
		t.Errorf("the German list is sorted as the English one")
	}
}

// A right-to-left language added as a catalogue gets dir="rtl", and is
// picked from Accept-Language like the others.
func TestRightToLeftLanguageIsReady(t *testing.T) {
	ls, err := readCatalogues(fstest.MapFS{
		"i18n/en.json": {Data: []byte(`{"Sign in": "Sign in"}`)},
		"i18n/ar.json": {Data: []byte(`{"Sign in": "تسجيل الدخول"}`)},
		"i18n/de.json": {Data: []byte(`{"Sign in": "Anmelden"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ar, de := ls.byCode["ar"], ls.byCode["de"]
	if ar == nil || ar.Dir != "rtl" || de.Dir != "ltr" || ls.english().Dir != "ltr" {
		t.Fatalf("directions: %+v %+v", ar, de)
	}
	req := httptest.NewRequest("GET", "/login", nil)
	req.Header.Set("Accept-Language", "ar-EG")
	if l := ls.pick(req); l != ar || l.T("Sign in") != "تسجيل الدخول" {
		t.Fatalf("ar-EG picked %s", l.Code)
	}
	if _, err := readCatalogues(fstest.MapFS{"i18n/de.json": {Data: []byte(`{}`)}}); err == nil {
		t.Error("catalogues without English accepted")
	}
	if _, err := readCatalogues(fstest.MapFS{"i18n/en.json": {Data: []byte(`{`)}}); err == nil {
		t.Error("a broken catalogue accepted")
	}
}
