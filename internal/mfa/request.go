package mfa

import "context"

// Client describes who made the current request, for rate limits and the
// system log. The HTTP layer puts it in the context.
type Client struct {
	IP        string
	UserAgent string
	RequestID string
	// Actor is the authenticated caller when it is not the user acted on:
	// an admin in the console, an API token, the command line.
	Actor Party
}

type clientKey struct{}

// WithClient returns ctx carrying c.
func WithClient(ctx context.Context, c Client) context.Context {
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
