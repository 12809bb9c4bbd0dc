package api

import "smsmfa/internal/mfa"

// logEvent is Okta's LogEvent. Fields smsmfa has no value for are there,
// as null, so that Okta's SDKs and log tools find the shape they expect.
type logEvent struct {
	UUID                  string         `json:"uuid"`
	Published             string         `json:"published"`
	EventType             string         `json:"eventType"`
	Version               string         `json:"version"`
	Severity              string         `json:"severity"`
	LegacyEventType       *string        `json:"legacyEventType"` // always null
	DisplayMessage        string         `json:"displayMessage"`
	Actor                 logParty       `json:"actor"`
	Client                logClient      `json:"client"`
	Outcome               logOutcome     `json:"outcome"`
	Target                []logParty     `json:"target"`
	Transaction           logTransaction `json:"transaction"`
	DebugContext          logDebug       `json:"debugContext"`
	AuthenticationContext logAuthContext `json:"authenticationContext"`
	SecurityContext       logSecurity    `json:"securityContext"`
	Request               logRequest     `json:"request"`
}

// logParty is an actor or target.
type logParty struct {
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	AlternateID string            `json:"alternateId"`
	DisplayName string            `json:"displayName"`
	DetailEntry map[string]string `json:"detailEntry"` // always null
}

type logClient struct {
	UserAgent           logUserAgent `json:"userAgent"`
	Zone                string       `json:"zone"`
	Device              string       `json:"device"`
	ID                  *string      `json:"id"` // always null
	IPAddress           string       `json:"ipAddress"`
	GeographicalContext *struct{}    `json:"geographicalContext"` // always null
}

type logUserAgent struct {
	RawUserAgent string `json:"rawUserAgent"`
	OS           string `json:"os"`
	Browser      string `json:"browser"`
}

type logOutcome struct {
	Result string  `json:"result"`
	Reason *string `json:"reason"` // null when there is none
}

type logTransaction struct {
	Type   string      `json:"type"`
	ID     string      `json:"id"`
	Detail emptyObject `json:"detail"`
}

type logDebug struct {
	DebugData map[string]string `json:"debugData"`
}

// logAuthContext and logSecurity are always all null.
type logAuthContext struct {
	AuthenticationProvider *string   `json:"authenticationProvider"`
	CredentialProvider     *string   `json:"credentialProvider"`
	CredentialType         *string   `json:"credentialType"`
	Issuer                 *struct{} `json:"issuer"`
	ExternalSessionID      *string   `json:"externalSessionId"`
	Interface              *string   `json:"interface"`
}

type logSecurity struct {
	AsNumber *int    `json:"asNumber"`
	AsOrg    *string `json:"asOrg"`
	ISP      *string `json:"isp"`
	Domain   *string `json:"domain"`
	IsProxy  *bool   `json:"isProxy"`
}

type logRequest struct {
	IPChain []logIP `json:"ipChain"`
}

type logIP struct {
	IP string `json:"ip"`
}

func party(p mfa.Party) logParty {
	return logParty{ID: p.ID, Type: p.Type, AlternateID: p.AlternateID, DisplayName: p.DisplayName}
}

// newLogEvent is e as Okta's LogEvent; its details go to debugData, next
// to the request id.
func newLogEvent(e mfa.Event) logEvent {
	targets := []logParty{}
	if e.Target.ID != "" {
		targets = append(targets, party(e.Target))
	}
	debug := map[string]string{"requestId": e.RequestID}
	for k, v := range e.Details {
		debug[k] = v
	}
	var reason *string
	if e.Reason != "" {
		reason = &e.Reason
	}
	return logEvent{
		UUID: e.ID, Published: oktaTime(e.Published), EventType: e.Type, Version: "0", Severity: e.Severity,
		DisplayMessage: e.Message, Actor: party(e.Actor),
		Client: logClient{UserAgent: logUserAgent{RawUserAgent: e.UserAgent, OS: "Unknown", Browser: "UNKNOWN"},
			Zone: "null", Device: "Unknown", IPAddress: e.ClientIP},
		Outcome:      logOutcome{Result: e.Outcome, Reason: reason},
		Target:       targets,
		Transaction:  logTransaction{Type: "WEB", ID: e.RequestID},
		DebugContext: logDebug{DebugData: debug},
		Request:      logRequest{IPChain: []logIP{{IP: e.ClientIP}}},
	}
}
