package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokenRequired(t *testing.T) {
	e := newEnv(t)
	e.wantError(e.do("GET", "/api/v1/users", "", nil), 401, "E0000011")
	e.wantError(e.do("GET", "/api/v1/users", "not-a-token", nil), 401, "E0000011")
	ts, _ := e.svc.Tokens.Tokens(e.ctx)
	if err := e.svc.Tokens.RevokeToken(e.ctx, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	e.wantError(e.api("GET", "/api/v1/users", nil), 401, "E0000011")
}

func TestBadBodies(t *testing.T) {
	e := newEnv(t)
	e.wantError(e.api("POST", "/api/v1/users", `{"profile":`), 400, "E0000003")
	e.wantError(e.authn("/api/v1/authn", `["not an object"]`), 400, "E0000003")
	big := `{"profile":{"login":"` + strings.Repeat("a", 70<<10) + `"}}`
	e.wantError(e.api("POST", "/api/v1/users", big), 413, "E0000003")
	// Unknown fields are ignored.
	r := e.api("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": "x@example.com", "shoeSize": 44}, "credentials": map[string]any{"password": map[string]any{"value": "Long-Password-1"}}, "groupIds": []string{"g1"}})
	if r.status != 200 {
		t.Fatalf("unknown fields: %d %s", r.status, r.raw)
	}
	dup := e.api("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": "X@example.com"}})
	e.wantError(dup, 400, "E0000001")
	if c := causes(dup); c[0] != "login: An object with this field already exists in the current organization" {
		t.Fatalf("causes %v", c)
	}
	e.wantError(e.api("GET", "/api/v1/users/nobody", nil), 404, "E0000007")
	e.wantError(e.api("GET", "/api/v1/nothing-here", nil), 404, "E0000022")
	bad := e.api("POST", "/api/v1/users/"+e.user("ft@example.com", true)+"/factors", map[string]any{"factorType": "push"})
	e.wantError(bad, 400, "E0000001")
	// call exists, but is off until an admin turns call_enabled on.
	off := e.api("POST", "/api/v1/users/ft@example.com/factors", map[string]any{"factorType": "call", "profile": map[string]any{"phoneNumber": "+442079460958"}})
	e.wantError(off, 403, "E0000247")
}

func TestUsersAPI(t *testing.T) {
	e := newEnv(t)
	for _, l := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		e.user(l, true)
	}
	p1 := e.api("GET", "/api/v1/users?limit=3", nil) // a, admin (the token's owner), b
	if len(p1.list) != 3 || !strings.Contains(strings.Join(p1.header.Values("Link"), ","), `rel="next"`) {
		t.Fatalf("page 1: %s", p1.raw)
	}
	var next string
	for _, l := range p1.header.Values("Link") {
		if strings.HasSuffix(l, `rel="next"`) {
			next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
		}
	}
	e.wantError(e.api("GET", "/api/v1/users?limit=ten", nil), 400, "E0000001")
	p2 := e.api("GET", next, nil)
	if len(p2.list) != 1 || p2.list[0].(map[string]any)["profile"].(map[string]any)["login"] != "c@example.com" {
		t.Fatalf("page 2 (%s): %s", next, p2.raw)
	}
	byLogin := e.api("GET", "/api/v1/users/b@example.com", nil)
	if byLogin.str("profile", "login") != "b@example.com" || byLogin.str("status") != "ACTIVE" {
		t.Fatalf("by login: %s", byLogin.raw)
	}
	id := byLogin.str("id")
	if d := e.api("DELETE", "/api/v1/users/"+id, nil); d.status != 204 {
		t.Fatalf("deactivate: %d", d.status)
	}
	if g := e.api("GET", "/api/v1/users/"+id, nil); g.str("status") != "DEPROVISIONED" {
		t.Fatalf("after first delete: %s", g.raw)
	}
	e.wantError(e.authn("/api/v1/authn", map[string]any{"username": "b@example.com", "password": "Pass-word-2026"}), 401, "E0000004")
	e.api("DELETE", "/api/v1/users/"+id, nil)
	e.wantError(e.api("GET", "/api/v1/users/"+id, nil), 404, "E0000007")
}

