package radius

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"smsmfa/internal/mfa"
	"smsmfa/internal/phone"
	"smsmfa/internal/randid"
)

// Reply texts. Every refusal that could tell who exists or what was wrong
// (unknown user, wrong password, locked user, wrong or expired code, a
// State that does not open) carries the same failedText.
const (
	failedText  = "Authentication failed."
	welcomeText = "Welcome."
	// answerTimeout bounds the work for one request; a NAS gives up after
	// its own timeout anyway (README: at least 60 s).
	answerTimeout = 30 * time.Second
)

// handle answers one datagram: the encoded reply, or nil to send none.
func (s *Server) handle(ctx context.Context, raw []byte, from netip.AddrPort) []byte {
	client, ok := s.clients.lookup(from.Addr())
	if !ok {
		s.drop(OutcomeUnknownClient, from, "RADIUS request dropped: not from a registered RADIUS client")
		return nil
	}
	secret := []byte(client.Secret)
	req, err := radius.Parse(raw, secret)
	if err != nil {
		s.drop(OutcomeMalformed, from, "RADIUS request dropped: malformed")
		return nil
	}
	if req.Code != radius.CodeAccessRequest && req.Code != radius.CodeStatusServer {
		s.drop(OutcomeUnsupported, from, "RADIUS request dropped: only Access-Request and Status-Server are served")
		return nil
	}
	switch err := checkMessageAuthenticator(raw, secret); {
	case errors.Is(err, errNoAuthenticator):
		s.drop(OutcomeNoAuthenticator, from, "RADIUS request dropped: no Message-Authenticator (required, as FreeRADIUS' require_message_authenticator)")
		return nil
	case err != nil:
		s.drop(OutcomeBadAuthenticator, from, "RADIUS request dropped: bad Message-Authenticator (wrong shared secret?)")
		return nil
	}
	key := replayKey{from: from.String(), id: req.Identifier, authenticator: req.Authenticator}
	fresh, cached := s.replay.begin(key, s.o.Now())
	if !fresh {
		s.count(OutcomeDuplicate)
		return cached // nil while the first copy is being answered here
	}
	if req.Code == radius.CodeStatusServer { // RFC 5997: no state, nothing to remember
		b, err := encodeReply(req.Response(radius.CodeAccessAccept))
		return s.finish(ctx, key, nil, b, err, OutcomeAccept)
	}
	ctx, cancel := context.WithTimeout(s.requestContext(ctx, client, req, from), answerTimeout)
	defer cancel()
	// The cluster-wide record: a retransmission that reached another
	// instance first is answered with that instance's reply.
	dbKey := clusterKey(client.ID, key)
	fresh, sealed, err := s.o.Requests.ClaimRequest(ctx, dbKey, s.o.RecordTTL)
	if err != nil {
		s.o.Logger.ErrorContext(ctx, "claim a RADIUS request", "err", err)
		return s.finish(ctx, key, nil, nil, nil, OutcomeError)
	}
	if !fresh {
		s.replay.forget(key) // look again at the next copy
		s.count(OutcomeDuplicate)
		if sealed == nil {
			return nil // another instance is answering it
		}
		b, err := s.o.Sealer.Open(sealed, ReplyContext(dbKey))
		if err != nil {
			s.o.Logger.ErrorContext(ctx, "open a recorded RADIUS reply", "err", err)
			return nil
		}
		return b
	}
	reply, outcome := s.access(ctx, client, req)
	if reply == nil {
		return s.finish(ctx, key, dbKey, nil, nil, outcome)
	}
	b, err := encodeReply(reply)
	return s.finish(ctx, key, dbKey, b, err, outcome)
}

