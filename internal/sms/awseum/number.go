package awseum

import (
	"strings"

	"smsmfa/internal/sms"
)

// numberReason classifies a generic validation message by the parameter it
// names: the destination number, the origination identity, or neither.
func numberReason(message string) sms.Reason {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "originationidentity") || strings.Contains(m, "origination identity"):
		return sms.BadSender
	case strings.Contains(m, "destinationphonenumber") || strings.Contains(m, "phone number"):
		return sms.InvalidNumber
	}
	return sms.Unknown
}
