package awseum_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

// emulator is a local stand-in for End User Messaging SMS's
// SendTextMessage: AWS JSON 1.0 protocol (X-Amz-Target header, JSON body,
// errors named by __type and x-amzn-ErrorType), SigV4 for the "sms-voice"
// service checked against its own copy of the secret key. It reacts to
// "magic" destinations:
//
//	+15005550001 → ValidationException INVALID_PARAMETER on DestinationPhoneNumber
//	+15005550003 → ValidationException DESTINATION_COUNTRY_BLOCKED
//	+15005550004 → ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT
//	+15005550005 → ConflictException DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE
//	+15005550009 → ServiceQuotaExceededException MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT
//	+15005550500 → 500 InternalServerException
//
// and to the origination identity "missing-pool" with ResourceNotFoundException.
type emulator struct {
	t        *testing.T
	requests adaptertest.Recorder[sent]
}

// sent is one accepted request.
type sent struct {
	Auth   awstest.Auth
	Body   map[string]any
	Target string // the X-Amz-Target: SendTextMessage or SendVoiceMessage
}

func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost || r.URL.Path != "/" {
		awsError(w, http.StatusBadRequest, "SerializationException", nil)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		e.t.Errorf("Content-Type = %q", ct)
	}
	target := r.Header.Get("X-Amz-Target")
	if target != "PinpointSMSVoiceV2.SendTextMessage" && target != "PinpointSMSVoiceV2.SendVoiceMessage" {
		awsError(w, http.StatusBadRequest, "UnknownOperationException", map[string]any{"Message": "unknown target " + target})
		return
	}
	auth, refusal := awstest.Check(r, body, "sms-voice")
	switch refusal {
	case awstest.UnknownKey:
		awsError(w, http.StatusBadRequest, "UnrecognizedClientException",
			map[string]any{"message": "The security token included in the request is invalid."})
		return
	case awstest.BadSignature:
		awsError(w, http.StatusBadRequest, "InvalidSignatureException",
			map[string]any{"message": "The request signature we calculated does not match the signature you provided."})
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		awsError(w, http.StatusBadRequest, "SerializationException", nil)
		return
	}
	e.requests.Record(sent{Auth: auth, Body: in, Target: target})
	if _, ok := in["OriginationIdentity"]; target == "PinpointSMSVoiceV2.SendVoiceMessage" && !ok {
		awsError(w, http.StatusBadRequest, "ValidationException", map[string]any{
			"Message": "1 validation error detected", "Reason": "MISSING_PARAMETER",
			"Fields": []map[string]string{{"Name": "OriginationIdentity", "Message": "must not be null"}},
		})
		return
	}

	to, _ := in["DestinationPhoneNumber"].(string)
	switch {
	case !adaptertest.IsE164(to) || to == "+15005550001":
		awsError(w, http.StatusBadRequest, "com.amazonaws.pinpointsmsvoicev2#ValidationException", map[string]any{
			"Message": "1 validation error detected",
			"Reason":  "INVALID_PARAMETER",
			"Fields":  []map[string]string{{"Name": "DestinationPhoneNumber", "Message": "not a valid E.164 number"}},
		})
	case in["OriginationIdentity"] == "missing-pool":
		awsError(w, http.StatusNotFound, "ResourceNotFoundException", map[string]any{
			"Message": "Resource not found", "ResourceType": "pool", "ResourceId": "missing-pool",
		})
	case to == "+15005550003":
		awsError(w, http.StatusBadRequest, "ValidationException", map[string]any{
			"Message": "Destination country is blocked", "Reason": "DESTINATION_COUNTRY_BLOCKED",
		})
	case to == "+15005550004":
		awsError(w, http.StatusBadRequest, "ConflictException", map[string]any{
			"Message": "The destination phone number is opted out", "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
			"ResourceType": "opt-out-list", "ResourceId": "Default",
		})
	case to == "+15005550005":
		awsError(w, http.StatusBadRequest, "ConflictException", map[string]any{
			"Message": "Blocked by a protect number override", "Reason": "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE",
		})
	case to == "+15005550009":
		awsError(w, http.StatusBadRequest, "ServiceQuotaExceededException", map[string]any{
			"Message": "Monthly spend limit reached", "Reason": "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT",
		})
	case to == "+15005550500":
		awsError(w, http.StatusInternalServerError, "InternalServerException", map[string]any{"Message": "Internal failure"})
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		json.NewEncoder(w).Encode(map[string]string{"MessageId": "eum-" + rand.Text()})
	}
}

// awsError writes an AWS JSON 1.0 error: the type both in the header and
// in the body's __type, as AWS does.
func awsError(w http.ResponseWriter, status int, typ string, fields map[string]any) {
	body := map[string]any{"__type": typ}
	for k, v := range fields {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.Header().Set("X-Amzn-RequestId", "req-err")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
