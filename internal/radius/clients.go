package radius

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"sync"

	"smsmfa/internal/mfa"
)

// clientTable is the RADIUS clients as last loaded, most specific prefix
// first, so a host's own entry wins over its network's.
type clientTable struct {
	mu      sync.RWMutex
	clients []mfa.RadiusClient
}

func (t *clientTable) set(cs []mfa.RadiusClient) {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b mfa.RadiusClient) int { return cmp.Compare(b.Prefix.Bits(), a.Prefix.Bits()) })
	t.mu.Lock()
	t.clients = cs
	t.mu.Unlock()
}

// lookup returns the client that addr belongs to.
func (t *clientTable) lookup(addr netip.Addr) (mfa.RadiusClient, bool) {
	addr = addr.Unmap()
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, c := range t.clients {
		if c.Prefix.Contains(addr) {
			return c, true
		}
	}
	return mfa.RadiusClient{}, false
}

// ClientSource loads the RADIUS clients with their clear secrets
// (mfa.Radius.RadiusClientsWithSecrets with the master key).
type ClientSource func(ctx context.Context) ([]mfa.RadiusClient, error)
