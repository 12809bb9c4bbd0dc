package oktago

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// v5Client returns an okta-sdk-golang v5 client for s, configured the way
// an application would, plus the one workaround the SDK needs: v5.0.2 keeps
// only the host name of the org URL (cfg.Host = url.Hostname()) and so would
// dial port 80; cfg.Host is set back to host:port after NewConfiguration.
// Rate-limit retries are off (the v5 default, made explicit so no
// okta.yaml or OKTA_* variable can make a test wait on a 429).
func v5Client(t *testing.T, s *server, token string) *okta.APIClient {
	t.Helper()
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(s.url),
		okta.WithToken(token),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRequestTimeout(30),
	)
	if err != nil {
		t.Fatalf("okta.NewConfiguration: %v", err)
	}
	if cfg.Host != "127.0.0.1" {
		t.Fatalf("cfg.Host = %q after NewConfiguration; the port-bug workaround assumes v5.0.2's %q", cfg.Host, "127.0.0.1")
	}
	cfg.Host = s.hostport
	return okta.NewAPIClient(cfg)
}

// v5Error returns the okta.Error the SDK decoded from an error response.
func v5Error(t *testing.T, what string, err error) okta.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want an Okta error", what)
	}
	var gerr *okta.GenericOpenAPIError
	if !errors.As(err, &gerr) {
		t.Fatalf("%s: error %T %v, want *okta.GenericOpenAPIError", what, err, err)
	}
	m, ok := gerr.Model().(okta.Error)
	if !ok {
		t.Fatalf("%s: error %q has model %T (body %s), want okta.Error", what, gerr.Error(), gerr.Model(), gerr.Body())
	}
	return m
}

func checkV5Error(t *testing.T, what string, err error, resp *okta.APIResponse, status int, code string, causes int) okta.Error {
	t.Helper()
	e := v5Error(t, what, err)
	if resp == nil || resp.StatusCode != status {
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		t.Errorf("%s: HTTP %d, want %d", what, got, status)
	}
	if e.GetErrorCode() != code || e.GetErrorLink() != code {
		t.Errorf("%s: errorCode %q errorLink %q, want %s", what, e.GetErrorCode(), e.GetErrorLink(), code)
	}
	if e.GetErrorSummary() == "" || e.GetErrorId() == "" {
		t.Errorf("%s: errorSummary %q errorId %q, want both set", what, e.GetErrorSummary(), e.GetErrorId())
	}
	if causes >= 0 && len(e.ErrorCauses) != causes {
		t.Errorf("%s: %d errorCauses %+v, want %d", what, len(e.ErrorCauses), e.ErrorCauses, causes)
	}
	for i, c := range e.ErrorCauses {
		if c.GetErrorSummary() == "" {
			t.Errorf("%s: errorCauses[%d] has no errorSummary", what, i)
		}
	}
	return e
}

func v5CreateUser(t *testing.T, c *okta.APIClient, activate bool) *okta.User {
	t.Helper()
	login := "v5-" + unique() + "@example.com"
	profile := okta.NewUserProfile()
	profile.SetFirstName("Isaac")
	profile.SetLastName("Brock")
	profile.SetEmail(login)
	profile.SetLogin(login)
	body := okta.NewCreateUserRequest(*profile)
	body.SetCredentials(okta.UserCredentials{Password: &okta.PasswordCredential{Value: okta.PtrString("Abcd1234!-compat")}})
	u, resp, err := c.UserAPI.CreateUser(context.Background()).Body(*body).Activate(activate).Execute()
	if err != nil {
		t.Fatalf("CreateUser(activate=%v): %v %s", activate, err, errBody(err))
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateUser: HTTP %d, want 200", resp.StatusCode)
	}
	if !strings.HasPrefix(u.GetId(), "00u") {
		t.Errorf("CreateUser: id %q, want a 00u… id", u.GetId())
	}
	if p := u.GetProfile(); p.GetLogin() != login || p.GetEmail() != login || p.GetFirstName() != "Isaac" {
		t.Errorf("CreateUser: profile login %q email %q firstName %q, want the request's", p.GetLogin(), p.GetEmail(), p.GetFirstName())
	}
	return u
}

