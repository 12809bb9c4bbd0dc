// Package telephony turns the org's provider configuration into a working
// pool. Its registry of provider types (Kinds) gathers the sms.Kind each
// adapter declares (Twilio, AWS End User Messaging, AWS SNS, Vonage, the
// signed webhook) and checks configurations for the domain
// (mfa.ProviderKinds). The pool builds an adapter for each configured
// provider, wires them into the failover router with the opt-out list,
// reloads when the configuration changes (also when another instance or
// the command line changed it), and falls back to the development sink
// when no provider is configured. It also receives the providers' delivery
// receipts and inbound STOP / START messages, checking their signatures.
package telephony
