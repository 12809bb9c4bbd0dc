package mfa

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Event types recorded in the system log. Where Okta has an event type for
// the same thing, it is Okta's name.
const (
	EvSignIn           = "user.session.start"
	EvSignOut          = "user.session.end"
	EvReauth           = "user.authentication.reauthenticate"
	EvMFAVerify        = "user.authentication.auth_via_mfa"
	EvAccountLock      = "user.account.lock"
	EvAccountUnlock    = "user.account.unlock_by_admin"
	EvFactorEnroll     = "user.mfa.factor.enroll"
	EvFactorActivate   = "user.mfa.factor.activate"
	EvFactorUpdate     = "user.mfa.factor.update"
	EvFactorDeactivate = "user.mfa.factor.deactivate"
	EvFactorResetAll   = "user.mfa.factor.reset_all"
	EvSMSVerifyCode    = "system.sms.send_factor_verify_message"
	EvSMSEnrollCode    = "system.sms.send_phone_verification_message"
	EvSMSDelivery      = "system.sms.delivery"
	EvRateLimit        = "system.operation.rate_limit.violation"
	EvBudgetWarning    = "system.sms.budget.warning"
	EvBudgetExceeded   = "system.sms.budget.exceeded"
	EvNumberBlocked    = "system.sms.number.blocked"
	EvNumberTrusted    = "system.sms.number.trusted"
	EvNumberUnblocked  = "system.sms.number.unblocked"
	EvPhoneRefused     = "system.sms.number.refused"
	// EvNumberEnrolledByOther targets a user whose verified number another
	// account asked an enrollment code for.
	EvNumberEnrolledByOther = "user.mfa.factor.phone_enrolled_by_other"
	EvOrgFactorActivate     = "system.mfa.factor.activate"
	EvOrgFactorDisable      = "system.mfa.factor.deactivate"
	EvSettingsUpdate        = "system.org.settings.update"
	EvUserCreate            = "user.lifecycle.create"
	EvUserActivate          = "user.lifecycle.activate"
	EvUserDeactivate        = "user.lifecycle.deactivate"
	EvUserDelete            = "user.lifecycle.delete.completed"
	EvTokenCreate           = "system.api_token.create"
	EvTokenRevoke           = "system.api_token.revoke"
	EvSessionExchange       = "user.authentication.sso"
	EvProviderAdd           = "system.sms.provider.add"
	EvProviderUpdate        = "system.sms.provider.update"
	EvProviderRemove        = "system.sms.provider.remove"
	EvOptOut                = "system.sms.opt_out"
	EvOptIn                 = "system.sms.opt_in"
	EvTemplateUpdate        = "system.sms.template.update"
	EvProviderTest          = "system.sms.provider.test"
	EvDeliveryReceipt       = "system.sms.delivery.receipt"
	// EvFraudThrottle: the detector throttled a number range or country
	// (its evidence in the details); EvFraudLift, EvFraudTrust and
	// EvFraudForget are an administrator's decisions about one.
	EvFraudThrottle = "system.sms.fraud.throttle"
	EvFraudLift     = "system.sms.fraud.lift"
	EvFraudTrust    = "system.sms.fraud.trust"
	EvFraudForget   = "system.sms.fraud.forget"
)

// Outcomes, as in Okta's LogEvent.outcome.result.
const (
	OutcomeSuccess   = "SUCCESS"
	OutcomeFailure   = "FAILURE"
	OutcomeDeny      = "DENY"
	OutcomeAllow     = "ALLOW"
	OutcomeChallenge = "CHALLENGE"
)

// Severities.
const (
	SeverityInfo  = "INFO"
	SeverityWarn  = "WARN"
	SeverityError = "ERROR"
)

// Party is an actor or target of an event.
type Party struct {
	ID          string
	Type        string // User, AppInstance, PublicClientApp, Factor, PhoneNumber, Setting, ApiToken, System
	AlternateID string // login, masked number, setting name
	DisplayName string
}

// Event is one record of the system log.
type Event struct {
	// Seq orders events; the store assigns it.
	Seq       int64
	ID        string
	Published time.Time
	Type      string
	Severity  string
	Message   string // display message
	Actor     Party
	Target    Party
	ClientIP  string
	UserAgent string
	RequestID string
	Outcome   string
	Reason    string
	// Details are extra facts (never secrets, numbers masked).
	Details map[string]string
}

// EventFilter selects events from the system log.
type EventFilter struct {
	Since, Until time.Time
	Types        []string // exact event types; empty means all
	Query        string   // substring of actor, target, message or reason
	Outcome      string
	TargetID     string // exact target id; empty means any
	// After is a cursor: only events with Seq below it (newest first) or
	// above it (oldest first).
	After       int64
	Limit       int
	OldestFirst bool
}

// PhoneID is the id of a phone number in the system log: a keyed hash, so
// the same number always has the same id and the log does not hold it.
func PhoneID(key []byte, number string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("phone id\x00" + number))
	return "phn" + hex.EncodeToString(m.Sum(nil))[:17]
}
