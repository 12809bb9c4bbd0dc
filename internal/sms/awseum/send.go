package awseum

import (
	"context"
	"errors"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/awsx"
)

// The service accepts a TimeToLive of 5 s to 3 days.
const (
	minTTL = 5
	maxTTL = 259200
)

// ContextKey is the key under which Send puts our message id in the
// request's Context; AWS repeats it in the delivery events.
const ContextKey = "smsmfa_message_id"

// Send calls SendTextMessage for msg and returns the MessageId. The request
// carries DestinationPhoneNumber, MessageBody, MessageType TRANSACTIONAL,
// OriginationIdentity (msg.From, when set: a number, sender id, pool or
// their ARN), ConfigurationSetName (when configured), TimeToLive (from
// msg.Expires, clamped to 5 s – 3 days) and Context {ContextKey: msg.ID}.
// msg.StatusCallback is not used: delivery events go to the configuration
// set's destinations.
//
// Errors are *sms.Error with the AWS error code (and its reason, when it
// has one, as "Code:REASON"): ConflictException
// DESTINATION_PHONE_NUMBER_OPTED_OUT is OptedOut and
// DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE Blocked;
// account-side refusals (destination not verified in the sandbox, country
// blocked or not enabled, sender id not registered or not supported,
// origination identity missing or mismatched, ResourceNotFoundException)
// are BadSender; ValidationException about the destination number is
// InvalidNumber; ThrottlingException and ServiceQuotaExceededException are
// Throttled, except a reached monthly spend limit, which is
// BadCredentials (an admin must raise it); AccessDeniedException and
// signature or token errors are BadCredentials; InternalServerException
// and 5xx are ProviderDown; ProviderDown also for a refused connection or
// an answer without a MessageId; Timeout when the client timeout or ctx's
// deadline passes first. A cancelled ctx is returned wrapped. No error
// holds the body, the code or the keys.
func (p *Provider) Send(ctx context.Context, msg sms.Message) (string, error) {
	in := &pinpointsmsvoicev2.SendTextMessageInput{
		DestinationPhoneNumber: aws.String(msg.To),
		MessageBody:            aws.String(msg.Body),
		MessageType:            types.MessageTypeTransactional,
	}
	if msg.From != "" {
		in.OriginationIdentity = aws.String(msg.From)
	}
	in.ConfigurationSetName, in.TimeToLive, in.Context = p.envelope(msg)
	out, err := p.client.SendTextMessage(ctx, in)
	if err != nil {
		return p.answer(ctx, msg, nil, err)
	}
	return p.answer(ctx, msg, out.MessageId, nil)
}

// envelope is what a text and a call share: the configuration set, a time
// to live from the message's expiry, and the message id in the context.
func (p *Provider) envelope(msg sms.Message) (set *string, ttl *int32, context map[string]string) {
	if p.configurationSet != "" {
		set = aws.String(p.configurationSet)
	}
	if !msg.Expires.IsZero() {
		secs := math.Ceil(msg.Expires.Sub(p.now()).Seconds())
		ttl = aws.Int32(int32(min(max(secs, minTTL), maxTTL)))
	}
	if msg.ID != "" {
		context = map[string]string{ContextKey: msg.ID}
	}
	return set, ttl, context
}

// answer is the outcome of a send: the service's message id, or its error
// mapped (and redacted of the message's secrets and the keys).
func (p *Provider) answer(ctx context.Context, msg sms.Message, id *string, err error) (string, error) {
	if err != nil {
		return "", awsx.MapError(ctx, err, p.now(), refine, append(msg.Sensitive(), p.secret, p.keyID)...)
	}
	if id == nil || *id == "" {
		return "", sms.NewError(sms.ProviderDown, "", "answer without a MessageId")
	}
	return *id, nil
}

// refine maps the service's typed errors, whose Reason field says more
// than the error code.
func refine(code, message string, err error) (sms.Reason, string, bool) {
	if e, ok := errors.AsType[*types.ConflictException](err); ok {
		return conflictReason(e.Reason), withReason(code, string(e.Reason)), true
	}
	if e, ok := errors.AsType[*types.ValidationException](err); ok {
		return validationReason(e, message), withReason(code, string(e.Reason)), true
	}
	if e, ok := errors.AsType[*types.ServiceQuotaExceededException](err); ok {
		reason := sms.Throttled
		if e.Reason == types.ServiceQuotaExceededExceptionReasonMonthlySpendLimitReachedForText {
			reason = sms.BadCredentials
		}
		return reason, withReason(code, string(e.Reason)), true
	}
	if e, ok := errors.AsType[*types.AccessDeniedException](err); ok {
		return sms.BadCredentials, withReason(code, string(e.Reason)), true
	}
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); ok {
		// The origination identity or configuration set does not exist.
		return sms.BadSender, code, true
	}
	return "", "", false
}

func withReason(code, reason string) string {
	if reason == "" {
		return code
	}
	return code + ":" + reason
}

// conflictReason maps ConflictException reasons.
func conflictReason(r types.ConflictExceptionReason) sms.Reason {
	switch r {
	case types.ConflictExceptionReasonDestinationPhoneNumberOptedOut:
		return sms.OptedOut
	case types.ConflictExceptionReasonDestinationPhoneNumberBlockedByProtectNumberOverride:
		return sms.Blocked
	case types.ConflictExceptionReasonDestinationPhoneNumberNotVerified,
		types.ConflictExceptionReasonDestinationCountryBlockedByProtectConfiguration,
		types.ConflictExceptionReasonResourceNotActive,
		types.ConflictExceptionReasonNoOriginationIdentitiesFound,
		types.ConflictExceptionReasonMessageTypeMismatch,
		types.ConflictExceptionReasonNumberCapabilitiesMismatch:
		// Our account's sandbox, country rules or sender setup refuse the
		// message; another provider may deliver it.
		return sms.BadSender
	}
	return sms.Unknown
}

// validationReason maps ValidationException reasons; for the generic ones
// the fields named (or else the message) tell whether the destination
// number or the origination identity was at fault.
func validationReason(e *types.ValidationException, message string) sms.Reason {
	switch e.Reason {
	case types.ValidationExceptionReasonDestinationCountryBlocked,
		types.ValidationExceptionReasonCountryNotEnabled,
		types.ValidationExceptionReasonInternationalSendingNotSupported,
		types.ValidationExceptionReasonInvalidIdentityForDestinationCountry,
		types.ValidationExceptionReasonSenderIdNotRegistered,
		types.ValidationExceptionReasonSenderIdNotSupported,
		types.ValidationExceptionReasonSenderIdRequiresRegistration,
		types.ValidationExceptionReasonChannelNotEnabled:
		return sms.BadSender
	}
	for _, f := range e.Fields {
		switch aws.ToString(f.Name) {
		case "DestinationPhoneNumber":
			return sms.InvalidNumber
		case "OriginationIdentity":
			return sms.BadSender
		}
	}
	return numberReason(message)
}
