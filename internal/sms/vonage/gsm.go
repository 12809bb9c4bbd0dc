package vonage

import "strings"

// gsmBasic is the GSM 03.38 default alphabet, less the escape character.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters of the GSM 03.38 extension table,
// each sent as escape plus one septet.
const gsmExtension = "\f^{}\\[~]|€"

// isGSM7 reports whether every character of s can be sent in the GSM 7-bit
// alphabet; otherwise the message must go out as type=unicode.
func isGSM7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsmBasic, r) && !strings.ContainsRune(gsmExtension, r) {
			return false
		}
	}
	return true
}
