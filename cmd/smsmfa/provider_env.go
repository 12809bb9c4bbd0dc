package main

import (
	"fmt"
	"strings"

	"smsmfa/internal/config"
	"smsmfa/internal/mfa"
)

// envProvider reads the single provider of the SMSMFA_PROVIDER_* variables,
// or nil when SMSMFA_PROVIDER_TYPE is not set, and checks it against the
// rules of the provider types in kinds.
func envProvider(cfg config.Config, kinds mfa.ProviderKinds) (*mfa.ProviderConfig, error) {
	if cfg.ProviderType == "" {
		return nil, nil
	}
	p := mfa.ProviderConfig{Name: cfg.ProviderName, Type: cfg.ProviderType, BaseURL: cfg.ProviderURL, Priority: 0, Enabled: true, FromEnv: true,
		Credentials: map[string]string{}, ID: "env"}
	if p.Name == "" {
		p.Name = "env"
	}
	for _, kv := range strings.Split(cfg.ProviderCredentials, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("SMSMFA_PROVIDER_CREDENTIALS: %q is not NAME=VALUE", kv)
		}
		p.Credentials[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	for _, s := range strings.Fields(cfg.ProviderSenders) {
		snd, err := mfa.ParseSender(s)
		if err != nil {
			return nil, fmt.Errorf("SMSMFA_PROVIDER_SENDERS: %w", err)
		}
		p.Senders = append(p.Senders, snd)
	}
	if err := mfa.CheckProvider(&p, kinds); err != nil {
		return nil, fmt.Errorf("SMSMFA_PROVIDER_*: %s", mfa.ErrorOf(err).Message)
	}
	return &p, nil
}