func TestOrgFactorSwitch(t *testing.T) {
	e := newEnv(t)
	r := e.api("POST", "/api/v1/org/factors/okta_sms/lifecycle/deactivate", nil)
	if r.str("status") != "INACTIVE" || r.obj("_links", "activate") == nil {
		t.Fatalf("deactivate: %s", r.raw)
	}
	uid := e.user("o@example.com", true)
	if c := e.api("GET", "/api/v1/users/"+uid+"/factors/catalog", nil); len(c.list) != 0 {
		t.Fatalf("catalog with SMS off: %s", c.raw)
	}
	if s := e.signIn("o@example.com"); s.str("status") != "SUCCESS" {
		t.Fatalf("sign-in with SMS off: %s", s.raw)
	}
	if l := e.api("GET", `/api/v1/org/factors?filter=status+eq+%22ACTIVE%22`, nil); len(l.list) != 0 {
		t.Fatalf("active filter: %s", l.raw)
	}
	a := e.api("GET", "/api/v1/authenticators", nil)
	id := a.list[0].(map[string]any)["id"].(string)
	if a.list[0].(map[string]any)["key"] != "phone_number" || a.list[0].(map[string]any)["status"] != "INACTIVE" {
		t.Fatalf("authenticators: %s", a.raw)
	}
	if on := e.api("POST", "/api/v1/authenticators/"+id+"/lifecycle/activate", nil); on.str("status") != "ACTIVE" {
		t.Fatalf("activate authenticator: %s", on.raw)
	}
	if s := e.signIn("o@example.com"); s.str("status") != "MFA_ENROLL" {
		t.Fatalf("sign-in with SMS on: %s", s.raw)
	}
	evs := e.api("GET", `/api/v1/logs?filter=eventType+eq+%22system.mfa.factor.activate%22+or+eventType+eq+%22system.mfa.factor.deactivate%22`, nil)
	if len(evs.list) != 3 || evs.list[2].(map[string]any)["actor"].(map[string]any)["type"] != "ApiToken" {
		t.Fatalf("switch events: %s", evs.raw)
	}
}

func TestSystemLogAPI(t *testing.T) {
	e := newEnv(t)
	e.user("log@example.com", true)
	for range 3 {
		e.authn("/api/v1/authn", map[string]any{"username": "log@example.com", "password": "wrong"})
		e.clock.Advance(time.Second)
	}
	r := e.api("GET", `/api/v1/logs?filter=eventType+eq+%22user.session.start%22&limit=2`, nil)
	if len(r.list) != 2 {
		t.Fatalf("%s", r.raw)
	}
	ev := r.list[0].(map[string]any)
	if ev["eventType"] != "user.session.start" || ev["outcome"].(map[string]any)["result"] != "FAILURE" ||
		ev["target"].([]any)[0].(map[string]any)["alternateId"] != "log@example.com" || ev["client"].(map[string]any)["ipAddress"] != "127.0.0.1" {
		t.Fatalf("event: %v", ev)
	}
	if _, err := time.Parse(time.RFC3339, ev["published"].(string)); err != nil {
		t.Fatal(err)
	}
	var next string
	for _, l := range r.header.Values("Link") {
		if strings.HasSuffix(l, `rel="next"`) {
			next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
		}
	}
	if next == "" {
		t.Fatal("no next link")
	}
	r2 := e.api("GET", next, nil)
	if len(r2.list) != 1 || r2.list[0].(map[string]any)["uuid"] == ev["uuid"] {
		t.Fatalf("next page: %s", r2.raw)
	}
	until := e.api("GET", "/api/v1/logs?until=2000-01-01T00:00:00.000Z", nil)
	if len(until.list) != 0 {
		t.Fatalf("until: %s", until.raw)
	}
	e.wantError(e.api("GET", `/api/v1/logs?filter=foo+gt+1`, nil), 400, "E0000031")
}

