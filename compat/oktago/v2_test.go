package oktago

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
)

// v2Client returns an okta-sdk-golang v2 client for s. v2 refuses an http://
// org URL unless WithTestingDisableHttpsCheck(true), and caches GETs by
// default (a cached GET …/factors would hide a DELETE), hence WithCache(false).
// Rate-limit retries are off so that a 429 never makes a test wait.
func v2Client(t *testing.T, s *server, token string) (context.Context, *okta.Client) {
	t.Helper()
	ctx, c, err := okta.NewClient(context.Background(),
		okta.WithOrgUrl(s.url),
		okta.WithToken(token),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRequestTimeout(30),
	)
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return ctx, c
}

func v2Error(t *testing.T, what string, err error, resp *okta.Response, status int, code string, causes int) *okta.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	var e *okta.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %T %v, want *okta.Error", what, err, err)
	}
	if resp == nil || resp.Response == nil || resp.StatusCode != status {
		t.Errorf("%s: response %v, want HTTP %d", what, resp, status)
	}
	if e.ErrorCode != code || e.ErrorLink != code || e.ErrorSummary == "" || e.ErrorId == "" {
		t.Errorf("%s: errorCode %q errorLink %q errorSummary %q errorId %q, want %s and all set", what, e.ErrorCode, e.ErrorLink, e.ErrorSummary, e.ErrorId, code)
	}
	if causes >= 0 && len(e.ErrorCauses) != causes {
		t.Errorf("%s: errorCauses %v, want %d", what, e.ErrorCauses, causes)
	}
	return e
}

