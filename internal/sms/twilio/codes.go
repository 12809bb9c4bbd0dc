package twilio

import "smsmfa/internal/sms"

// ReasonForCode returns the reason for a Twilio error code, from an API
// error or from the ErrorCode of a status callback, and whether the code is
// one this package knows. Unknown codes give sms.Unknown, false.
func ReasonForCode(code string) (sms.Reason, bool) {
	reason, _, ok := codeInfoString(code)
	return reason, ok
}

// codeInfo is the mapping table: reason and a short description per code.
// The choices where Twilio's meaning is ambiguous are explained inline.
func codeInfo(code int) (sms.Reason, string, bool) {
	switch code {
	// Destination number.
	case 21211:
		return sms.InvalidNumber, "invalid 'To' phone number", true
	case 21401:
		return sms.InvalidNumber, "invalid phone number", true
	case 21614:
		return sms.Landline, "'To' number is not a valid mobile number", true
	case 21407:
		return sms.Landline, "phone number type does not support SMS", true
	case 21612:
		return sms.Blocked, "'To' number cannot be reached from this sender", true
	case 21610:
		return sms.OptedOut, "recipient unsubscribed from this sender", true

	// Account-side permissions: another provider may well deliver, so
	// these are configuration problems rather than permanent failures.
	case 21408:
		return sms.BadSender, "SMS to this region is not enabled on the account", true
	case 21608:
		return sms.BadSender, "trial account can only send to verified numbers", true

	// Sender.
	case 21606:
		return sms.BadSender, "'From' is not an SMS-capable number of this account", true
	case 21603:
		return sms.BadSender, "'From' phone number is required", true
	case 21212:
		return sms.BadSender, "invalid 'From' phone number", true
	case 21659:
		return sms.BadSender, "'From' is not a Twilio number", true
	case 21660:
		return sms.BadSender, "'From' number does not belong to the account", true
	case 30032:
		return sms.BadSender, "toll-free sender not verified", true
	case 30034:
		return sms.BadSender, "sender not registered for US A2P 10DLC", true

	// Account and authentication.
	case 20003:
		return sms.BadCredentials, "authentication failed", true
	case 20404:
		return sms.BadCredentials, "account not found", true
	case 10001:
		return sms.BadCredentials, "account is not active", true
	case 30002:
		return sms.BadCredentials, "account suspended", true

	// Rate limits.
	case 20429:
		return sms.Throttled, "too many requests", true
	case 21611:
		return sms.Throttled, "sender's queue of messages is full", true
	case 30001:
		return sms.Throttled, "queue overflow", true

	// Delivery errors, mostly seen in status callbacks.
	case 30003:
		return sms.Unreachable, "unreachable destination handset", true
	case 30004:
		return sms.Blocked, "message blocked", true
	case 30005:
		return sms.InvalidNumber, "unknown destination handset", true
	case 30006:
		return sms.Landline, "landline or unreachable carrier", true
	case 30007:
		return sms.Blocked, "message filtered by the carrier", true
	case 30008:
		// Twilio's catch-all. Often a passing carrier fault, so transient:
		// retrying through another provider is what an OTP needs.
		return sms.Unknown, "unknown delivery error", true
	}
	return sms.Unknown, "", false
}
