package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
)

// The UI's wording lives in message catalogues, one JSON file per language
// under i18n/ (docs/translations.md). A key is the English text of the
// message, with fmt verbs for its arguments ("We sent a code to %s."), as
// golang.org/x/text/message expects; the value is the message in that
// language, with the same verbs (%[2]s to reorder them). Refusals from
// internal/mfa carry their English format and arguments (mfa.Error Format,
// Args) and are worded here the same way.

//go:embed i18n/*.json
var catalogueFS embed.FS

// langCookie remembers the language a user picked.
const langCookie = "smsmfa_lang"

// maxAcceptLanguage bounds the Accept-Language header read: a longer one
// is cut, so parsing stays cheap whatever a client sends.
const maxAcceptLanguage = 256

// rtlBases are the languages written right to left: a page in one of them
// gets dir="rtl".
var rtlBases = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true, "ps": true, "yi": true, "dv": true, "ckb": true, "sd": true, "ug": true}

// Locale is one language of the UI: its catalogue and its way of writing
// numbers and dates.
type Locale struct {
	Code string // the catalogue's name and the page's lang attribute: "en", "de"
	Name string // the language's own name, for the picker: "Deutsch"
	Dir  string // "ltr" or "rtl"
	Tag  language.Tag
	msgs map[string]string
	p    *message.Printer
	// countries is the phone form's country list in this language
	// (Countries).
	countries func() []phone.Country
}

// locales is every language the UI speaks, English first (the fallback).
type locales struct {
	list    []*Locale
	byCode  map[string]*Locale
	matcher language.Matcher
}

var (
	loadOnce   sync.Once
	loaded     *locales
	loadErr    error
	missingMu  sync.Mutex
	missingFor func(lang, key string)
)

// loadLocales reads the embedded catalogues once.
func loadLocales() (*locales, error) {
	loadOnce.Do(func() { loaded, loadErr = readCatalogues(catalogueFS) })
	return loaded, loadErr
}

// readCatalogues builds the locales from fsys's i18n/*.json: en.json must
// be there; every other file is a language named by its file name.
func readCatalogues(fsys fs.FS) (*locales, error) {
	names, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	ls := &locales{byCode: map[string]*Locale{}}
	var tags []language.Tag
	for _, n := range names {
		code := strings.TrimSuffix(strings.TrimPrefix(n, "i18n/"), ".json")
		tag, err := language.Parse(code)
		if err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", n, err)
		}
		raw, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", n, err)
		}
		for k, v := range msgs {
			if err := b.SetString(tag, k, v); err != nil {
				return nil, fmt.Errorf("web: catalogue %s: %q: %w", n, k, err)
			}
		}
		dir := "ltr"
		if base, _ := tag.Base(); rtlBases[base.String()] {
			dir = "rtl"
		}
		l := &Locale{Code: code, Name: display.Self.Name(tag), Dir: dir, Tag: tag, msgs: msgs}
		l.countries = sync.OnceValue(func() []phone.Country { return localCountries(tag) })
		if code == "en" {
			ls.list = append([]*Locale{l}, ls.list...)
			tags = append([]language.Tag{tag}, tags...)
		} else {
			ls.list = append(ls.list, l)
			tags = append(tags, tag)
		}
		ls.byCode[code] = l
	}
	if ls.byCode["en"] == nil {
		return nil, fmt.Errorf("web: no English catalogue (i18n/en.json)")
	}
	for _, l := range ls.list {
		l.p = message.NewPrinter(l.Tag, message.Catalog(b))
	}
	ls.matcher = language.NewMatcher(tags)
	return ls, nil
}

// english is the fallback locale.
func (ls *locales) english() *Locale { return ls.byCode["en"] }