func errBody(err error) string {
	var gerr *okta.GenericOpenAPIError
	if errors.As(err, &gerr) {
		return string(gerr.Body())
	}
	return ""
}

func smsFactor(t *testing.T, what string, f *okta.ListFactors200ResponseInner) *okta.UserFactorSMS {
	t.Helper()
	if f == nil || f.UserFactorSMS == nil {
		t.Fatalf("%s: response did not decode as a UserFactorSMS (factorType \"sms\"): %+v", what, f)
	}
	return f.UserFactorSMS
}

func smsEnrollBody(phone string) okta.ListFactors200ResponseInner {
	f := okta.NewUserFactorSMS()
	f.FactorType = "sms"
	f.SetProvider("OKTA")
	if phone != "" {
		f.SetProfile(okta.UserFactorSMSProfile{PhoneNumber: okta.PtrString(phone)})
	}
	return okta.UserFactorSMSAsListFactors200ResponseInner(f)
}

// TestV5CreateAndGetUser: UserAPI.CreateUser with a password and
// activate=true gives an ACTIVE user whose password is not echoed; GetUser
// finds it by id and by login.
func TestV5CreateAndGetUser(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	u := v5CreateUser(t, c, true)
	if u.GetStatus() != "ACTIVE" {
		t.Errorf("CreateUser(activate=true): status %q, want ACTIVE", u.GetStatus())
	}
	if cr := u.GetCredentials(); cr.Password != nil && cr.Password.Value != nil {
		t.Errorf("CreateUser: the response carries the password value")
	}
	if _, ok := u.GetCreatedOk(); !ok {
		t.Errorf("CreateUser: no created timestamp")
	}
	got, resp, err := c.UserAPI.GetUser(ctx, u.GetId()).Execute()
	if err != nil {
		t.Fatalf("GetUser(id): %v %s", err, errBody(err))
	}
	if resp.StatusCode != http.StatusOK || got.GetId() != u.GetId() || got.GetStatus() != "ACTIVE" {
		t.Errorf("GetUser(id): HTTP %d id %q status %q, want 200 %q ACTIVE", resp.StatusCode, got.GetId(), got.GetStatus(), u.GetId())
	}
	p := u.GetProfile()
	byLogin, _, err := c.UserAPI.GetUser(ctx, p.GetLogin()).Execute()
	if err != nil {
		t.Fatalf("GetUser(login): %v %s", err, errBody(err))
	}
	if byLogin.GetId() != u.GetId() {
		t.Errorf("GetUser(login) found %q, want %q", byLogin.GetId(), u.GetId())
	}
	_, resp, err = c.UserAPI.GetUser(ctx, "00unknownnnnnnnnnnnn").Execute()
	checkV5Error(t, "GetUser(unknown id)", err, resp, http.StatusNotFound, "E0000007", -1)
}

// TestV5CatalogAndEmptyList: a new user's ListSupportedFactors contains sms
// (provider OKTA, NOT_SETUP) and ListFactors is empty.
func TestV5CatalogAndEmptyList(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	u := v5CreateUser(t, c, true)
	cat, _, err := c.UserFactorAPI.ListSupportedFactors(ctx, u.GetId()).Execute()
	if err != nil {
		t.Fatalf("ListSupportedFactors: %v %s", err, errBody(err))
	}
	found := false
	for _, f := range cat {
		if f.GetFactorType() == "sms" {
			found = true
			if f.GetProvider() != "OKTA" || f.GetStatus() != "NOT_SETUP" {
				t.Errorf("catalog sms entry: provider %q status %q, want OKTA NOT_SETUP", f.GetProvider(), f.GetStatus())
			}
			if e := f.GetEnrollment(); e != "REQUIRED" && e != "OPTIONAL" {
				t.Errorf("catalog sms entry: enrollment %q, want REQUIRED or OPTIONAL", e)
			}
		}
	}
	if !found {
		t.Fatalf("ListSupportedFactors has no factorType sms: %+v", cat)
	}
	list, resp, err := c.UserFactorAPI.ListFactors(ctx, u.GetId()).Execute()
	if err != nil {
		t.Fatalf("ListFactors: %v %s", err, errBody(err))
	}
	if resp.StatusCode != http.StatusOK || len(list) != 0 {
		t.Errorf("ListFactors of a new user: HTTP %d, %d factors, want 200 and none", resp.StatusCode, len(list))
	}
}

