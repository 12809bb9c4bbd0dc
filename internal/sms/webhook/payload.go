package webhook

// The JSON shapes of Okta's telephony inline hook.

// event is the request body.
type event struct {
	EventID           string    `json:"eventId"`
	EventTime         string    `json:"eventTime"`
	EventType         string    `json:"eventType"`
	EventTypeVersion  string    `json:"eventTypeVersion"`
	ContentType       string    `json:"contentType"`
	CloudEventVersion string    `json:"cloudEventVersion"`
	Source            string    `json:"source"`
	RequestType       string    `json:"requestType"`
	Data              eventData `json:"data"`
}

type eventData struct {
	Context        eventContext   `json:"context"`
	MessageProfile messageProfile `json:"messageProfile"`
}

type eventContext struct {
	Request eventRequest `json:"request"`
}

type eventRequest struct {
	ID string `json:"id"`
}

// messageProfile is Okta's, otpCode included: the code is also inside
// msgTemplate, but a receiver that writes its own text takes it from here.
type messageProfile struct {
	MsgTemplate     string `json:"msgTemplate"`
	PhoneNumber     string `json:"phoneNumber"`
	OTPExpires      string `json:"otpExpires,omitempty"`
	DeliveryChannel string `json:"deliveryChannel"`
	OTPCode         string `json:"otpCode,omitempty"`
	Locale          string `json:"locale,omitempty"`
}

// answer is the response body.
type answer struct {
	Commands []command  `json:"commands"`
	Error    *hookError `json:"error"`
}

type command struct {
	Type  string   `json:"type"`
	Value []action `json:"value"`
}

type action struct {
	Status              string `json:"status"`
	Provider            string `json:"provider"`
	TransactionID       string `json:"transactionId"`
	TransactionMetadata string `json:"transactionMetadata"`
}

type hookError struct {
	ErrorSummary string  `json:"errorSummary"`
	ErrorCauses  []cause `json:"errorCauses"`
}

type cause struct {
	ErrorSummary string `json:"errorSummary"`
	Reason       string `json:"reason"`
	Location     string `json:"location"`
}

// Okta's constants for the event and the answer.
const (
	eventType  = "com.okta.telephony.provider"
	actionType = "com.okta.telephony.action"
	timeLayout = "2006-01-02T15:04:05.000Z"
	channelSMS = "SMS"
	// channelVoice is Okta's deliveryChannel for a voice call (Okta's
	// reference lists "SMS" and "Voice call"; the exact casing Okta sends
	// is unconfirmed).
	channelVoice = "Voice call"
)