// pick returns the locale for a request: the language the user chose
// (cookie) when it is one the UI speaks, else the best match for
// Accept-Language, else English. Anything else in the cookie or the header
// is ignored.
func (ls *locales) pick(r *http.Request) *Locale {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := ls.byCode[c.Value]; ok {
			return l
		}
	}
	al := r.Header.Get("Accept-Language")
	if al == "" {
		return ls.english()
	}
	if len(al) > maxAcceptLanguage {
		al = al[:maxAcceptLanguage]
		if i := strings.LastIndexByte(al, ','); i > 0 {
			al = al[:i]
		}
	}
	tags, _, err := language.ParseAcceptLanguage(al)
	if err != nil || len(tags) == 0 {
		return ls.english()
	}
	_, i, conf := ls.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(ls.list) {
		return ls.english()
	}
	return ls.list[i]
}

type localeKey struct{}

// withLocale puts the request's locale in its context.
func (h *Handler) withLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := h.langs.pick(r)
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey{}, l)))
	})
}

// loc returns the locale of r.
func (h *Handler) loc(r *http.Request) *Locale {
	if l, ok := r.Context().Value(localeKey{}).(*Locale); ok {
		return l
	}
	return h.langs.pick(r)
}

// T returns the message key in l's language, with args formatted the
// language's way: numbers grouped, mfa.Duration, mfa.Phrase and
// mfa.Country worded. A key the catalogue lacks is shown in English.
func (l *Locale) T(key string, args ...any) string {
	if key == "" {
		return ""
	}
	if _, ok := l.msgs[key]; !ok {
		l.miss(key)
	}
	for i, a := range args {
		args[i] = l.arg(a)
	}
	return l.p.Sprintf(key, args...)
}

func (l *Locale) miss(key string) {
	missingMu.Lock()
	f := missingFor
	missingMu.Unlock()
	if f != nil {
		f(l.Code, key)
	}
}

// arg words one argument of a message.
func (l *Locale) arg(a any) any {
	switch v := a.(type) {
	case mfa.Duration:
		return l.Duration(time.Duration(v))
	case mfa.Phrase:
		return l.T(v.Format, append([]any(nil), v.Args...)...)
	case mfa.Country:
		return l.Country(string(v))
	case mfa.Phrases:
		out := make([]string, len(v))
		for i, p := range v {
			out[i] = l.T(p.Format, append([]any(nil), p.Args...)...)
		}
		return strings.Join(out, "; ")
	case time.Time:
		return l.Time(v)
	}
	return a
}

// Err is a refusal in l's language: its format and arguments through the
// catalogue. A refusal without a format (built by hand) shows its English
// message.
func (l *Locale) Err(e *mfa.Error) string {
	if e == nil {
		return ""
	}
	if e.Format == "" {
		return e.Message
	}
	return l.T(e.Format, append([]any(nil), e.Args...)...)
}

// TW is T for a message whose arguments are marked up: each argument is
// put in the element spec names ("code", "strong.phone": a tag and an
// optional class). The message and the arguments are escaped.
func (l *Locale) TW(key, spec string, args ...any) template.HTML {
	tag, class, _ := strings.Cut(spec, ".")
	open := "<" + tag + ">"
	if class != "" {
		open = "<" + tag + ` class="` + template.HTMLEscapeString(class) + `">`
	}
	marks := make([]any, len(args))
	for i := range args {
		marks[i] = fmt.Sprintf("\uE000%d\uE001", i)
	}
	text := textEscaper.Replace(l.T(key, marks...))
	for i, a := range args {
		text = strings.Replace(text, fmt.Sprintf("\uE000%d\uE001", i), open+textEscaper.Replace(fmt.Sprint(l.arg(a)))+"</"+tag+">", 1)
	}
	return template.HTML(text) // #nosec G203 -- every part escaped above
}

// Duration words a wait: "5 minutes", "5 Minuten".
func (l *Locale) Duration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return l.count(int(d/time.Hour), "1 hour", "%d hours")
	case d%time.Minute == 0 && d >= time.Minute:
		return l.count(int(d/time.Minute), "1 minute", "%d minutes")
	}
	return l.count(int(d/time.Second), "1 second", "%d seconds")
}