// TestV5SMSFactorLifecycle: enroll sms with a phone (PENDING_ACTIVATION, an
// SMS arrives), activate with a wrong code (403 E0000068 with one cause)
// then the right one (ACTIVE), challenge with VerifyFactor and no body
// (the SDK sends the body null; factorResult CHALLENGE, an SMS arrives),
// verify a wrong code (E0000068) then the right one (SUCCESS),
// UnenrollFactor (204, list empty), re-enroll with no profile (the factor
// takes the previously verified number and the SMS goes there), activate.
func TestV5SMSFactorLifecycle(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	u := v5CreateUser(t, c, true)
	uid := u.GetId()
	phone := phoneNumber()

	mark := s.mark(t)
	res, resp, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(phone)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(sms %s): %v %s", phone, err, errBody(err))
	}
	f := smsFactor(t, "EnrollFactor", res)
	fid := f.GetId()
	if resp.StatusCode != http.StatusOK || fid == "" || f.GetStatus() != "PENDING_ACTIVATION" {
		t.Fatalf("EnrollFactor: HTTP %d id %q status %q, want 200, an id, PENDING_ACTIVATION", resp.StatusCode, fid, f.GetStatus())
	}
	if f.GetProvider() != "OKTA" || f.FactorType != "sms" {
		t.Errorf("EnrollFactor: factorType %v provider %q, want sms OKTA", f.FactorType, f.GetProvider())
	}
	if p := f.GetProfile(); p.GetPhoneNumber() != phone {
		t.Errorf("EnrollFactor: profile.phoneNumber %q, want %q", p.GetPhoneNumber(), phone)
	}
	_, code := s.waitSMS(t, phone, mark)

	_, resp, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(code)}).Execute()
	checkV5Error(t, "ActivateFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)

	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor(right code): %v %s", err, errBody(err))
	}
	if f := smsFactor(t, "ActivateFactor", res); f.GetStatus() != "ACTIVE" || f.GetId() != fid {
		t.Fatalf("ActivateFactor: id %q status %q, want %q ACTIVE", f.GetId(), f.GetStatus(), fid)
	}

	got, _, err := c.UserFactorAPI.GetFactor(ctx, uid, fid).Execute()
	if err != nil {
		t.Fatalf("GetFactor: %v %s", err, errBody(err))
	}
	if g := smsFactor(t, "GetFactor", got); g.GetStatus() != "ACTIVE" || phoneOf(g) != phone {
		t.Errorf("GetFactor: status %q phone %q, want ACTIVE %s", g.GetStatus(), phoneOf(g), phone)
	}
	list, _, err := c.UserFactorAPI.ListFactors(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("ListFactors: %v %s", err, errBody(err))
	}
	if len(list) != 1 || list[0].UserFactorSMS == nil || list[0].UserFactorSMS.GetId() != fid {
		t.Errorf("ListFactors after activation: %+v, want the one sms factor %s", list, fid)
	}

	mark = s.mark(t)
	vr, resp, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Execute()
	if err != nil {
		t.Fatalf("VerifyFactor(no body: challenge): %v %s", err, errBody(err))
	}
	if resp.StatusCode != http.StatusOK || vr.GetFactorResult() != "CHALLENGE" {
		t.Fatalf("VerifyFactor(challenge): HTTP %d factorResult %q, want 200 CHALLENGE", resp.StatusCode, vr.GetFactorResult())
	}
	_, code = s.waitSMS(t, phone, mark)

	_, resp, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(code)}).Execute()
	checkV5Error(t, "VerifyFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)

	vr, _, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("VerifyFactor(right code): %v %s", err, errBody(err))
	}
	if vr.GetFactorResult() != "SUCCESS" {
		t.Fatalf("VerifyFactor(right code): factorResult %q, want SUCCESS", vr.GetFactorResult())
	}

	resp, err = c.UserFactorAPI.UnenrollFactor(ctx, uid, fid).Execute()
	if err != nil {
		t.Fatalf("UnenrollFactor: %v %s", err, errBody(err))
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("UnenrollFactor: HTTP %d, want 204", resp.StatusCode)
	}
	list, _, err = c.UserFactorAPI.ListFactors(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("ListFactors after UnenrollFactor: %v %s", err, errBody(err))
	}
	if len(list) != 0 {
		t.Errorf("ListFactors after UnenrollFactor: %d factors, want none", len(list))
	}
	// The user now has a verified phone but no factor: the catalog must still
	// decode in v5 (its _embedded values must be objects, okta-api.md §6.1).
	cat, _, err := c.UserFactorAPI.ListSupportedFactors(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("ListSupportedFactors with a verified phone on file: %v %s", err, errBody(err))
	}
	if !hasSMS(cat) {
		t.Errorf("ListSupportedFactors after UnenrollFactor has no sms: %+v", cat)
	}

	// Re-enroll with no phone at all: the body is {"factorType":"sms","provider":"OKTA"}.
	mark = s.mark(t)
	res, _, err = c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody("")).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(no profile) after a delete: %v %s", err, errBody(err))
	}
	f = smsFactor(t, "EnrollFactor(no profile)", res)
	if f.GetStatus() != "PENDING_ACTIVATION" || phoneOf(f) != phone {
		t.Errorf("EnrollFactor(no profile): status %q phone %q, want PENDING_ACTIVATION with the verified %s", f.GetStatus(), phoneOf(f), phone)
	}
	_, code = s.waitSMS(t, phone, mark)
	for _, m := range s.since(t, mark) {
		if m.To != phone {
			t.Errorf("EnrollFactor(no profile) texted %s, want only the verified %s", m.To, phone)
		}
	}
	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, f.GetId()).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor after re-enroll: %v %s", err, errBody(err))
	}
	if f := smsFactor(t, "ActivateFactor after re-enroll", res); f.GetStatus() != "ACTIVE" {
		t.Errorf("ActivateFactor after re-enroll: status %q, want ACTIVE", f.GetStatus())
	}
}

