package awseum_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awseum"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

func voiceMessage(to, from string) sms.Message {
	return sms.Message{ID: "msg_v", To: to, From: from, Code: "123456", Channel: sms.ChannelVoice, Expires: adaptertest.Now.Add(5 * time.Minute),
		Body:   "Hallo. Ihr Code lautet: 1, 2, 3, 4, 5, 6. Noch einmal: 1, 2, 3, 4, 5, 6.",
		Speech: sms.Speech{Language: "de-DE", Parts: []string{"Hallo. Ihr Code lautet:", "1, 2, 3, 4, 5, 6.", "Noch einmal:", "1, 2, 3, 4, 5, 6."}}}
}

func TestCall(t *testing.T) {
	t.Run("NeedsAnOrigination", func(t *testing.T) {
		p, _ := mustProvider(t, nil)
		if p.CanCall() {
			t.Fatal("an account without voice_origination says it places calls")
		}
	})
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *awseum.Config) { c.VoiceOrigination = "pool-voice"; c.ConfigurationSetName = "smsmfa-events" })
		if !p.CanCall() {
			t.Fatal("CanCall is false with voice_origination")
		}
		id, err := p.Call(t.Context(), voiceMessage("+4930123456", ""))
		if err != nil || !strings.HasPrefix(id, "eum-") {
			t.Fatalf("%q %v", id, err)
		}
		got := emu.requests.Last(t)
		if got.Target != "PinpointSMSVoiceV2.SendVoiceMessage" || got.Auth.Service != "sms-voice" || got.Auth.AccessKeyID != awstest.AccessKeyID {
			t.Errorf("target %q auth %+v", got.Target, got.Auth)
		}
		want := map[string]any{
			"DestinationPhoneNumber": "+4930123456",
			"OriginationIdentity":    "pool-voice",
			"MessageBody":            `<speak>Hallo. Ihr Code lautet:<break time="1s"/>1, 2, 3, 4, 5, 6.<break time="1s"/>Noch einmal:<break time="1s"/>1, 2, 3, 4, 5, 6.</speak>`,
			"MessageBodyTextType":    "SSML",
			"VoiceId":                "MARLENE",
			"ConfigurationSetName":   "smsmfa-events",
			"TimeToLive":             float64(300),
			"Context":                map[string]any{awseum.ContextKey: "msg_v"},
		}
		if diff := cmp.Diff(want, got.Body); diff != "" {
			t.Errorf("request (-want +got):\n%s", diff)
		}
	})
	t.Run("NumberSenderWins", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *awseum.Config) { c.VoiceOrigination = "pool-voice" })
		if _, err := p.Call(t.Context(), voiceMessage("+4930123456", "+15557654321")); err != nil {
			t.Fatal(err)
		}
		if got := emu.requests.Last(t).Body["OriginationIdentity"]; got != "+15557654321" {
			t.Errorf("OriginationIdentity = %v", got)
		}
	})
	t.Run("RefusalsMapAsForTexts", func(t *testing.T) {
		p, _ := mustProvider(t, func(c *awseum.Config) { c.VoiceOrigination = "pool-voice" })
		_, err := p.Call(t.Context(), voiceMessage("+15005550500", ""))
		if sms.ReasonOf(err) != sms.ProviderDown || strings.Contains(err.Error(), "1, 2, 3") {
			t.Fatalf("got %v", err)
		}
	})
}