// count picks the singular or the plural key for n (the UI's languages
// have these two forms).
func (l *Locale) count(n int, one, other string) string {
	if n == 1 {
		return l.T(one)
	}
	return l.T(other, n)
}

// Num writes a whole number the language's way: 12,345 or 12.345.
func (l *Locale) Num(n any) string { return l.p.Sprintf("%v", n) }

// Time writes an instant (UTC) in the language's date and time layout; the
// layout is itself a message ("2006-01-02 15:04:05 UTC").
func (l *Locale) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(l.T("2006-01-02 15:04:05 UTC"))
}

// Clock writes a time of day (UTC): "14:05:00 UTC".
func (l *Locale) Clock(t time.Time) string { return t.UTC().Format(l.T("15:04:05 UTC")) }

// Country names an ISO 3166 region in the language, or returns the code.
func (l *Locale) Country(region string) string {
	r, err := language.ParseRegion(region)
	if err != nil {
		return region
	}
	if n := display.Regions(l.Tag).Name(r); n != "" {
		return n
	}
	return region
}

// msgKey marks s as a catalogue key that is worded later (a table of
// messages picked at run time), so the catalogue tests find it.
func msgKey(s string) string { return s }

// Countries is the phone form's list of countries, named and sorted in
// l's language.
func (l *Locale) Countries() []phone.Country { return l.countries() }

// localCountries names and sorts the countries of phone.Countries in the
// language of tag.
func localCountries(tag language.Tag) []phone.Country {
	if tag == language.English {
		return phone.Countries()
	}
	names := display.Regions(tag)
	out := slices.Clone(phone.Countries())
	for i, c := range out {
		if r, err := language.ParseRegion(c.Region); err == nil {
			if n := names.Name(r); n != "" {
				out[i].Name = n
			}
		}
	}
	col := collate.New(tag, collate.IgnoreCase, collate.IgnoreDiacritics)
	slices.SortFunc(out, func(a, b phone.Country) int {
		if c := col.CompareString(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Region, b.Region)
	})
	return out
}

// langChoice is one entry of the language picker.
type langChoice struct {
	Code, Name string
	Current    bool
}

// choices is the picker's list, the current language marked.
func (ls *locales) choices(cur *Locale) []langChoice {
	out := make([]langChoice, 0, len(ls.list))
	for _, l := range ls.list {
		out = append(out, langChoice{Code: l.Code, Name: l.Name, Current: l == cur})
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Code < out[1+j].Code })
	return out
}

// pickerBack is where the language picker of the page answering r goes
// back to: its path, when a GET there shows a page, else the start page.
// The path only: a query may carry what the page refuses to echo (a bad
// next), and the picker goes back to the page, not its filter.
func (h *Handler) pickerBack(r *http.Request) string {
	p, ok := safeTarget(r.URL.Path, nil, nil)
	if !ok {
		return "/"
	}
	get := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}, Host: r.Host}
	if _, pattern := h.mux.Handler(get); pattern == "" || pattern == "/" {
		return "/"
	}
	return p
}

// setLanguage remembers the language picked in the footer's form and goes
// back to the page it was on. An unknown language is refused, the cookie
// left as it was.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	back, ok := safeTarget(r.PostFormValue("back"), nil, nil)
	if !ok {
		back = "/"
	}
	l, ok := h.langs.byCode[r.PostFormValue("lang")]
	if !ok {
		loc := h.loc(r)
		h.message(w, r, http.StatusBadRequest, messagePage{Heading: loc.T("Language not available"),
			Text: loc.T("Choose one of the languages in the list."), Link: back, LinkLabel: loc.T("Go back")})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.base != nil && h.base.Scheme == "https"})
	redirect(w, r, back)
}
