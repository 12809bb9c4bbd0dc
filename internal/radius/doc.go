// Package radius is smsmfa's RADIUS server (RFC 2865, with the
// Message-Authenticator of RFC 2869/3579): a VPN concentrator or any other
// NAS sends the user's password in a PAP Access-Request, gets an
// Access-Challenge once the code is texted, and sends the code back with
// the State it was given. Every step goes through mfa.Signin, so the
// lockouts, limits, code rules and system log are the web's. Packets are
// parsed and built with layeh.com/radius; the read loop, the client table,
// the Message-Authenticator checks and the replay cache are this package's
// (layeh's PacketServer checks no Message-Authenticator, starts a goroutine
// per packet and keeps no replies).
package radius
