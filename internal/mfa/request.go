package mfa

import (
	"context"
	"net/netip"
)

// Client describes who made the current request, for rate limits and the
// system log. The HTTP layer puts it in the context.
type Client struct {
	IP        string
	UserAgent string
	RequestID string
	// Actor is the authenticated caller when it is not the user acted on:
	// an admin in the console, an API token, the command line.
	Actor Party
	// ServerSide marks a call made by an application server (an API token
	// without the end user's address): per-address limits do not apply,
	// since every user of that application shares its address.
	ServerSide bool
}

// AddressBucket is the rate-limit key of a client address: the address for
// IPv4, its /64 for IPv6 (one subscriber's usual allocation, so rotating
// addresses inside it does not escape the limit).
func AddressBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

type clientKey struct{}

// WithClient returns ctx carrying c, its text cleaned and cut to its caps
// (FieldClientIP, FieldUserAgent, FieldRequestID, FieldEventParty): a
// client's User-Agent may hold any bytes, of any length up to the
// server's header limit.
func WithClient(ctx context.Context, c Client) context.Context {
	c.IP, c.UserAgent, c.RequestID = FieldClientIP.Clip(c.IP), FieldUserAgent.Clip(c.UserAgent), FieldRequestID.Clip(c.RequestID)
	c.Actor = c.Actor.clip()
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the Client in ctx (zero if none).
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// WithActor returns ctx whose Client has actor a.
func WithActor(ctx context.Context, a Party) context.Context {
	c := ClientFrom(ctx)
	c.Actor = a
	return WithClient(ctx, c)
}

// SystemActor is the actor of work done by smsmfa itself.
var SystemActor = Party{ID: "system", Type: "System", AlternateID: "smsmfa", DisplayName: "smsmfa"}

// CLIActor is the actor of the command line.
var CLIActor = Party{ID: "cli", Type: "System", AlternateID: "smsmfa-cli", DisplayName: "Command line"}
