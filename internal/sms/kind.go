package sms

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Kind describes one provider type once, for every part of the product
// that needs to know it: the name an operator gives (--type), the
// credentials it takes, which of them only check delivery receipts,
// whether it needs an address, which senders it can use, and how to make
// its adapter. Each adapter package exports its Kind (twilio.Kind,
// vonage.Kind, …); package telephony gathers them.
type Kind struct {
	// Name is the type as an operator writes it, e.g. "twilio".
	Name string
	// Required and Optional name the credentials the adapter sends with.
	Required, Optional []string
	// Receipts name optional credentials that only check the provider's
	// callbacks (Vonage's signature_secret); Make never sees them.
	Receipts []string
	// NeedsURL is true when the type has no public API, so the operator
	// must give its address (--url).
	NeedsURL bool
	// PoolSenders is true when the type takes a provider-side pool of
	// senders (a Twilio Messaging Service SID) as a sender.
	PoolSenders bool
	// Make returns the adapter for baseURL (empty: the provider's public
	// API) and the sending credentials: names from Required and Optional
	// only, the required ones present.
	Make func(baseURL string, creds map[string]string) (Provider, error)
}

// Names lists every credential k takes: the required, the optional, then
// the receipt-only ones.
func (k Kind) Names() []string {
	return slices.Concat(k.Required, k.Optional, k.Receipts)
}

// Problems lists what is wrong with an address and credentials for k, each
// a phrase an operator can act on, in no particular order: a required
// credential missing or blank, a credential k does not take, an address
// that is not an http(s) URL, no address when k needs one. Values are never
// quoted, so no secret leaks into a message.
func (k Kind) Problems(baseURL string, creds map[string]string) []string {
	var out []string
	for _, name := range k.Required {
		if strings.TrimSpace(creds[name]) == "" {
			out = append(out, fmt.Sprintf("credential %s is required for %s", name, k.Name))
		}
	}
	names := k.Names()
	for name := range creds {
		if !slices.Contains(names, name) {
			out = append(out, fmt.Sprintf("credential %s is not used by %s (it takes %s)", name, k.Name, strings.Join(names, ", ")))
		}
	}
	switch {
	case baseURL != "":
		if _, err := ParseURL(baseURL); err != nil {
			out = append(out, fmt.Sprintf("url: %q is not an http(s) URL", baseURL))
		}
	case k.NeedsURL:
		out = append(out, fmt.Sprintf("url: a %s provider needs --url", k.Name))
	}
	return out
}

// New makes k's adapter. It refuses what Problems finds, naming every
// problem in one error, and hands Make the sending credentials only. Make's
// own refusals (a webhook header name, say) are returned as they are.
func (k Kind) New(baseURL string, creds map[string]string) (Provider, error) {
	if problems := k.Problems(baseURL, creds); len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "; "))
	}
	sending := map[string]string{}
	for _, name := range slices.Concat(k.Required, k.Optional) {
		if v, ok := creds[name]; ok {
			sending[name] = v
		}
	}
	return k.Make(baseURL, sending)
}

// ParseURL parses a provider's address, refusing anything but an absolute
// http(s) URL.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return u, nil
}

// Made returns an adapter constructor's result as a Provider, keeping a
// failed one a plain nil (not a nil pointer in an interface): for Make
// functions, as in return sms.Made(New(cfg)).
func Made[P Provider](p P, err error) (Provider, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}