// finish records the reply b to the request key (and, with dbKey, in the
// cluster-wide record), counts the outcome and returns b. Without a reply
// (b nil, or err encoding it) both records forget the request, so a
// retransmission is answered afresh.
func (s *Server) finish(ctx context.Context, key replayKey, dbKey, b []byte, err error, outcome string) []byte {
	if err != nil {
		s.o.Logger.ErrorContext(ctx, "encode RADIUS reply", "err", err)
		b, outcome = nil, OutcomeError
	}
	if b == nil {
		s.replay.forget(key)
	} else {
		s.replay.finish(key, b)
	}
	if dbKey != nil {
		var sealed []byte
		if b != nil {
			sealed = s.o.Sealer.Seal(b, ReplyContext(dbKey))
		}
		if err := s.o.Requests.FinishRequest(context.WithoutCancel(ctx), dbKey, sealed); err != nil {
			s.o.Logger.ErrorContext(ctx, "record a RADIUS reply", "err", err)
		}
	}
	s.count(outcome)
	return b
}

// clusterKey names a request across the cluster: the client, the source,
// the Identifier and the Request Authenticator, hashed.
func clusterKey(clientID string, k replayKey) []byte {
	h := sha256.New()
	h.Write([]byte(clientID))
	h.Write([]byte{0})
	h.Write([]byte(k.from))
	h.Write([]byte{0, k.id})
	h.Write(k.authenticator[:])
	return h.Sum(nil)
}

// ReplyContext is what the sealed reply to a request, stored under dbKey
// for its retransmissions, is bound to.
func ReplyContext(dbKey []byte) string { return "radius-reply:" + hex.EncodeToString(dbKey) }

// requestContext describes the request to the domain: the end user's
// address when the NAS says it (Calling-Station-Id holding an IP address,
// as VPNs send), so the per-address limits apply to the user's own
// address; otherwise the NAS's address as a server-side call, since every
// user of the NAS shares it and a per-address limit on it would let one
// stranger lock everybody out.
func (s *Server) requestContext(ctx context.Context, client mfa.RadiusClient, req *radius.Packet, from netip.AddrPort) context.Context {
	c := mfa.Client{IP: from.Addr().Unmap().String(), ServerSide: true, RequestID: randid.Chars("rad", 17),
		Actor: mfa.Party{}, UserAgent: "RADIUS client " + client.Name}
	if nas := rfc2865.NASIdentifier_GetString(req); nas != "" {
		c.UserAgent += " (NAS " + nas + ")"
	}
	if ip, ok := stationAddr(rfc2865.CallingStationID_GetString(req)); ok {
		c.IP, c.ServerSide = ip.String(), false
		c.UserAgent += " for " + c.IP
	}
	return mfa.WithClient(ctx, c)
}

