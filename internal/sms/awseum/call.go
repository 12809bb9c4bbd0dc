package awseum

import (
	"context"
	"encoding/xml"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"smsmfa/internal/sms"
)

var _ sms.Caller = (*Provider)(nil)

// CanCall reports whether the account places calls: a VoiceOrigination is
// configured (SendVoiceMessage needs an origination identity).
func (p *Provider) CanCall() bool { return p.voiceOrigination != "" }

// voices are the Amazon Polly voices calls are read in, by language.
var voices = map[string]types.VoiceId{
	"en": types.VoiceIdJoanna, "en-GB": types.VoiceIdAmy, "de": types.VoiceIdMarlene, "fr": types.VoiceIdCeline,
	"es": types.VoiceIdLucia, "it": types.VoiceIdCarla, "pt": types.VoiceIdCamila, "pt-PT": types.VoiceIdInes, "nl": types.VoiceIdLotte,
}

// VoiceFor is the Polly voice for a BCP 47 language: the exact tag, then
// its language, then English.
func VoiceFor(language string) types.VoiceId {
	if v, ok := voices[language]; ok {
		return v
	}
	lang, _, _ := strings.Cut(language, "-")
	if v, ok := voices[lang]; ok {
		return v
	}
	return types.VoiceIdJoanna
}

// SSML is the speech as SSML: each phrase, a one-second break between
// phrases.
func SSML(s sms.Speech) string {
	var b strings.Builder
	b.WriteString("<speak>")
	for i, part := range s.Parts {
		if i > 0 {
			b.WriteString(`<break time="1s"/>`)
		}
		_ = xml.EscapeText(&b, []byte(part))
	}
	b.WriteString("</speak>")
	return b.String()
}

// Call calls SendVoiceMessage for msg and returns the MessageId. The request
// carries DestinationPhoneNumber, OriginationIdentity (msg.From when it is
// a number, else the configured VoiceOrigination), MessageBody (the speech
// as SSML, see SSML) with MessageBodyTextType SSML, VoiceId (from the
// speech's language, see VoiceFor), ConfigurationSetName (when
// configured), TimeToLive (from msg.Expires) and Context {ContextKey:
// msg.ID}. msg.Extension cannot be dialled by this API and is not sent.
// Errors are as for Send.
func (p *Provider) Call(ctx context.Context, msg sms.Message) (string, error) {
	origin := p.voiceOrigination
	if sms.IsE164(msg.From) {
		origin = msg.From
	}
	if origin == "" {
		return "", sms.NewError(sms.BadSender, "", "no origination identity for calls: voice_origination is not configured")
	}
	in := &pinpointsmsvoicev2.SendVoiceMessageInput{
		DestinationPhoneNumber: aws.String(msg.To),
		OriginationIdentity:    aws.String(origin),
		MessageBody:            aws.String(SSML(msg.Speech)),
		MessageBodyTextType:    types.VoiceMessageBodyTextTypeSsml,
		VoiceId:                VoiceFor(msg.Speech.Language),
	}
	in.ConfigurationSetName, in.TimeToLive, in.Context = p.envelope(msg)
	out, err := p.client.SendVoiceMessage(ctx, in)
	if err != nil {
		return p.answer(ctx, msg, nil, err)
	}
	return p.answer(ctx, msg, out.MessageId, nil)
}
