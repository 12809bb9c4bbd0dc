package web

import "smsmfa/internal/mfa"

// The console's telephony pages. Each names its template and title; see page.

// providerRow is one provider with what the running pool knows of it.
type providerRow struct {
	mfa.ProviderConfig
	Masked      map[string]string
	BreakerOpen bool
	Callback    string
}

// providerForm is what was typed in the form that adds a provider.
type providerForm struct {
	Name, Type, URL, Senders string
	Priority                 int
}

// adminProvidersPage lists, adds and changes SMS providers.
type adminProvidersPage struct {
	common
	Providers []providerRow
	Types     []string
	Form      providerForm
}

func (adminProvidersPage) template() string { return "admin_providers" }
func (adminProvidersPage) title() string    { return "SMS providers" }

// preview is a message text as a user would get it.
type preview struct {
	Text     string
	Chars    int
	Encoding string
	Segments int
}

// adminTemplatesPage lists and edits the message text per locale.
type adminTemplatesPage struct {
	common
	Templates []mfa.Template
	Locale    string
	Body      string
	Preview   *preview
}

func (adminTemplatesPage) template() string { return "admin_templates" }
func (adminTemplatesPage) title() string    { return "Message text" }

// deliveryRow is one message in the delivery log.
type deliveryRow struct {
	mfa.DeliveryRecord
	To      string // masked
	Latency string
}

// adminDeliveryPage is the delivery log with its filters.
type adminDeliveryPage struct {
	common
	Rows     []deliveryRow
	States   []mfa.MessageState
	State    string
	Provider string
	Number   string
	Older    string // the link to older messages, if any
}

func (adminDeliveryPage) template() string { return "admin_delivery" }
func (adminDeliveryPage) title() string    { return "Delivery log" }

// adminOptOutsPage lists standing opt-outs and the keywords received.
type adminOptOutsPage struct {
	common
	OptOuts []mfa.OptOut
	Events  []mfa.OptOutEvent
}

func (adminOptOutsPage) template() string { return "admin_optouts" }
func (adminOptOutsPage) title() string    { return "Opt-outs" }