// stationAddr reads a Calling-Station-Id that is an IP address, with or
// without a port (OpenVPN and most SSL VPNs send the user's address).
func stationAddr(v string) (netip.Addr, bool) {
	v = strings.TrimSpace(v)
	if a, err := netip.ParseAddr(v); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// access answers an Access-Request: the password (no State), or the code
// (with the State of our challenge).
func (s *Server) access(ctx context.Context, client mfa.RadiusClient, req *radius.Packet) (*radius.Packet, string) {
	login := rfc2865.UserName_GetString(req)
	pw, err := rfc2865.UserPassword_LookupString(req)
	if login == "" || err != nil {
		// CHAP, MS-CHAP and EAP cannot carry a password we can check.
		return s.reject(req, failedText), OutcomeReject
	}
	if state := rfc2865.State_Get(req); state != nil {
		return s.code(ctx, client, req, login, pw, state)
	}
	return s.password(ctx, client, req, login, pw)
}

// password checks the password and, when the org requires the SMS factor,
// texts a code and challenges for it.
func (s *Server) password(ctx context.Context, client mfa.RadiusClient, req *radius.Packet, login, pw string) (*radius.Packet, string) {
	v, err := s.o.Signin.PrimaryAuth(ctx, login, pw, "")
	if err != nil {
		return s.refused(req, err, failedText)
	}
	token := v.Txn.StateToken
	switch v.Txn.Status {
	case mfa.TxnSuccess: // the org's SMS factor is off
		return s.accept(req), OutcomeAccept
	case mfa.TxnMFAEnroll:
		// A VPN cannot set a factor up: the user does it on the web first
		// (as with Okta's RADIUS agent, which only verifies enrolled
		// factors).
		if err := s.o.Signin.TxnRefuseNoFactor(ctx, token, "RADIUS"); err != nil && !mfa.IsRefusal(err) {
			return s.refused(req, err, failedText)
		}
		return s.reject(req, "Text Message Code is not set up for your account. Sign in at "+s.o.BaseURL+" to set it up, then try again."), OutcomeReject
	case mfa.TxnMFARequired:
		// The factor set up or used most recently of those that can answer
		// over RADIUS (a passkey cannot); an authenticator app code is
		// typed where the SMS code would be.
		fid := radiusFactor(v)
		if fid == "" {
			s.cancel(ctx, token)
			return s.reject(req, "Your account verifies with a passkey (Security Key or Biometric Authenticator), which cannot be used here."), OutcomeReject
		}
		v, sent, err := s.o.Signin.TxnChallenge(ctx, token, fid)
		if err != nil {
			s.cancel(ctx, token)
			return s.refused(req, err, "")
		}
		if sent == nil {
			return s.challengeText(req, client, login, token, appPrompt(v))
		}
		return s.challenge(req, client, login, token, sent)
	}
	s.cancel(ctx, token)
	return s.reject(req, failedText), OutcomeReject
}

// code checks the code typed in answer to a challenge. An empty answer,
// or "sms" (Okta's keyword), texts a new code. A wrong code ends the
// sign-in: the NAS starts again with the password.
func (s *Server) code(ctx context.Context, client mfa.RadiusClient, req *radius.Packet, login, code string, state []byte) (*radius.Packet, string) {
	token, ok := openState(s.o.Sealer, state, client.ID, login)
	if !ok {
		return s.reject(req, failedText), OutcomeReject
	}
	code = strings.TrimSpace(code)
	if code == "" || strings.EqualFold(code, "sms") {
		_, sent, err := s.o.Signin.TxnResendChallenge(ctx, token, "")
		if err == nil && sent == nil { // an authenticator app factor in play
			return s.fromApp(ctx, req, client, login, token, strings.EqualFold(code, "sms"))
		}
		if e, ok := errors.AsType[*mfa.Error](err); ok && (e.Reason == mfa.RResendTooSoon || e.Reason == mfa.RCallTooSoon) {
			// The code already sent still works: ask for it again.
			return s.challengeText(req, client, login, token, e.Message)
		}
		if err != nil {
			s.cancel(ctx, token)
			return s.refused(req, err, "")
		}
		return s.challenge(req, client, login, token, sent)
	}
	if _, err := s.o.Signin.TxnVerify(ctx, token, "", code); err != nil {
		s.cancel(ctx, token)
		return s.refused(req, err, failedText)
	}
	return s.accept(req), OutcomeAccept
}

// appPrompt asks for an authenticator app code, offering the SMS keyword
// when the user also has the SMS factor.
func appPrompt(v *mfa.TxnView) string {
	for _, f := range v.Factors {
		if f.Type == mfa.FactorTypeSMS {
			return "Enter the code from your authenticator app, or type sms to get a code by text message"
		}
	}
	return "Enter the code from your authenticator app"
}

// fromApp answers an empty answer or "sms" to an authenticator app
// challenge: "sms" switches to the user's SMS factor (a code is texted),
// anything else asks for the app's code again.
func (s *Server) fromApp(ctx context.Context, req *radius.Packet, client mfa.RadiusClient, login, token string, sms bool) (*radius.Packet, string) {
	v, err := s.o.Signin.TxnPrevious(ctx, token)
	if err != nil {
		s.cancel(ctx, token)
		return s.refused(req, err, "")
	}
	smsID := ""
	for _, f := range v.Factors {
		if f.Type == mfa.FactorTypeSMS {
			smsID = f.ID
		}
	}
	if !sms || smsID == "" {
		// The same factor as the first challenge (radiusFactor): never a
		// passkey, even when one was used more recently.
		if v, _, err = s.o.Signin.TxnChallenge(ctx, token, radiusFactor(v)); err != nil {
			s.cancel(ctx, token)
			return s.refused(req, err, "")
		}
		return s.challengeText(req, client, login, token, appPrompt(v))
	}
	_, sent, err := s.o.Signin.TxnChallenge(ctx, token, smsID)
	if err != nil {
		s.cancel(ctx, token)
		return s.refused(req, err, "")
	}
	return s.challenge(req, client, login, token, sent)
}

// challenge is the Access-Challenge after a code was texted.
func (s *Server) challenge(req *radius.Packet, client mfa.RadiusClient, login, token string, sent *mfa.Sent) (*radius.Packet, string) {
	if sent.Channel == mfa.ChannelVoice { // Voice Call: the code is read out
		return s.challengeText(req, client, login, token, "Enter the code from the call to "+phone.Mask(sent.To))
	}
	return s.challengeText(req, client, login, token, "Enter the code sent to "+phone.Mask(sent.To))
}

// challengeText is an Access-Challenge saying text, whose State leads to
// the transaction of token.
func (s *Server) challengeText(req *radius.Packet, client mfa.RadiusClient, login, token, text string) (*radius.Packet, string) {
	r := req.Response(radius.CodeAccessChallenge)
	if err := addReplyMessage(r, text); err != nil {
		return nil, OutcomeError
	}
	if err := rfc2865.State_Set(r, sealState(s.o.Sealer, client.ID, login, token)); err != nil {
		s.o.Logger.Error("RADIUS State too long", "err", err)
		return nil, OutcomeError
	}
	return r, OutcomeChallenge
}

// cancel ends a transaction whose RADIUS sign-in is over, so its State
// opens nothing any more (also on another instance).
func (s *Server) cancel(ctx context.Context, token string) {
	if _, err := s.o.Signin.TxnCancel(ctx, token); err != nil && !mfa.IsRefusal(err) {
		s.o.Logger.ErrorContext(ctx, "cancel a RADIUS sign-in", "err", err)
	}
}

// refused answers a domain error: an internal error gets no answer (the
// NAS retries, or asks another server); a refusal gets Access-Reject with
// text, or with the refusal's own message when text is "" (refusals after
// the password: limits, a code that could not be sent).
func (s *Server) refused(req *radius.Packet, err error, text string) (*radius.Packet, string) {
	if !mfa.IsRefusal(err) {
		s.o.Logger.Error("RADIUS request", "err", err)
		return nil, OutcomeError
	}
	if text == "" {
		if e, ok := errors.AsType[*mfa.Error](err); ok {
			text = e.Message
		}
	}
	return s.reject(req, text), OutcomeReject
}

func (s *Server) reject(req *radius.Packet, text string) *radius.Packet {
	r := req.Response(radius.CodeAccessReject)
	_ = addReplyMessage(r, text)
	return r
}

func (s *Server) accept(req *radius.Packet) *radius.Packet {
	r := req.Response(radius.CodeAccessAccept)
	_ = addReplyMessage(r, welcomeText)
	return r
}

// addReplyMessage adds text as Reply-Message attributes of at most 253
// bytes each, cut at character boundaries (RFC 2865 §5.18: the NAS joins
// them).
func addReplyMessage(p *radius.Packet, text string) error {
	for text != "" {
		n := min(len(text), 253)
		for n < len(text) && n > 0 && !utf8Start(text[n]) {
			n--
		}
		if err := rfc2865.ReplyMessage_AddString(p, text[:n]); err != nil {
			return err
		}
		text = text[n:]
	}
	return nil
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// radiusFactor is the id of the user's factor a RADIUS sign-in
// challenges: the first (most recent) of v's factors that is not a
// passkey, or "" when there is none.
func radiusFactor(v *mfa.TxnView) string {
	for _, f := range v.Factors {
		if f.Type != mfa.FactorTypeWebAuthn {
			return f.ID
		}
	}
	return ""
}