func TestCORSForTrustedOrigins(t *testing.T) {
	e := newEnv(t)
	pre := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/api/v1/authn", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-okta-user-agent-extended")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := pre("https://app.example.com"); res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("untrusted origin: %d %v", res.StatusCode, res.Header)
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"trusted_origins": "https://app.example.com"}); err != nil {
		t.Fatal(err)
	}
	res := pre("https://app.example.com")
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		res.Header.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "X-Okta-User-Agent-Extended") {
		t.Fatalf("trusted preflight: %d %v", res.StatusCode, res.Header)
	}
}

func TestAPIRateLimitHeaders(t *testing.T) {
	e := newEnv(t)
	r := e.api("GET", "/api/v1/users", nil)
	if r.header.Get("X-Rate-Limit-Limit") != "1200" || r.header.Get("X-Rate-Limit-Remaining") != "1199" {
		t.Fatalf("headers: %v", r.header)
	}
	a := e.authn("/api/v1/authn", map[string]any{"username": "n@example.com", "password": "x"})
	if a.header.Get("X-Rate-Limit-Limit") != "600" || a.header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("authn headers: %v", a.header)
	}
}

func TestAPIRateLimitRefusesPastTheSetting(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_api_minute": "10"}); err != nil {
		t.Fatal(err)
	}
	var last resp
	for range 11 {
		last = e.api("GET", "/api/v1/users", nil)
	}
	e.wantError(last, 429, "E0000047")
	if last.header.Get("X-Rate-Limit-Limit") != "10" || last.header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("headers %v", last.header)
	}
	e.clock.Advance(time.Minute)
	if r := e.api("GET", "/api/v1/users", nil); r.status != 200 {
		t.Fatalf("next minute: %d", r.status)
	}
}

// Issue 9, item 6: one address gets limit_password_minute password checks
// a minute (each an argon2id hash), on the authn API as on the form; past
// it, 429 E0000047 with Retry-After, before any hash.
func TestPasswordChecksPerAddressAre429WithRetryAfter(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_password_minute": "5"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Second) // 40 s left in the minute
	for i := range 5 {
		r := e.authn("/api/v1/authn", map[string]any{"username": fmt.Sprintf("spray%d@example.com", i), "password": "Winter2026!"})
		e.wantError(r, 401, "E0000004")
	}
	r := e.authn("/api/v1/authn", map[string]any{"username": "spray9@example.com", "password": "Winter2026!"})
	e.wantError(r, 429, "E0000047")
	if r.header.Get("Retry-After") != "40" || r.header.Get("X-Rate-Limit-Limit") != "5" {
		t.Fatalf("headers: Retry-After %q, X-Rate-Limit-Limit %q", r.header.Get("Retry-After"), r.header.Get("X-Rate-Limit-Limit"))
	}
	e.clock.Advance(40 * time.Second)
	e.wantError(e.authn("/api/v1/authn", map[string]any{"username": "spray9@example.com", "password": "Winter2026!"}), 401, "E0000004")
}

// An application passes its user's address in X-Forwarded-For; one that
// appends to the header its own client sent (as a proxy does) must not let
// that client pick the address its limits and the system log see: the last
// hop, the one the application saw, is the user's.
func TestAppsForwardedAddressIsTheLastHop(t *testing.T) {
	e := newEnv(t)
	body := strings.NewReader(`{"profile":{"login":"fwd@example.com","email":"fwd@example.com"}}`)
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/users?activate=false", body)
	req.Header.Set("Authorization", "SSWS "+e.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.4")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("create user: %d", res.StatusCode)
	}
	evs := e.api("GET", `/api/v1/logs?filter=target.alternateId+eq+%22fwd@example.com%22`, nil)
	if len(evs.list) != 1 {
		t.Fatalf("create events for fwd@example.com: %s", evs.raw)
	}
	ip := evs.list[0].(map[string]any)["client"].(map[string]any)["ipAddress"]
	if ip != "198.51.100.4" {
		t.Fatalf("the event's client address is %v, want the last hop 198.51.100.4", ip)
	}
}
