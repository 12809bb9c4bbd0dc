package awssns_test

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

// emulator is a local stand-in for SNS's Publish action: AWS query
// protocol (form POST, XML answers), SigV4 checked against its own copy of
// the secret key. It reacts to "magic" phone numbers:
//
//	+15005550001 → 400 InvalidParameter (phone number)
//	+15005550004 → 400 OptedOut
//	+15005550500 → 500 InternalError
//
// and to the sender id "Bad_Sender!" with 400 InvalidParameter (SenderID).
type emulator struct {
	t        *testing.T
	requests adaptertest.Recorder[published]
}

// published is one accepted Publish request.
type published struct {
	Auth       awstest.Auth
	Params     url.Values
	Attributes map[string]attr
}

type attr struct{ DataType, StringValue string }

func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		snsError(w, http.StatusBadRequest, "Sender", "MalformedInput", "cannot read body")
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		snsError(w, http.StatusNotFound, "Sender", "InvalidAction", "unknown path")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		e.t.Errorf("Content-Type = %q", ct)
	}
	auth, refusal := awstest.Check(r, body, "sns")
	switch refusal {
	case awstest.UnknownKey:
		snsError(w, http.StatusForbidden, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	case awstest.BadSignature:
		snsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided.")
		return
	}
	params, err := url.ParseQuery(string(body))
	if err != nil || params.Get("Action") != "Publish" || params.Get("Version") != "2010-03-31" {
		snsError(w, http.StatusBadRequest, "Sender", "InvalidAction", "not a Publish request")
		return
	}
	attrs := attributes(params)
	e.requests.Record(published{Auth: auth, Params: params, Attributes: attrs})

	phone := params.Get("PhoneNumber")
	switch {
	case !adaptertest.IsE164(phone) || phone == "+15005550001":
		snsError(w, http.StatusBadRequest, "Sender", "InvalidParameter",
			fmt.Sprintf("Invalid parameter: PhoneNumber Reason: %s is not valid to publish to", phone))
	case attrs["AWS.SNS.SMS.SenderID"].StringValue == "Bad_Sender!":
		snsError(w, http.StatusBadRequest, "Sender", "InvalidParameter",
			"Invalid parameter: MessageAttributes Reason: SenderID Bad_Sender! is invalid")
	case phone == "+15005550004":
		snsError(w, http.StatusBadRequest, "Sender", "OptedOut", "Phone number is opted out")
	case phone == "+15005550500":
		snsError(w, http.StatusInternalServerError, "Receiver", "InternalError", "Internal Error")
	default:
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>%s</MessageId></PublishResult>
  <ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>
</PublishResponse>`, "567910cd-659e-55d4-8ccb-"+strings.ToLower(rand.Text()[:12]), "req-1")
	}
}

// attributes decodes MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}.
func attributes(params url.Values) map[string]attr {
	out := map[string]attr{}
	for n := 1; ; n++ {
		p := fmt.Sprintf("MessageAttributes.entry.%d.", n)
		name := params.Get(p + "Name")
		if name == "" {
			return out
		}
		out[name] = attr{DataType: params.Get(p + "Value.DataType"), StringValue: params.Get(p + "Value.StringValue")}
	}
}

// snsError writes the AWS query protocol's error document.
func snsError(w http.ResponseWriter, status int, typ, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", "req-err")
	w.WriteHeader(status)
	var b strings.Builder
	xml.EscapeText(&b, []byte(message))
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-err</RequestId></ErrorResponse>`,
		typ, code, b.String())
}
