package radius

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"errors"

	"layeh.com/radius"
	"layeh.com/radius/rfc2869"
)

// errNoAuthenticator means a request carries no Message-Authenticator.
var errNoAuthenticator = errors.New("radius: no Message-Authenticator")

// errBadAuthenticator means a request's Message-Authenticator is not the
// HMAC of the packet under the client's secret (a wrong shared secret, a
// forged or damaged packet), or is malformed or repeated.
var errBadAuthenticator = errors.New("radius: Message-Authenticator does not match")

// checkMessageAuthenticator checks the Message-Authenticator (type 80) of
// a raw request (RFC 3579 §3.2): HMAC-MD5 under secret of the packet with
// the attribute's value zeroed. The packet's length field must already be
// checked (radius.Parse does).
func checkMessageAuthenticator(raw, secret []byte) error {
	n := int(binary.BigEndian.Uint16(raw[2:4]))
	pkt := append([]byte(nil), raw[:n]...)
	at := -1
	for i := 20; i+2 <= n; {
		l := int(pkt[i+1])
		if l < 2 || i+l > n {
			return errBadAuthenticator
		}
		if radius.Type(pkt[i]) == rfc2869.MessageAuthenticator_Type {
			if at >= 0 || l != 18 {
				return errBadAuthenticator
			}
			at = i + 2
		}
		i += l
	}
	if at < 0 {
		return errNoAuthenticator
	}
	got := append([]byte(nil), pkt[at:at+16]...)
	clear(pkt[at : at+16])
	mac := hmac.New(md5.New, secret)
	mac.Write(pkt)
	if !hmac.Equal(mac.Sum(nil), got) {
		return errBadAuthenticator
	}
	return nil
}

// encodeReply encodes a reply to a request with a Message-Authenticator
// as its first attribute (RFC 3579 §3.2; first, against BlastRADIUS), then
// the Response Authenticator over the whole packet (RFC 2865 §3). reply
// must come from request.Response, so its Authenticator field holds the
// Request Authenticator.
func encodeReply(reply *radius.Packet) ([]byte, error) {
	reply.Attributes = append(radius.Attributes{{Type: rfc2869.MessageAuthenticator_Type, Attribute: make(radius.Attribute, 16)}}, reply.Attributes...)
	b, err := reply.MarshalBinary() // Authenticator field: the Request Authenticator
	if err != nil {
		return nil, err
	}
	mac := hmac.New(md5.New, reply.Secret)
	mac.Write(b)
	mac.Sum(b[22:22]) // the value of the first attribute
	h := md5.New()
	h.Write(b[:4])
	h.Write(reply.Authenticator[:])
	h.Write(b[20:])
	h.Write(reply.Secret)
	h.Sum(b[4:4])
	return b, nil
}
