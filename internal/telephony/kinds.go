package telephony

import (
	"fmt"
	"slices"
	"strings"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awseum"
	"smsmfa/internal/sms/awssns"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/vonage"
	"smsmfa/internal/sms/webhook"
)

// Kinds is the registry of provider types: the sms.Kind each adapter
// package declares. It answers the domain's questions about them
// (mfa.ProviderKinds) and makes the adapters.
type Kinds struct {
	kinds []sms.Kind // sorted by name
}

var _ mfa.ProviderKinds = Kinds{}

// AllKinds returns the registry of every adapter: AWS End User Messaging,
// AWS SNS, Twilio, Vonage and the signed webhook.
func AllKinds() Kinds {
	return NewKinds(awseum.Kind(), awssns.Kind(), twilio.Kind(), vonage.Kind(), webhook.Kind())
}

// NewKinds returns the registry of ks.
func NewKinds(ks ...sms.Kind) Kinds {
	ks = slices.Clone(ks)
	slices.SortFunc(ks, func(a, b sms.Kind) int { return strings.Compare(a.Name, b.Name) })
	return Kinds{kinds: ks}
}

// Types lists the provider types, sorted.
func (r Kinds) Types() []string {
	var out []string
	for _, k := range r.kinds {
		out = append(out, k.Name)
	}
	return out
}

// Lookup returns the kind named typ.
func (r Kinds) Lookup(typ string) (sms.Kind, bool) {
	i := slices.IndexFunc(r.kinds, func(k sms.Kind) bool { return k.Name == typ })
	if i < 0 {
		return sms.Kind{}, false
	}
	return r.kinds[i], true
}

// Problems lists what is wrong with p for its type: an unknown type, what
// the type's Kind finds in the credentials and the address, senders the
// type cannot use, and — when nothing else is — what its adapter refuses
// (a webhook header name, say). It implements mfa.ProviderKinds.
func (r Kinds) Problems(p mfa.ProviderConfig) []string {
	k, ok := r.Lookup(p.Type)
	if !ok {
		return []string{fmt.Sprintf("type: %q is not one of %s", p.Type, strings.Join(r.Types(), ", "))}
	}
	problems := k.Problems(p.BaseURL, p.Credentials)
	for _, s := range p.Senders {
		if s.Kind == mfa.SenderService && !k.PoolSenders {
			problems = append(problems, fmt.Sprintf("sender %s: Messaging Service SIDs work with %s only", s.Value, strings.Join(r.poolTypes(), ", ")))
		}
	}
	if len(problems) == 0 {
		if _, err := k.New(p.BaseURL, p.Credentials); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}

// poolTypes lists the types that take provider-side sender pools.
func (r Kinds) poolTypes() []string {
	var out []string
	for _, k := range r.kinds {
		if k.PoolSenders {
			out = append(out, k.Name)
		}
	}
	return out
}

// Build makes the adapter of p (see sms.Kind.New).
func (r Kinds) Build(p mfa.ProviderConfig) (sms.Provider, error) {
	k, ok := r.Lookup(p.Type)
	if !ok {
		return nil, fmt.Errorf("telephony: unknown provider type %q", p.Type)
	}
	return k.New(p.BaseURL, p.Credentials)
}
