package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
)

// oktaError is Okta's error body.
type oktaError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// apiError is an error answer: status, Okta code and summary, causes, and
// for 429s the rate-limit headers.
type apiError struct {
	status  int
	code    string
	summary string
	causes  []string
	limit   *mfa.Limit
	retry   string // Retry-After, on a 429
}

func newError(status int, code, summary string, causes ...string) *apiError {
	return &apiError{status: status, code: code, summary: summary, causes: causes}
}

// Errors used directly by the handlers.
var (
	errMalformed    = newError(http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
	errInvalidToken = newError(http.StatusUnauthorized, "E0000011", "Invalid token provided")
	errNotFound     = newError(http.StatusNotFound, "E0000007", "Not found: Resource not found")
	errInternal     = newError(http.StatusInternalServerError, "E0000009", "Internal Server Error")
)

func validation(what string, causes ...string) *apiError {
	return newError(http.StatusBadRequest, "E0000001", "Api validation failed: "+what, causes...)
}

// fromDomain maps a domain refusal onto Okta's error code and status. This
// is the one place where the two vocabularies meet.
func fromDomain(err error, what string, now time.Time) *apiError {
	e := mfa.ErrorOf(err)
	var out *apiError
	switch e.Reason {
	case mfa.RAuthFailed:
		out = newError(401, "E0000004", "Authentication failed")
	case mfa.RInvalidToken:
		out = newError(401, "E0000011", "Invalid token provided")
	case mfa.RWrongState:
		out = newError(403, "E0000079", "This operation is not allowed in the current authentication state.", "This operation is not allowed in the current authentication state.")
	case mfa.RPhoneUnverifiable:
		out = newError(400, "E0000098", "This phone number is invalid.")
	case mfa.RPhoneInvalid:
		out = validation(what, "Invalid Phone Number.")
	case mfa.RPhoneType, mfa.RPhoneCountry:
		out = validation(what, e.Message)
	case mfa.RPhoneRequired:
		out = newError(403, "E0000097", "There is no verified phone number on file.")
	case mfa.RPhoneExists:
		out = validation(what, "There is an existing verified phone number.")
	case mfa.RFactorExists:
		out = validation(what, "A factor of this type is already set up.")
	case mfa.RFactorDisabled:
		out = newError(403, "E0000247", "Your organization doesn't support SMS or Voice authentication at this time. Contact your administrator for help.")
	case mfa.RFactorNotFound, mfa.RUserNotFound:
		out = newError(404, "E0000007", strings.TrimSuffix(e.Message, "."))
	case mfa.RFactorNotActive:
		out = newError(410, "E0000154", "Invalid factor id, it is not currently active.")
	case mfa.RFactorNotPending:
		out = validation(what, "The factor is already active.")
	case mfa.RCodeWrong:
		out = newError(403, "E0000068", "Invalid Passcode/Answer", "Your passcode doesn't match our records. Please try again.")
	case mfa.RCodeExpired, mfa.RCodeUsed:
		out = newError(403, "E0000068", "Invalid Passcode/Answer", e.Message)
	case mfa.RCodeReplayed:
		out = newError(403, "E0000082", "Each code can only be used once. Please wait for a new code and try again.")
	case mfa.RCodeMissing:
		out = validation("passCode", "passCode: The field cannot be left blank.")
	case mfa.RUserLocked:
		out = newError(403, "E0000069", "User Locked")
	case mfa.RResendTooSoon:
		out = newError(429, "E0000109", "An SMS message was recently sent. Please wait 30 seconds before trying again.")
		if wait := int(e.RetryAt.Sub(now).Seconds() + 0.999); wait > 0 && wait != 30 {
			out.summary = "An SMS message was recently sent. Please wait " + strconv.Itoa(wait) + " seconds before trying again."
		}
	case mfa.RCallTooSoon:
		out = newError(429, "E0000133", "A phone call was recently made. Please wait 30 seconds before trying again.")
		if wait := int(e.RetryAt.Sub(now).Seconds() + 0.999); wait > 0 && wait != 30 {
			out.summary = "A phone call was recently made. Please wait " + strconv.Itoa(wait) + " seconds before trying again."
		}
	case mfa.RVoiceBudget:
		out = newError(429, "E0000147", "Your organization has reached the limit of call requests that can be made within a 24 hour period.")
	case mfa.RActivationLimit, mfa.RPasswordRate, mfa.RBusy, mfa.RGuessLimit:
		out = newError(429, "E0000047", "API call exceeded rate limit due to too many requests.")
	case mfa.RPhoneLimit, mfa.RUserLimit, mfa.RIPLimit, mfa.RRangeThrottled, mfa.RCountryCap:
		out = newError(429, "E0000204", "You have reached the limit of sms requests, please try again later.", e.Message)
	case mfa.RBudget:
		out = newError(429, "E0000146", "Your organization has reached the limit of sms requests that can be sent within a 24 hour period.")
	case mfa.RNumberBlocked:
		out = newError(403, "E0000150", "You have reached the limit of sms requests, please try again later.", e.Message)
	case mfa.RSendFailed:
		switch {
		case e.Cause == "invalid_number" || e.Cause == "landline":
			out = newError(400, "E0000098", "This phone number is invalid.", e.Message)
		case e.Cause == "opted_out":
			out = newError(400, "E0000140", "Telephony opt out error.", e.Message)
		default:
			out = newError(500, "E0000138", "There was an internal error with call provider(s).", e.Message)
		}
	case mfa.RLoginTaken:
		out = validation("login", "login: An object with this field already exists in the current organization")
	case mfa.RInvalidInput, mfa.RPasswordPolicy, mfa.RSettingInvalid, mfa.RFactorType:
		field, _, _ := strings.Cut(e.Message, ":")
		if strings.ContainsAny(field, " .") {
			field = what
		}
		out = validation(field, e.Message)
	case mfa.RNotPermitted:
		out = newError(403, "E0000006", "You do not have permission to perform the requested action", e.Message)
	default:
		return errInternal
	}
	if out.status == http.StatusTooManyRequests {
		reset := e.RetryAt
		if reset.IsZero() {
			reset = now.Add(time.Minute)
		}
		out.limit = &mfa.Limit{Limit: max(e.Limit, 1), Remaining: 0, Reset: reset}
		out.retry = retryAfter(reset, now)
	}
	return out
}

// write sends the error in Okta's shape.
func (e *apiError) write(w http.ResponseWriter, r *http.Request) {
	if e.limit != nil {
		setLimitHeaders(w, *e.limit)
	}
	if e.retry != "" {
		w.Header().Set("Retry-After", e.retry)
	}
	causes := make([]errorCause, 0, len(e.causes))
	for _, c := range e.causes {
		causes = append(causes, errorCause{ErrorSummary: c})
	}
	id := "oae" + strings.TrimPrefix(w.Header().Get(httpx.RequestIDHeader), "req")
	httpx.JSON(w, e.status, oktaError{ErrorCode: e.code, ErrorSummary: e.summary, ErrorLink: e.code, ErrorID: id, ErrorCauses: causes})
}

// setLimitHeaders sets Okta's rate-limit headers (reset in epoch seconds).
func setLimitHeaders(w http.ResponseWriter, l mfa.Limit) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(l.Limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(l.Remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(l.Reset.Unix(), 10))
}

// retryAfter is the Retry-After value (RFC 9110 §10.2.3) for a limit that
// resets at reset: whole seconds, at least 1.
func retryAfter(reset, now time.Time) string {
	return strconv.Itoa(max(int(reset.Sub(now).Seconds()+0.999), 1))
}
