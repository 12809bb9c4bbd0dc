package twilio_test

import (
	"testing"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
)

func TestCallNeedsACallerID(t *testing.T) {
	p, err := twilio.New(twilio.Config{AccountSID: "AC" + "0123456789abcdef0123456789abcdef", AuthToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if p.CanCall() {
		t.Fatal("an account without voice_from says it places calls")
	}
	if _, err := p.Call(t.Context(), sms.Message{To: "+442079460958", Channel: sms.ChannelVoice}); sms.ReasonOf(err) != sms.BadSender {
		t.Fatalf("a call with no caller id: %v", err)
	}
}

func TestTwiMLEscapesAndPauses(t *testing.T) {
	got := twilio.TwiML(sms.Speech{Language: "fr-FR", Parts: []string{"Ici <Org> & Co :", "1, 2, 3."}})
	want := `<Response><Say language="fr-FR">Ici &lt;Org&gt; &amp; Co :</Say><Pause length="1"/><Say language="fr-FR">1, 2, 3.</Say></Response>`
	if got != want {
		t.Fatalf("TwiML\n got %s\nwant %s", got, want)
	}
}
