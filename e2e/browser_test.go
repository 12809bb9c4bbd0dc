package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium tab.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots int
}

func chromiumPath() string {
	if p := os.Getenv("SMSMFA_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath()); err != nil {
		t.Fatalf("Chromium not found at %s (install Debian's chromium, or set SMSMFA_CHROMIUM): %v", chromiumPath(), err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath()), chromedp.WindowSize(412, 915))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &browser{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatal(err)
	}
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail("browser: %v", err)
	}
}

// fail takes a screenshot and stops the test.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	b.shot("failure")
	body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf(format+"\nat %s, page text:\n%s", append(args, loc, body)...)
}

// shot saves a full-page screenshot as a test artifact.
func (b *browser) shot(name string) {
	b.shots++
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.t.ArtifactDir(), fmt.Sprintf("%02d-%s.png", b.shots, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Log(err)
	}
}

func (b *browser) open(path string) { b.t.Helper(); b.do(chromedp.Navigate(b.base + path)) }

// fill types text into the field matched by css, replacing what was there.
func (b *browser) fill(css, text string) {
	b.t.Helper()
	clear := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ok, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = ""; return true })()`, css))(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("no field %s", css)
		}
		return err
	})
	b.do(clear, chromedp.SendKeys(chromedp.CSS(css), text))
}

// click clicks the element matched by css, marking the current document so
// waitFor can tell the next one from it.
func (b *browser) click(css string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(document.documentElement.dataset.old = "1") === "1"`)(ctx, t)
		return err
	}), chromedp.Click(chromedp.CSS(css)))
}

// waitFor waits until a fresh document shows page (its data-page) and the
// text of css contains want ("" for css means only the page).
func (b *browser) waitFor(page, css, want string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => {
		if (document.readyState !== "complete" || document.documentElement.dataset.old) return "";
		const m = document.querySelector("main");
		if (!m || m.dataset.page !== %q) return "";
		if (!%q) return "ok";
		const e = document.querySelector(%q);
		return e && e.textContent.includes(%q) ? "ok" : "";
	})()`, page, css, css, want)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
		if err == nil && v == "ok" {
			return
		}
		time.Sleep(40 * time.Millisecond) // polling a page that is loading, not timing the product
	}
	b.fail("waited for page %q with %s containing %q", page, css, want)
}

func (b *browser) text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fail("read %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// attr returns an attribute of the element matched by css.
func (b *browser) attr(css, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {getAttribute(){return ""}}).getAttribute(%q) || ""`, css, name)))
	if err != nil {
		b.fail("attr %s %s: %v", css, name, err)
	}
	return v
}

func (b *browser) signIn(login, password string) {
	b.t.Helper()
	b.open("/login")
	b.waitFor("login", "h1", "Sign in")
	b.fill("#username", login)
	b.fill("#password", password)
	b.click("button[type=submit]")
}

// enrollSMS sets up Text Message Code from the "Extra verification is
// required" page a sign-in leads to: the number as a person types it
// (typed), the code the sink received for e164; the caller waits for
// where the sign-in goes next.
func (b *browser) enrollSMS(s *server, typed, e164 string) {
	b.t.Helper()
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	b.click(".factor a.button")
	b.waitFor("phone", "h1", "Set up Text Message Code")
	b.fill("#phone", typed)
	b.click("form button[type=submit]")
	b.waitFor("code", "h1", "+1 ••• ••• "+e164[len(e164)-4:])
	c, _ := s.lastCode(e164)
	b.fill("#code", c)
	b.click("form[action='/signin/enroll/sms/code'] button")
}

func (b *browser) signOut() {
	b.t.Helper()
	b.click("header form button")
	b.waitFor("login", ".alert.info", "You have signed out.")
}