// TestV5EnrollDifferentNumberNeedsUpdatePhone (okta-api.md §7.8): after a
// delete, enrolling a different number without updatePhone is refused with
// 400 E0000001 "There is an existing verified phone number."; with
// UpdatePhone(true) it is accepted and the code goes to the new number.
func TestV5EnrollDifferentNumberNeedsUpdatePhone(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	first, second := phoneNumber(), phoneNumber()

	mark := s.mark(t)
	res, _, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(first)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor: %v %s", err, errBody(err))
	}
	fid := smsFactor(t, "EnrollFactor", res).GetId()
	_, code := s.waitSMS(t, first, mark)
	if _, _, err := c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute(); err != nil {
		t.Fatalf("ActivateFactor: %v %s", err, errBody(err))
	}
	if _, err := c.UserFactorAPI.UnenrollFactor(ctx, uid, fid).Execute(); err != nil {
		t.Fatalf("UnenrollFactor: %v %s", err, errBody(err))
	}

	mark = s.mark(t)
	_, resp, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(second)).Execute()
	e := checkV5Error(t, "EnrollFactor(other number, no updatePhone)", err, resp, http.StatusBadRequest, "E0000001", 1)
	if len(e.ErrorCauses) == 1 && e.ErrorCauses[0].GetErrorSummary() != "There is an existing verified phone number." {
		t.Errorf("EnrollFactor(other number): cause %q, want %q", e.ErrorCauses[0].GetErrorSummary(), "There is an existing verified phone number.")
	}

	res, _, err = c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(second)).UpdatePhone(true).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(other number, updatePhone=true): %v %s", err, errBody(err))
	}
	if f := smsFactor(t, "EnrollFactor(updatePhone)", res); f.GetStatus() != "PENDING_ACTIVATION" || phoneOf(f) != second {
		t.Errorf("EnrollFactor(updatePhone): status %q phone %q, want PENDING_ACTIVATION %s", f.GetStatus(), phoneOf(f), second)
	}
	s.waitSMS(t, second, mark)
	for _, m := range s.since(t, mark) {
		if m.To == first {
			t.Errorf("an SMS went to the old number %s during the refused and the updatePhone enrollments", first)
		}
	}
}

