package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"smsmfa/internal/mfa"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds every page parsed with the layout, once per language
// (the functions t, num, fmtTime… speak it), and the stylesheet with its
// content-hashed URL.
type templates struct {
	// pages parses a language's pages (page name → template) on its first
	// use, by language code: a server keeps only the languages its users
	// ask for (each set is some 2 MB of parsed templates).
	pages    map[string]func() (map[string]*template.Template, error)
	css      string
	cssBytes []byte
	// js is the passkey script's content-hashed URL: the only script,
	// on the passkey pages only.
	js      string
	jsBytes []byte
}

var funcs = template.FuncMap{
	"join": strings.Join,
	// dashTable is the data of the dashboard's tables: rows then the total.
	"dashTable": func(name any, rows []dashRow, total dashRow) map[string]any {
		if len(rows) > 1 {
			rows = append(rows[:len(rows):len(rows)], total)
		}
		return map[string]any{"Name": name, "Rows": rows}
	},
	// maxlen is the cap of the field named name (mfa.Fields), for a
	// form's maxlength.
	"maxlen": func(name string) int {
		for _, f := range mfa.Fields() {
			if f.Name == name {
				return f.Max
			}
		}
		return 0
	},
}

// textEscaper escapes a message for the text of a page: the characters
// that could start markup, not apostrophes ("Verify it's you" stays as
// typed, as it was when the text was in the template). In an attribute,
// html/template escapes the rest.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;")

// localeFuncs are the template functions that speak l: t "English text"
// args… (the catalogue), num (a number), fmtTime (a date and time),
// country (a region's name).
func localeFuncs(l *Locale) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) template.HTML {
			return template.HTML(textEscaper.Replace(l.T(key, args...))) // #nosec G203 -- escaped
		},
		"tw":      l.TW,
		"num":     l.Num,
		"fmtTime": l.Time,
		"country": l.Country,
	}
}

// parseTemplates parses every page once per language; an error here stops
// the server.
func parseTemplates() (*templates, error) {
	ls, err := loadLocales()
	if err != nil {
		return nil, err
	}
	css, err := staticFS.ReadFile("static/style.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	t := &templates{pages: map[string]func() (map[string]*template.Template, error){}, css: "/static/" + hex.EncodeToString(sum[:6]) + "/style.css", cssBytes: css}
	if t.jsBytes, err = staticFS.ReadFile("static/webauthn.js"); err != nil {
		return nil, err
	}
	jsSum := sha256.Sum256(t.jsBytes)
	t.js = "/static/" + hex.EncodeToString(jsSum[:6]) + "/webauthn.js"
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, l := range ls.list {
		t.pages[l.Code] = sync.OnceValues(func() (map[string]*template.Template, error) {
			pages := map[string]*template.Template{}
			for _, n := range names {
				if strings.HasSuffix(n, "/layout.html") {
					continue
				}
				page, err := template.New("layout").Funcs(funcs).Funcs(localeFuncs(l)).ParseFS(templateFS, "templates/layout.html", n)
				if err != nil {
					return nil, fmt.Errorf("web: template %s: %w", n, err)
				}
				pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = page
			}
			return pages, nil
		})
	}
	// English at once: a template that does not parse stops the start (the
	// other languages parse the same files with the same functions).
	if _, err := t.pages[ls.english().Code](); err != nil {
		return nil, err
	}
	return t, nil
}

// execute draws the page named name with data in the language l.
func (t *templates) execute(l *Locale, name string, data page) ([]byte, error) {
	parse, ok := t.pages[l.Code]
	if !ok {
		return nil, fmt.Errorf("web: no language %q", l.Code)
	}
	pages, err := parse()
	if err != nil {
		return nil, err
	}
	tpl, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q in %s", name, l.Code)
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// static serves the embedded stylesheet under its hashed URL with a long
// cache lifetime.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	if p := "/static/" + r.PathValue("hash") + "/" + r.PathValue("file"); p == h.tpl.js {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		if _, err := w.Write(h.tpl.jsBytes); err != nil {
			h.log.Warn("write script", "err", err)
		}
		return
	} else if p != h.tpl.css {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if _, err := w.Write(h.tpl.cssBytes); err != nil {
		h.log.WarnContext(r.Context(), "write stylesheet", "err", err)
	}
}
