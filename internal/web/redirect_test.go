package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestSafeTarget plays issue 9, item 4: every address below came (or
// could come) from a redirectUrl, a form's next or a requested page. An
// allowed one must come back as a Location that a browser resolves on this
// server or on the trusted origin; every other is refused.
func TestSafeTarget(t *testing.T) {
	self, _ := url.Parse("https://mfa.example.com")
	trusted := []string{"https://app.example.com", "http://localhost:3000"}
	for _, tc := range []struct {
		raw, want string // want "" means refused
	}{
		// Allowed, cleaned.
		{"/account", "/account"},
		{"/account/", "/account/"},
		{"/account?tab=sms#extra", "/account?tab=sms#extra"},
		{"/a/./b/../c", "/a/c"},
		{"/../../account", "/account"},
		{"/a//b", "/a/b"},
		{"///evil.example", "/evil.example"},
		{"/%2F%2Fevil.example", "/evil.example"},
		{"/.//evil.example", "/evil.example"},
		{"/caf%C3%A9", "/caf%C3%A9"},
		{"https://mfa.example.com//evil.example/x?y=1", "/evil.example/x?y=1"},
		{"HTTPS://MFA.EXAMPLE.COM/account", "/account"},
		{"https://app.example.com/home?x=1", "https://app.example.com/home?x=1"},
		{"https://app.example.com", "https://app.example.com/"},
		{"https://app.example.com/a/../b", "https://app.example.com/b"},
		{"http://localhost:3000/cb", "http://localhost:3000/cb"},
		// The reported attacks: a backslash after cleaning, a tab.
		{"/./\\evil.example", ""},
		{"/./%5Cevil.example", ""},
		{"/%5Cevil.example", ""},
		{"/\\evil.example", ""},
		{"\\\\evil.example", ""},
		{"/\\\\evil.example", ""},
		{"\\/evil.example", ""},
		{"/\t/evil.example", ""},
		{"/%09/evil.example", ""},
		{"/\n/evil.example", ""},
		{"/%0a/evil.example", ""},
		{"/%0D%0ASet-Cookie:x=1", ""},
		{" /account", ""},
		{"/account ", ""},
		{"/\x00/evil.example", ""},
		{"/%00/evil.example", ""},
		// Scheme-relative, doubled and mixed slashes.
		{"//evil.example", ""},
		{"//evil.example/account", ""},
		{"/\\/evil.example", ""},
		{"%2F%2Fevil.example", ""},
		{"%252F%252Fevil.example", ""},
		// Other schemes and shapes.
		{"javascript:alert(1)", ""},
		{"JaVaScRiPt:alert(1)", ""},
		{"java\tscript:alert(1)", ""},
		{"data:text/html,<script>alert(1)</script>", ""},
		{"vbscript:msgbox", ""},
		{"https:evil.example", ""},
		{"https:/evil.example", ""},
		{"https:///evil.example", ""},
		{"ftp://app.example.com/", ""},
		{"account", ""},
		{"./account", ""},
		{"?next=/x", ""},
		{"#top", ""},
		// Hosts that are not trusted, or look like one.
		{"https://evil.example/", ""},
		{"https://good@evil.example/", ""},
		{"https://app.example.com@evil.example/", ""},
		{"https://evil.example@app.example.com/", ""},
		{"https://app.example.com.evil.example/", ""},
		{"https://app.example.com:8443/", ""},
		{"http://app.example.com/", ""},
		{"https://app.example.com./", ""},
		{"https://%61pp.example.com/", ""},
		{"https://аpp.example.com/", ""}, // Cyrillic а
		{"https://xn--pp-8cd.example.com/", ""},
		{"https://app.example.com\\@evil.example/", ""},
		{"https://[::1]/", ""},
		// Too long.
		{"/" + strings.Repeat("a", 2048), ""},
	} {
		got, ok := safeTarget(tc.raw, self, trusted)
		if tc.want == "" {
			if ok {
				t.Errorf("safeTarget(%q) = %q, want it refused", tc.raw, got)
			}
			continue
		}
		if !ok || got != tc.want {
			t.Errorf("safeTarget(%q) = %q, %v; want %q", tc.raw, got, ok, tc.want)
			continue
		}
		// What a browser makes of the Location: still on this server or
		// on the trusted origin.
		loc, err := self.Parse(got)
		if err != nil || (loc.Host != self.Host && loc.Scheme+"://"+loc.Host != "https://app.example.com" && loc.Scheme+"://"+loc.Host != "http://localhost:3000") {
			t.Errorf("safeTarget(%q) = %q, which a browser reads as %v", tc.raw, got, loc)
		}
	}
}

// Without a base URL or trusted origins only paths are allowed.
func TestSafeTargetLocalOnly(t *testing.T) {
	for raw, want := range map[string]string{"/admin/users/../../..//evil.example": "/evil.example", "/admin/users/..%2F..%2F..%2F%5Cevil": "", "https://app.example.com/": ""} {
		got, ok := safeTarget(raw, nil, nil)
		if got != want || ok != (want != "") {
			t.Errorf("safeTarget(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
}
