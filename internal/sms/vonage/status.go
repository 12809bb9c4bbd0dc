package vonage

import (
	"strings"

	"smsmfa/internal/sms"
)

// ReasonForStatus returns the reason for a non-zero status of the SMS API's
// answer ("messages[].status") and whether the status is one Vonage
// documents. errorText is Vonage's "error-text"; it only refines status 3
// (invalid parameters), where it names the parameter at fault. Unknown
// statuses give sms.Unknown, false.
func ReasonForStatus(status, errorText string) (sms.Reason, bool) {
	switch status {
	case "1": // Throttled: faster than the account's throughput.
		return sms.Throttled, true
	case "2": // Missing parameters: a bug on our side; another provider may do.
		return sms.Unknown, true
	case "3": // Invalid parameters: which one is only said in error-text.
		return invalidParam(errorText), true
	case "4": // Invalid credentials.
		return sms.BadCredentials, true
	case "5": // Internal error.
		return sms.ProviderDown, true
	case "6": // Invalid message: unroutable, e.g. unknown number prefix.
		return sms.InvalidNumber, true
	case "7": // Number barred: the destination is on Vonage's block list.
		return sms.Blocked, true
	case "8": // Partner account barred: our account is suspended.
		return sms.BadCredentials, true
	case "9":
		// Partner quota violation: out of credit. Not a rate limit that
		// passes in seconds but an account problem an admin must fix, so
		// configuration class: fail over now and alert.
		return sms.BadCredentials, true
	case "10": // Too many existing binds: concurrent connections.
		return sms.Throttled, true
	case "11": // Account not enabled for the HTTP API.
		return sms.BadCredentials, true
	case "12": // Message too long: our bug.
		return sms.Unknown, true
	case "14": // Invalid signature.
		return sms.BadCredentials, true
	case "15": // Invalid sender address: sender id not allowed here.
		return sms.BadSender, true
	case "22": // Invalid network code: we send none.
		return sms.Unknown, true
	case "23": // Invalid callback URL.
		return sms.Unknown, true
	case "29":
		// Non-whitelisted destination: a demo account may only send to
		// numbers registered with it. That is our account's limit, not the
		// recipient's, so configuration class (another provider delivers).
		return sms.BadSender, true
	case "32": // Signature and API secret disallowed together.
		return sms.BadCredentials, true
	case "33": // Number de-activated.
		return sms.Unreachable, true
	}
	return sms.Unknown, false
}

// invalidParam refines status 3 from Vonage's error-text ("Invalid to
// address", "Invalid from param", …).
func invalidParam(errorText string) sms.Reason {
	switch t := " " + strings.ToLower(errorText) + " "; {
	case strings.Contains(t, " to ") || strings.Contains(t, "to address") || strings.Contains(t, "msisdn") || strings.Contains(t, "destination"):
		return sms.InvalidNumber
	case strings.Contains(t, "from"):
		return sms.BadSender
	}
	return sms.Unknown
}
