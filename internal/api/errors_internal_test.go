package api

import (
	"errors"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// TestEveryRefusalHasAnOktaCode checks the one translation table: each
// domain refusal the SMS flow can produce maps to Okta's code and status.
func TestEveryRefusalHasAnOktaCode(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		reason mfa.Reason
		cause  string
		status int
		code   string
	}{
		{mfa.RAuthFailed, "", 401, "E0000004"},
		{mfa.RInvalidToken, "", 401, "E0000011"},
		{mfa.RWrongState, "", 403, "E0000079"},
		{mfa.RPhoneInvalid, "", 400, "E0000001"},
		{mfa.RPhoneUnverifiable, "", 400, "E0000098"},
		{mfa.RPhoneType, "", 400, "E0000001"},
		{mfa.RPhoneCountry, "", 400, "E0000001"},
		{mfa.RPhoneRequired, "", 403, "E0000097"},
		{mfa.RPhoneExists, "", 400, "E0000001"},
		{mfa.RFactorExists, "", 400, "E0000001"},
		{mfa.RFactorDisabled, "", 403, "E0000247"},
		{mfa.RFactorNotFound, "", 404, "E0000007"},
		{mfa.RUserNotFound, "", 404, "E0000007"},
		{mfa.RFactorNotActive, "", 410, "E0000154"},
		{mfa.RCodeWrong, "", 403, "E0000068"},
		{mfa.RCodeExpired, "", 403, "E0000068"},
		{mfa.RCodeUsed, "", 403, "E0000068"},
		{mfa.RCodeMissing, "", 400, "E0000001"},
		{mfa.RUserLocked, "", 403, "E0000069"},
		{mfa.RResendTooSoon, "", 429, "E0000109"},
		{mfa.RActivationLimit, "", 429, "E0000047"},
		{mfa.RPasswordRate, "", 429, "E0000047"},
		{mfa.RBusy, "", 429, "E0000047"},
		{mfa.RPhoneLimit, "", 429, "E0000204"},
		{mfa.RUserLimit, "", 429, "E0000204"},
		{mfa.RIPLimit, "", 429, "E0000204"},
		{mfa.RBudget, "", 429, "E0000146"},
		{mfa.RNumberBlocked, "", 403, "E0000150"},
		{mfa.RSendFailed, "invalid_number", 400, "E0000098"},
		{mfa.RSendFailed, "opted_out", 400, "E0000140"},
		{mfa.RSendFailed, "blocked", 500, "E0000138"},
		{mfa.RLoginTaken, "", 400, "E0000001"},
		{mfa.RNotPermitted, "", 403, "E0000006"},
	} {
		e := &mfa.Error{Reason: c.reason, Cause: c.cause, Message: "m", RetryAt: now.Add(30 * time.Second)}
		got := fromDomain(e, "factorEnrollRequest", now)
		if got.status != c.status || got.code != c.code {
			t.Errorf("%s/%s → %d %s, want %d %s", c.reason, c.cause, got.status, got.code, c.status, c.code)
		}
		if got.status == 429 && (got.limit == nil || !got.limit.Reset.Equal(now.Add(30*time.Second)) || got.retry != "30") {
			t.Errorf("%s: a 429 without its reset time and Retry-After (%q)", c.reason, got.retry)
		}
	}
	if got := fromDomain(errors.New("boom"), "", now); got.status != 500 || got.code != "E0000009" {
		t.Errorf("internal error → %d %s", got.status, got.code)
	}
}