// TestV5ActivateTrueThenQuickChallenge (cooldown 30 s): EnrollFactor with
// ?activate=true gives ACTIVE and sends no SMS (the following challenge is
// the only message, and is not refused by the cooldown), the challenge code
// verifies, and a quick second challenge is refused with 429, which the v5
// SDK reports only as "too many requests" (it never surfaces 429 bodies);
// the raw 429 carries E0000109 and X-Rate-Limit-Reset.
func TestV5ActivateTrueThenQuickChallenge(t *testing.T) {
	s := cooldownServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	phone := phoneNumber()

	mark := s.mark(t)
	res, _, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(phone)).Activate(true).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(activate=true): %v %s", err, errBody(err))
	}
	f := smsFactor(t, "EnrollFactor(activate=true)", res)
	if f.GetStatus() != "ACTIVE" {
		t.Fatalf("EnrollFactor(activate=true): status %q, want ACTIVE", f.GetStatus())
	}
	fid := f.GetId()

	vr, _, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Execute()
	if err != nil {
		t.Fatalf("VerifyFactor(challenge) right after an activate=true enrollment: %v %s", err, errBody(err))
	}
	if vr.GetFactorResult() != "CHALLENGE" {
		t.Fatalf("VerifyFactor(challenge): factorResult %q, want CHALLENGE", vr.GetFactorResult())
	}
	_, code := s.waitSMS(t, phone, mark)
	if n := len(s.since(t, mark)); n != 1 {
		t.Errorf("%d SMS since the activate=true enrollment, want only the challenge's (activate=true sends none)", n)
	}

	_, resp, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Execute()
	if err == nil || err.Error() != "too many requests" {
		t.Errorf("second VerifyFactor(challenge) within 30 s: error %v, want the SDK's \"too many requests\"", err)
	}
	if resp != nil && resp.Response != nil && resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second challenge: HTTP %d, want 429", resp.StatusCode)
	}

	status, h, body := s.rawRequest(t, "POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", "null")
	var e struct{ ErrorCode string }
	json.Unmarshal(body, &e)
	if status != http.StatusTooManyRequests || e.ErrorCode != "E0000109" || h.Get("X-Rate-Limit-Reset") == "" {
		t.Errorf("raw quick challenge: HTTP %d X-Rate-Limit-Reset %q body %s, want 429 E0000109 with the header", status, h.Get("X-Rate-Limit-Reset"), body)
	}

	vr, _, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("VerifyFactor(code): %v %s", err, errBody(err))
	}
	if vr.GetFactorResult() != "SUCCESS" {
		t.Errorf("VerifyFactor(code): factorResult %q, want SUCCESS", vr.GetFactorResult())
	}
}

// TestV5ActivationAttemptLimit (okta-api.md §3.5, §7.8): the sixth
// activation attempt within 5 minutes is refused with 429 (E0000047 on the
// wire; "too many requests" from the SDK).
func TestV5ActivationAttemptLimit(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	phone := phoneNumber()
	mark := s.mark(t)
	res, _, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(phone)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor: %v %s", err, errBody(err))
	}
	fid := smsFactor(t, "EnrollFactor", res).GetId()
	_, code := s.waitSMS(t, phone, mark)
	for i := 1; i <= 5; i++ {
		_, resp, err := c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(code)}).Execute()
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("wrong activation %d: %v, want a 403", i, err)
		}
	}
	_, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err == nil || err.Error() != "too many requests" {
		t.Errorf("sixth activation within 5 minutes: error %v, want the SDK's \"too many requests\"", err)
	}
	status, h, body := s.rawRequest(t, "POST", "/api/v1/users/"+uid+"/factors/"+fid+"/lifecycle/activate", `{"passCode":"`+code+`"}`)
	var e struct{ ErrorCode string }
	json.Unmarshal(body, &e)
	if status != http.StatusTooManyRequests || e.ErrorCode != "E0000047" || h.Get("X-Rate-Limit-Reset") == "" {
		t.Errorf("raw seventh activation: HTTP %d X-Rate-Limit-Reset %q body %s, want 429 E0000047 with the header", status, h.Get("X-Rate-Limit-Reset"), body)
	}
}

