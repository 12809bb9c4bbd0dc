package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// pickLanguage chooses code in the footer's language picker and sends it.
func (b *browser) pickLanguage(code string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ok, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector("#lang-picker"); if (!e) return false; e.value = %q; return e.value === %q })()`, code, code))(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("no language %s in the picker", code)
		}
		return err
	}))
	b.click(".lang-picker button")
}

// A user picks German at the foot of the sign-in page; the choice stays
// through the sign-in, the setup of Text Message Code and its refusals.
func TestGermanInTheBrowser(t *testing.T) {
	s := startServer(t)
	s.cli("sms", "enable")
	b := newBrowser(t, s.base)

	b.open("/login")
	b.waitFor("login", "h1", "Sign in")
	b.pickLanguage("de")
	b.waitFor("login", "h1", "Anmelden")
	if b.attr("html", "lang") != "de" || b.attr("html", "dir") != "ltr" {
		b.fail("the page does not say it is in German: lang=%q dir=%q", b.attr("html", "lang"), b.attr("html", "dir"))
	}
	b.shot("login-de")
	b.fill("#username", "alice@example.com")
	b.fill("#password", "Alice-Pass-2026")
	b.click("form[action='/login'] button")
	b.waitFor("enroll", "h1", "Für Ihr Konto ist eine zusätzliche Bestätigung erforderlich")
	b.click(".factor a.button")
	b.waitFor("phone", "h1", "SMS-Code einrichten")
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector("#country option[selected]") || {}).textContent || ""`))
	if err != nil || got != "Vereinigte Staaten (+1)" {
		b.fail("the selected country reads %q, want Vereinigte Staaten (+1)", got)
	}
	b.fill("#phone", "not a phone")
	b.click("form button[type=submit]")
	b.waitFor("phone", "#form-error", "Geben Sie eine gültige Mobilfunknummer ein")
	b.shot("phone-refused-de")
	b.fill("#phone", "(415) 555-0123")
	b.click("form button[type=submit]")
	b.waitFor("code", "h1", "Geben Sie den an +1 ••• ••• 0123 gesendeten Code ein")
	b.fill("#code", "000000")
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("code", "#form-error", "Dieser Code ist nicht richtig. Sie haben noch 4 Versuche mit diesem Code.")
	b.shot("code-refused-de")
	code, _ := s.lastCode("+14155550123")
	b.fill("#code", code)
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("account", "h1", "Konto")
	if got := b.text(".factor .badge"); got != "Eingerichtet" {
		b.fail("the factor's badge reads %q, want Eingerichtet", got)
	}
	b.shot("account-de")
}