func v2CreateUser(t *testing.T, ctx context.Context, c *okta.Client, activate bool) *okta.User {
	t.Helper()
	login := "v2-" + unique() + "@example.com"
	profile := okta.UserProfile{}
	profile["firstName"] = "John"
	profile["lastName"] = "Factor-Lifecycle"
	profile["email"] = login
	profile["login"] = login
	u, resp, err := c.User.CreateUser(ctx, okta.CreateUserRequest{
		Credentials: &okta.UserCredentials{Password: &okta.PasswordCredential{Value: "Abcd1234"}},
		Profile:     &profile,
	}, query.NewQueryParams(query.WithActivate(activate)))
	if err != nil {
		t.Fatalf("CreateUser(activate=%v): %v", activate, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(u.Id, "00u") {
		t.Fatalf("CreateUser: HTTP %d id %q, want 200 and a 00u… id", resp.StatusCode, u.Id)
	}
	return u
}

// Test_exercise_factor_lifecycle is okta-sdk-golang v2's own integration
// test (tests/integration/factor_test.go), with its skip turned into a
// failure and its results checked: a user created with activate=false is
// STAGED; its catalog contains sms; its factor list is empty; enrolling
// {"factorType":"sms","profile":{"phoneNumber":"16284001133"}} (no
// provider, no +) returns an sms factor (PENDING_ACTIVATION, an SMS goes to
// +16284001133); GetFactor finds it; DeleteFactor answers 204 and the list
// is empty again. (The upstream test then deactivates and deletes the user,
// ignoring errors; smsmfa's Users API does not offer that, so it is left out.)
func Test_exercise_factor_lifecycle(t *testing.T) {
	s := fastServer(t)
	ctx, client := v2Client(t, s, s.token)

	user := v2CreateUser(t, ctx, client, false)
	if user.Status != "STAGED" {
		t.Errorf("CreateUser(activate=false): status %q, want STAGED", user.Status)
	}

	allowedFactors, _, err := client.UserFactor.ListSupportedFactors(ctx, user.Id)
	if err != nil {
		t.Fatalf("ListSupportedFactors: %v", err)
	}
	continueTesting := false
	for _, f := range allowedFactors {
		if f.(*okta.UserFactor).FactorType == "sms" {
			continueTesting = true
		}
	}
	if !continueTesting {
		t.Fatalf("the catalog has no sms factor (upstream skips here: \"SMS factor was not enabled\")")
	}

	factors, _, listFactorsError := client.UserFactor.ListFactors(ctx, user.Id)
	if listFactorsError != nil {
		t.Fatalf("Should not error when listing factors: %v", listFactorsError)
	}
	if len(factors) != 0 {
		t.Errorf("Factors list should be empty, got %d", len(factors))
	}

	factorProfile := okta.NewSmsUserFactorProfile()
	factorProfile.PhoneNumber = "16284001133"
	factor := okta.NewSmsUserFactor()
	factor.Profile = factorProfile

	mark := s.mark(t)
	addedFactor, resp, err := client.UserFactor.EnrollFactor(ctx, user.Id, factor, nil)
	if resp == nil {
		t.Fatalf("EnrollFactor: no response (%v)", err)
	}
	if err != nil {
		t.Fatalf("Adding factor should not error: %v", err)
	}
	added, ok := addedFactor.(*okta.SmsUserFactor)
	if !ok {
		t.Fatalf("EnrollFactor returned %T, want *okta.SmsUserFactor", addedFactor)
	}
	if added.Id == "" || added.FactorType != "sms" || added.Provider != "OKTA" || added.Status != "PENDING_ACTIVATION" {
		t.Errorf("EnrollFactor: id %q factorType %q provider %q status %q, want an id, sms, OKTA (the default), PENDING_ACTIVATION",
			added.Id, added.FactorType, added.Provider, added.Status)
	}
	if added.Profile == nil || !strings.HasSuffix(added.Profile.PhoneNumber, "6284001133") {
		t.Errorf("EnrollFactor: profile %+v, want the number 16284001133", added.Profile)
	}
	s.waitSMS(t, "+16284001133", mark)

	foundFactor, _, err := client.UserFactor.GetFactor(ctx, user.Id, added.Id, okta.NewSmsUserFactor())
	if err != nil {
		t.Fatalf("Getting the factor should not error: %v", err)
	}
	found := foundFactor.(*okta.SmsUserFactor)
	if found.Id != added.Id || found.Status != "PENDING_ACTIVATION" {
		t.Errorf("GetFactor: id %q status %q, want %q PENDING_ACTIVATION", found.Id, found.Status, added.Id)
	}

	resp, err = client.UserFactor.DeleteFactor(ctx, user.Id, found.Id)
	if err != nil {
		t.Fatalf("DeleteFactor: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("DeleteFactor: HTTP %d, want 204", resp.StatusCode)
	}
	factors, _, err = client.UserFactor.ListFactors(ctx, user.Id)
	if err != nil {
		t.Fatalf("ListFactors after DeleteFactor: %v", err)
	}
	if len(factors) != 0 {
		t.Errorf("ListFactors after DeleteFactor: %d factors, want none", len(factors))
	}
}

// TestV2ActivateAndVerify: with the v2 SDK, enroll sms (no provider sent),
// activate with a wrong code (*okta.Error E0000068, one cause, 403) and the
// right one (ACTIVE), challenge with VerifyFactor and an empty request (body
// {}: factorResult CHALLENGE, an SMS arrives), verify a wrong code
// (E0000068) and the right one (SUCCESS); ListFactors shows the factor.
func TestV2ActivateAndVerify(t *testing.T) {
	s := fastServer(t)
	ctx, client := v2Client(t, s, s.token)
	user := v2CreateUser(t, ctx, client, true)
	if user.Status != "ACTIVE" {
		t.Errorf("CreateUser(activate=true): status %q, want ACTIVE", user.Status)
	}
	phone := phoneNumber()

	factor := okta.NewSmsUserFactor()
	factor.Profile = &okta.SmsUserFactorProfile{PhoneNumber: phone}
	mark := s.mark(t)
	enrolled, _, err := client.UserFactor.EnrollFactor(ctx, user.Id, factor, nil)
	if err != nil {
		t.Fatalf("EnrollFactor: %v", err)
	}
	fid := enrolled.(*okta.SmsUserFactor).Id
	_, code := s.waitSMS(t, phone, mark)

	_, resp, err := client.UserFactor.ActivateFactor(ctx, user.Id, fid, okta.ActivateFactorRequest{PassCode: wrongCode(code)}, okta.NewSmsUserFactor())
	v2Error(t, "ActivateFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)

	activated, _, err := client.UserFactor.ActivateFactor(ctx, user.Id, fid, okta.ActivateFactorRequest{PassCode: code}, okta.NewSmsUserFactor())
	if err != nil {
		t.Fatalf("ActivateFactor(right code): %v", err)
	}
	if a := activated.(*okta.SmsUserFactor); a.Status != "ACTIVE" || a.Id != fid {
		t.Fatalf("ActivateFactor: id %q status %q, want %q ACTIVE", a.Id, a.Status, fid)
	}

	list, _, err := client.UserFactor.ListFactors(ctx, user.Id)
	if err != nil {
		t.Fatalf("ListFactors: %v", err)
	}
	if len(list) != 1 || list[0].(*okta.UserFactor).Id != fid || list[0].(*okta.UserFactor).Status != "ACTIVE" {
		t.Errorf("ListFactors: %+v, want the one ACTIVE factor %s", list, fid)
	}

	mark = s.mark(t)
	vr, _, err := client.UserFactor.VerifyFactor(ctx, user.Id, fid, okta.VerifyFactorRequest{}, okta.NewSmsUserFactor(), nil)
	if err != nil {
		t.Fatalf("VerifyFactor({}: challenge): %v", err)
	}
	if vr.FactorResult != "CHALLENGE" {
		t.Fatalf("VerifyFactor(challenge): factorResult %q, want CHALLENGE", vr.FactorResult)
	}
	_, code = s.waitSMS(t, phone, mark)

	_, resp, err = client.UserFactor.VerifyFactor(ctx, user.Id, fid, okta.VerifyFactorRequest{PassCode: wrongCode(code)}, okta.NewSmsUserFactor(), nil)
	v2Error(t, "VerifyFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)

	vr, _, err = client.UserFactor.VerifyFactor(ctx, user.Id, fid, okta.VerifyFactorRequest{PassCode: code}, okta.NewSmsUserFactor(), nil)
	if err != nil {
		t.Fatalf("VerifyFactor(right code): %v", err)
	}
	if vr.FactorResult != "SUCCESS" {
		t.Errorf("VerifyFactor(right code): factorResult %q, want SUCCESS", vr.FactorResult)
	}
}

// TestV2InvalidToken: an unknown API token gets 401 E0000011 "Invalid token
// provided", which v2 decodes into *okta.Error.
func TestV2InvalidToken(t *testing.T) {
	s := fastServer(t)
	ctx, client := v2Client(t, s, "00notavalidtoken00000000000000000000000000")
	_, resp, err := client.User.GetUser(ctx, "00u0000000000000000")
	e := v2Error(t, "GetUser with an invalid token", err, resp, http.StatusUnauthorized, "E0000011", -1)
	if e.ErrorSummary != "Invalid token provided" {
		t.Errorf("errorSummary %q, want %q", e.ErrorSummary, "Invalid token provided")
	}
	_, resp, err = client.UserFactor.ListFactors(ctx, "00u0000000000000000")
	v2Error(t, "ListFactors with an invalid token", err, resp, http.StatusUnauthorized, "E0000011", -1)
}