// TestV5InvalidToken: every call with an unknown API token is answered 401
// E0000011 "Invalid token provided". v5 decodes error models only for
// 400/403/404/429, so the 401 body is read from the SDK's error.
func TestV5InvalidToken(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, "00notavalidtoken00000000000000000000000000")
	ctx := context.Background()
	_, resp, err := c.UserAPI.GetUser(ctx, "00u0000000000000000").Execute()
	check401 := func(what string, err error, resp *okta.APIResponse) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s with an invalid token: no error", what)
		}
		if resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with an invalid token: response %v, want HTTP 401", what, resp)
		}
		var body okta.Error
		if jerr := json.Unmarshal([]byte(errBody(err)), &body); jerr != nil {
			t.Fatalf("%s: 401 body %q: %v", what, errBody(err), jerr)
		}
		if body.GetErrorCode() != "E0000011" || body.GetErrorSummary() != "Invalid token provided" {
			t.Errorf("%s: errorCode %q errorSummary %q, want E0000011 Invalid token provided", what, body.GetErrorCode(), body.GetErrorSummary())
		}
	}
	check401("GetUser", err, resp)
	_, resp, err = c.UserFactorAPI.ListFactors(ctx, "00u0000000000000000").Execute()
	check401("ListFactors", err, resp)
}

// wrongCode returns a code of the same length that is not code.
func wrongCode(code string) string {
	b := []byte(code)
	for i := range b {
		b[i] = '0' + (b[i]-'0'+1)%10
	}
	return string(b)
}

func phoneOf(f *okta.UserFactorSMS) string {
	p := f.GetProfile()
	return p.GetPhoneNumber()
}

func hasSMS(cat []okta.UserFactorSupported) bool {
	for _, f := range cat {
		if f.GetFactorType() == "sms" {
			return true
		}
	}
	return false
}

// TestV5ResendEnrollFactor: ResendEnrollFactor on a PENDING_ACTIVATION sms
// factor (body: the factor, as the SDK's model has it) answers with the sms
// factor, texts a new code to the same number, and the new code activates.
func TestV5ResendEnrollFactor(t *testing.T) {
	s := fastServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	phone := phoneNumber()
	mark := s.mark(t)
	res, _, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(smsEnrollBody(phone)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor: %v %s", err, errBody(err))
	}
	fid := smsFactor(t, "EnrollFactor", res).GetId()
	_, first := s.waitSMS(t, phone, mark)

	body := okta.NewUserFactorSMS()
	body.FactorType = "sms"
	body.SetProvider("OKTA")
	body.SetProfile(okta.UserFactorSMSProfile{PhoneNumber: okta.PtrString(phone)})
	mark = s.mark(t)
	rr, resp, err := c.UserFactorAPI.ResendEnrollFactor(ctx, uid, fid).ResendEnrollFactorRequest(okta.UserFactorSMSAsResendEnrollFactorRequest(body)).Execute()
	if err != nil {
		t.Fatalf("ResendEnrollFactor: %v %s", err, errBody(err))
	}
	if resp.StatusCode != http.StatusOK || rr == nil || rr.UserFactorSMS == nil {
		t.Fatalf("ResendEnrollFactor: HTTP %d, response %+v, want 200 and an sms factor", resp.StatusCode, rr)
	}
	if f := rr.UserFactorSMS; f.GetId() != fid || f.GetStatus() != "PENDING_ACTIVATION" {
		t.Errorf("ResendEnrollFactor: id %q status %q, want %q PENDING_ACTIVATION", f.GetId(), f.GetStatus(), fid)
	}
	_, code := s.waitSMS(t, phone, mark)
	if code != first {
		_, resp, err := c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": first}).Execute()
		checkV5Error(t, "ActivateFactor(the code replaced by the resend)", err, resp, http.StatusForbidden, "E0000068", 1)
	}
	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor(resent code): %v %s", err, errBody(err))
	}
	if f := smsFactor(t, "ActivateFactor", res); f.GetStatus() != "ACTIVE" {
		t.Errorf("ActivateFactor(resent code): status %q, want ACTIVE", f.GetStatus())
	}
}
