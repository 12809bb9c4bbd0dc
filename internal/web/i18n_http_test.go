package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// getLang fetches path with an Accept-Language header.
func (s *site) getLang(t *testing.T, c *http.Client, path, acceptLanguage string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body(resp)
}

func TestAcceptLanguagePicksTheLanguage(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	for _, c := range []struct {
		header, lang, text string
	}{
		{"de-CH, en;q=0.5", "de", "<h1>Anmelden</h1>"},
		{"fr-CA,fr;q=0.9", "fr", "<h1>Se connecter</h1>"},
		{"es-MX", "es", "<h1>Iniciar sesión</h1>"},
		{"ja, ko;q=0.8", "en", "<h1>Sign in</h1>"},
		{"", "en", "<h1>Sign in</h1>"},
	} {
		resp, page := s.getLang(t, s.client(t), "/login", c.header)
		if !strings.Contains(page, `<html lang="`+c.lang+`" dir="ltr">`) || !strings.Contains(page, c.text) {
			t.Errorf("Accept-Language %q: want %s and %s in\n%s", c.header, c.lang, c.text, page)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
			t.Errorf("Accept-Language %q: Vary %q", c.header, resp.Header.Get("Vary"))
		}
	}
}

// The language picked in the footer wins over the browser's and is
// remembered for the next requests (a cookie).
func TestPickedLanguageWinsAndIsRemembered(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	if _, page := s.getLang(t, c, "/login", "de"); !strings.Contains(page, `action="/lang"`) || !strings.Contains(page, `<option value="es" lang="es">español</option>`) {
		t.Fatalf("no language picker on the sign-in page:\n%s", page)
	}
	resp := s.post(t, c, "/lang", url.Values{"lang": {"es"}, "back": {"/login"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("pick: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, "smsmfa_lang=es") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "Max-Age=") {
		t.Fatalf("the choice is not remembered: Set-Cookie %q", sc)
	}
	for range 2 {
		if _, page := s.getLang(t, c, "/login", "de"); !strings.Contains(page, `<html lang="es"`) || !strings.Contains(page, "Iniciar sesión") {
			t.Fatalf("the picked language does not win over Accept-Language:\n%s", page)
		}
	}
	// Signed in, the account pages follow the choice too.
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if _, page := s.getLang(t, c, "/account", "de"); !strings.Contains(page, "<h1>Cuenta</h1>") || !strings.Contains(page, "Cerrar sesión") {
		t.Fatalf("the account page is not in Spanish:\n%s", page)
	}
	// Back to English.
	s.post(t, c, "/lang", url.Values{"lang": {"en"}, "back": {"/account"}})
	if _, page := s.getLang(t, c, "/account", "de"); !strings.Contains(page, "<h1>Account</h1>") {
		t.Fatalf("English again:\n%s", page)
	}
}

// An attacker's language cookie, picker form or Accept-Language header is
// ignored: English, no header of theirs, no redirect off the site, no
// markup of theirs on the page.
func TestMaliciousLanguageInputIsIgnored(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	for _, v := range []string{"de\r\nSet-Cookie: evil=1", "../../../etc/passwd", strings.Repeat("d", 4000), "de;", "DE", "<script>", "%64%65"} {
		req, _ := http.NewRequest("GET", s.srv.URL+"/login", nil)
		req.Header.Set("Cookie", "smsmfa_lang="+url.QueryEscape(v))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page := body(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<html lang="en"`) || strings.Contains(page, "<script>") {
			t.Errorf("cookie %q: %d\n%s", v, resp.StatusCode, page)
		}
		if resp.Header.Get("Set-Cookie") != "" && strings.Contains(resp.Header.Get("Set-Cookie"), "evil") {
			t.Errorf("cookie %q: Set-Cookie %q", v, resp.Header.Get("Set-Cookie"))
		}
	}
	// A huge or malformed header: English, answered.
	for _, h := range []string{
		strings.Repeat("zz-ZZ;q=0.1,", 20000) + "de",
		strings.Repeat("de-", 5000),
		"de;q=abc, fr;q=",
		"*;q=0",
		"de\x80\xff, ;;;,,,",
	} {
		resp, page := s.getLang(t, s.client(t), "/login", h)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<html lang="en"`) {
			t.Errorf("Accept-Language of %d bytes: %d lang not en", len(h), resp.StatusCode)
		}
	}
	// The picker takes only a language it has, and goes back only here.
	c := s.client(t)
	for _, lang := range []string{"de\r\nX-Evil: 1", "xx", "<script>alert(1)</script>", "", strings.Repeat("e", 10000)} {
		resp := s.post(t, c, "/lang", url.Values{"lang": {lang}, "back": {"/login"}})
		page := body(resp)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("X-Evil") != "" || strings.Contains(page, "<script>alert") {
			t.Errorf("lang %q: %d Set-Cookie %q", lang, resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
		if !strings.Contains(page, "Language not available") {
			t.Errorf("lang %q: no message on the page:\n%s", lang, page)
		}
	}
	for _, back := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""} {
		resp := s.post(t, c, "/lang", url.Values{"lang": {"fr"}, "back": {back}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("back %q: %d Location %q", back, resp.StatusCode, loc)
		}
	}
}

// A refusal of the domain reaches the page in the user's language, with
// its arguments: tries left, a wait.
func TestRefusalsInTheUsersLanguage(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.SetSMSEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	u, err := s.svc.Users.GetUser(ctx, "user@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550101", Activate: true}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/lang", url.Values{"lang": {"de"}, "back": {"/login"}})
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if resp := s.post(t, c, "/signin/verify/send", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send code: %d %s", resp.StatusCode, body(resp))
	}
	_, page := s.get(t, c, "/signin/verify")
	for _, want := range []string{"Wir haben einen Code an &#43;1 ••• ••• 0101 gesendet.", "Geben Sie den 6-stelligen Code ein. Er läuft in 5 Minuten ab.", "Sie können den Code in 30 Sekunden erneut senden"} {
		if !strings.Contains(page, want) {
			t.Errorf("code page: no %q in\n%s", want, page)
		}
	}
	page = body(s.post(t, c, "/signin/verify", url.Values{"code": {"000000"}}))
	if !strings.Contains(page, "Dieser Code ist nicht richtig. Sie haben noch 4 Versuche mit diesem Code.") {
		t.Errorf("wrong code, in German with the tries left:\n%s", page)
	}
	resp := s.post(t, c, "/signin/verify/resend", nil)
	page = body(resp)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Gerade wurde ein Code gesendet. Sie können in ") || !strings.Contains(page, " Sekunden einen weiteren anfordern.") {
		t.Errorf("resend too soon, in German with the wait: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(page, "%!") {
		t.Errorf("formatting artefact:\n%s", page)
	}
}

// The console in French: a refused settings change says why in French,
// each problem worded; the English message stays for the API and the log.
func TestSettingsRefusalInFrench(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/lang", url.Values{"lang": {"fr"}, "back": {"/login"}})
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	resp := s.post(t, c, "/admin/settings", url.Values{"code_length": {"4"}, "sms_enabled": {"maybe"}})
	page := body(resp)
	want := "Rien n&#39;a été enregistré : code_length doit être un nombre entier de 6 à 10; sms_enabled doit être true ou false"
	if want2 := "Rien n&#39;a été enregistré : sms_enabled doit être true ou false; code_length doit être un nombre entier de 6 à 10"; resp.StatusCode != http.StatusBadRequest || (!strings.Contains(page, want) && !strings.Contains(page, want2)) {
		t.Fatalf("%d, want %q in\n%s", resp.StatusCode, want, page)
	}
	if !strings.Contains(page, "Chiffres d'un code") {
		t.Errorf("the settings' help is not in French")
	}
	err := s.svc.Org.UpdateSettings(context.Background(), map[string]string{"code_length": "4"})
	if e, ok := err.(*mfa.Error); !ok || e.Message != "code_length must be a whole number from 6 to 10" {
		t.Errorf("the domain's message changed: %v", err)
	}
}

// The picker goes back to the page it is on, or to the start page when
// that page has no GET (a form's answer).
func TestPickerGoesBackToAPage(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	if _, page := s.get(t, c, "/login"); !strings.Contains(page, `name="back" value="/login"`) {
		t.Errorf("the sign-in page's picker does not come back to it")
	}
	page := body(s.post(t, c, "/lang", url.Values{"lang": {"xx"}}))
	if !strings.Contains(page, `name="back" value="/"`) {
		t.Errorf("the refusal of /lang sends the picker back to /lang, which has no page")
	}
	if _, page := s.get(t, c, "/no/such/page"); !strings.Contains(page, `name="back" value="/"`) {
		t.Errorf("the not-found page's picker does not go to the start page")
	}
}
