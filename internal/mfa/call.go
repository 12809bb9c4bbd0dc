package mfa

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"smsmfa/internal/phone"
)

// EvCallVerifyCode and EvCallEnrollCode: a code queued to be read out in a
// voice call (a sign-in code, an enrollment code).
const (
	EvCallVerifyCode = "system.voice.send_mfa_challenge_call"
	EvCallEnrollCode = "system.voice.send_phone_verification_call"
)

// Channel is how a code reaches the user: a text message (the zero value)
// or a voice call that reads it out.
type Channel string

// The channels.
const (
	ChannelSMS   Channel = ""
	ChannelVoice Channel = "voice"
)

// channelOf is the channel a factor's codes go by.
func channelOf(f *Factor) Channel {
	if f != nil && f.Type == FactorTypeCall {
		return ChannelVoice
	}
	return ChannelSMS
}

// channelName names a channel in events.
func channelName(c Channel) string {
	if c == ChannelVoice {
		return "voice"
	}
	return "sms"
}

// callsDisabled is the refusal of a call while the org's call_enabled is
// off.
func callsDisabled() *Error {
	return Errorf(EForbidden, RFactorDisabled, "Voice calls are not enabled for your organisation.")
}

// voiceScript is what a call says in one language: an introduction, the
// code, a phrase before the code again, the code, and a goodbye.
type voiceScript struct {
	language, intro, again, outro string
}

// voiceScripts are the built-in call texts by language. {org} is the org's
// name.
var voiceScripts = map[string]voiceScript{
	"en": {"en-US", "Hello. This is {org}. Your verification code is:", "Once again, your code is:", "Goodbye."},
	"de": {"de-DE", "Hallo. Hier ist {org}. Ihr Bestätigungscode lautet:", "Noch einmal, Ihr Code lautet:", "Auf Wiederhören."},
	"fr": {"fr-FR", "Bonjour. Ici {org}. Votre code de vérification est :", "Je répète, votre code est :", "Au revoir."},
	"es": {"es-ES", "Hola. Le llamamos de {org}. Su código de verificación es:", "Repetimos, su código es:", "Adiós."},
	"it": {"it-IT", "Buongiorno. Qui {org}. Il suo codice di verifica è:", "Ripeto, il suo codice è:", "Arrivederci."},
	"pt": {"pt-BR", "Olá. Aqui é {org}. O seu código de verificação é:", "Repetindo, o seu código é:", "Até logo."},
	"nl": {"nl-NL", "Hallo. Dit is {org}. Uw verificatiecode is:", "Nogmaals, uw code is:", "Tot ziens."},
}

// VoiceLanguages lists the languages calls are read out in (others get
// English).
func VoiceLanguages() []string { return []string{"de", "en", "es", "fr", "it", "nl", "pt"} }

// spokenDigits writes a code digit by digit, each followed by a comma, so
// a text-to-speech voice reads it slowly ("4, 9, 1, 7, 0, 3.").
func spokenDigits(code string) string {
	var b strings.Builder
	for i, c := range code {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteRune(c)
	}
	b.WriteString(".")
	return b.String()
}

// voiceContent is the sealed content of a call in the user's locale: the
// code read out twice, slowly, with the phrases apart (the provider pauses
// between them).
func voiceContent(locale, org, code string) MessageContent {
	locale = strings.ReplaceAll(locale, "-", "_")
	lang, _, _ := strings.Cut(strings.ToLower(locale), "_")
	sc, ok := voiceScripts[lang]
	if !ok {
		sc = voiceScripts["en"]
	}
	if lang == "pt" && !strings.EqualFold(locale, "pt_BR") && locale != "pt" {
		sc.language = "pt-PT"
	}
	digits := spokenDigits(code)
	parts := []string{strings.ReplaceAll(sc.intro, "{org}", org), digits, sc.again, digits, sc.outro}
	return MessageContent{Body: strings.Join(parts, " "), Code: code, Channel: ChannelVoice, Language: sc.language, Parts: parts}
}

// CallEnrollRequest asks to set up the voice call factor.
type CallEnrollRequest struct {
	// Phone is the number as typed (a landline will do). Empty means: the
	// number of a pending call factor.
	Phone string
	// Region is the country picked in the UI; empty means the org's
	// default region.
	Region string
	// Extension is the phone extension to dial once the call is answered
	// (Okta's phoneExtension): digits only, at most 15.
	Extension string
	// SkipValidation is Okta's validatePhone:false.
	SkipValidation bool
	// Activate makes the factor active at once without a code (management
	// API only).
	Activate bool
}

// CallState is a user's voice call factor.
type CallState struct {
	Factor  *Factor // nil when not set up
	Enabled bool    // the org's call_enabled
	// ResendAt is the earliest time another code can be sent.
	ResendAt   time.Time
	CodeLength int
	// Pending is the live enrollment challenge of a pending factor.
	Pending *Challenge
}

// factorOfType returns the user's factor of type typ, or nil.
func factorOfType(ctx context.Context, tx Tx, userID, typ string) (*Factor, error) {
	fs, err := tx.ListFactors(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		if fs[i].Type == typ {
			return &fs[i], nil
		}
	}
	return nil, nil
}

// CallState returns the user's voice call factor and the org's switch.
func (s *Factors) CallState(ctx context.Context, userID string) (CallState, error) {
	var st CallState
	err := s.view(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		st.Enabled, st.CodeLength = set.CallEnabled, set.CodeLength
		if last, err := tx.LastChallengeAt(ctx, userID, NoScope); err != nil {
			return err
		} else if !last.IsZero() {
			st.ResendAt = last.Add(set.ResendCooldown)
		}
		if st.Factor, err = factorOfType(ctx, tx, userID, FactorTypeCall); err != nil || st.Factor == nil {
			return err
		}
		ch, err := tx.LatestChallenge(ctx, st.Factor.ID, PurposeEnroll, NoScope)
		if err == nil && ch.Live(s.clock.Now()) {
			st.Pending = &ch
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil
	})
	return st, err
}

// checkExtension validates a phone extension: up to 15 digits.
func checkExtension(ext string) (string, *Error) {
	ext = strings.TrimSpace(ext)
	if len(ext) > 15 || strings.Trim(ext, "0123456789") != "" {
		return "", Errorf(EInvalid, RInvalidInput, "phoneExtension: An extension is up to 15 digits.")
	}
	return ext, nil
}

// EnrollCall sets up the voice call factor for a user: it creates (or
// reuses) a pending factor for the number and calls it with a code, or,
// with req.Activate, makes it active at once. Refusals: RFactorDisabled
// (call_enabled off), RFactorExists (already active), RPhoneRequired, the
// phone policy reasons (with call_phone_types), RInvalidInput (extension),
// and the sending limits (the voice budget among them).
func (s *Factors) EnrollCall(ctx context.Context, userID string, req CallEnrollRequest) (*Factor, *Sent, error) {
	return s.enrolling(ctx, userID, func(tx Tx, set Settings, u *User) (*Factor, *Sent, error) {
		return s.enrollCall(ctx, tx, set, u, req, NoScope)
	})
}

// enrollCall is EnrollCall inside a unit of work.
func (s *core) enrollCall(ctx context.Context, tx Tx, set Settings, u *User, req CallEnrollRequest, scope string) (*Factor, *Sent, error) {
	now := s.clock.Now()
	if !set.CallEnabled {
		return nil, nil, callsDisabled()
	}
	if err := checkSeveral(ctx, tx, set, u, FactorTypeCall); err != nil {
		return nil, nil, err
	}
	f, err := factorOfType(ctx, tx, u.ID, FactorTypeCall)
	if err != nil {
		return nil, nil, err
	}
	if f != nil && f.Status == FactorActive {
		return nil, nil, Errorf(EConflict, RFactorExists, "A factor of this type is already set up.")
	}
	ext, r := checkExtension(req.Extension)
	if r != nil {
		return nil, nil, r
	}
	var number string
	switch {
	case req.Phone != "":
		n, r := checkNumberFor(set, req.Phone, req.Region, req.SkipValidation, ChannelVoice)
		if r != nil {
			if err := s.record(ctx, tx, Event{Type: EvPhoneRefused, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(r.Reason), Message: r.Message,
				Details: map[string]string{"country": n.Region, "type": string(n.Type), "factor_type": FactorTypeCall}}); err != nil {
				return nil, nil, err
			}
			return nil, nil, r
		}
		number = n.E164
	case f != nil:
		number = f.PhoneNumber
	default:
		return nil, nil, Errorf(EInvalid, RPhoneRequired, "Enter the phone number to call.")
	}
	isNew := f == nil
	if isNew {
		f = &Factor{ID: s.newID("clf"), UserID: u.ID, Type: FactorTypeCall, Status: FactorPending, Created: now}
	}
	changed := isNew || f.PhoneNumber != number || f.Extension != ext
	f.PhoneNumber, f.Extension = number, ext
	if changed {
		f.LastUpdated = now
	}
	return s.startEnrollment(ctx, tx, set, u, f, isNew, changed, req.Activate, scope)
}

// activateCall makes a call factor active on number. Unlike the SMS
// factor, the number does not become the user's verified (texting) phone:
// it may be a landline.
func (s *core) activateCall(ctx context.Context, tx Tx, u *User, f *Factor, number string, now time.Time) error {
	ev, msg := EvFactorActivate, "Voice call factor activated"
	if f.Status == FactorActive {
		ev, msg = EvFactorUpdate, "Voice call factor phone number changed"
	}
	f.Status, f.PhoneNumber, f.LastUpdated = FactorActive, number, now
	if err := tx.UpdateFactor(ctx, *f); err != nil {
		return err
	}
	if err := tx.KillAllChallenges(ctx, u.ID, now); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: ev, Target: userParty(u), Outcome: OutcomeSuccess, Message: msg,
		Details: map[string]string{"factor_id": f.ID, "factor_type": FactorTypeCall, "phone": phone.Mask(number)}})
}

// CallInstead places a voice call with a new sign-in code to the number of
// the user's active SMS factor ("Call me instead" outside a sign-in): the
// code checks as any code of that factor. It needs call_enabled; every
// sending rule applies, and the call counts against the voice budget.
func (s *Factors) CallInstead(ctx context.Context, userID, factorID string) (*Sent, error) {
	return s.sending(ctx, userID, func(tx Tx, set Settings, u *User) (*Sent, error) {
		return s.callInstead(ctx, tx, set, u, factorID, PurposeVerify, NoScope)
	})
}

// callInstead sends the code of factorID's next challenge for purpose by a
// voice call: to an active factor's number for a sign-in, or to the number
// being verified for an enrollment.
func (s *core) callInstead(ctx context.Context, tx Tx, set Settings, u *User, factorID string, purpose Purpose, scope string) (*Sent, error) {
	f, err := getFactor(ctx, tx, u.ID, factorID)
	if err != nil {
		return nil, err
	}
	number := f.PhoneNumber
	switch {
	case f.Type != FactorTypeSMS && f.Type != FactorTypeCall, number == "":
		// An app or a passkey has no number to call.
		return nil, Errorf(EInvalid, RFactorType, "This factor has no phone number to call.")
	case purpose == PurposeVerify && f.Status != FactorActive:
		return nil, Errorf(EForbidden, RFactorNotActive, "This factor is not active yet. Activate it with the code sent at enrollment.")
	case purpose == PurposeEnroll && f.Status == FactorActive:
		return nil, Errorf(EForbidden, RFactorNotPending, "The factor is already active; there is no number to verify.")
	case purpose == PurposeVerify:
		if err := s.factorUsable(ctx, tx, set, u, f); err != nil {
			return nil, err
		}
	}
	return s.sendCodeVia(ctx, tx, set, u, f, purpose, number, scope, ChannelVoice)
}

// CallAMR is the amr of a sign-in by password and a code read out in a
// voice call: "tel", as Okta's table maps voice (what Okta itself emits is
// unconfirmed).
var CallAMR = AMR{"pwd", "tel", "mfa"}

// signInAMR is the amr of a sign-in that verified factorID ("" for none).
func (s *core) signInAMR(ctx context.Context, tx Tx, userID, factorID string) (AMR, error) {
	if factorID == RecoveryFactorID {
		return RecoveryAMR, nil
	}
	if factorID != "" {
		f, err := tx.GetFactor(ctx, userID, factorID)
		switch {
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		case err == nil && f.Type == FactorTypeCall:
			return slices.Clone(CallAMR), nil
		case err == nil && f.Type == FactorTypeTOTP:
			return TOTPAMR, nil
		case err == nil && f.Type == FactorTypeWebAuthn:
			return WebAuthnAMR(), nil
		}
	}
	return SignInAMR(factorID != ""), nil
}

// TxnEnrollCall enrolls the voice call factor in MFA_ENROLL and moves to
// MFA_ENROLL_ACTIVATE once the call is queued.
func (s *Signin) TxnEnrollCall(ctx context.Context, stateToken string, req CallEnrollRequest) (*TxnView, *Sent, error) {
	req.Activate = false
	return s.txnSend(ctx, stateToken, []TxnStatus{TxnMFAEnroll}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		f, sent, err := s.enrollCall(ctx, tx, set, u, req, t.ID)
		if err != nil {
			return sent, err
		}
		t.FactorID, t.Status = f.ID, TxnMFAEnrollActivate
		return sent, nil
	})
}

// TxnCallInstead places a voice call with a new code for the factor in
// play ("Call me instead" on the text message code pages): an enrollment
// code in MFA_ENROLL_ACTIVATE, a sign-in code in MFA_CHALLENGE. The code
// checks as any code of that factor; the transaction stays where it is.
func (s *Signin) TxnCallInstead(ctx context.Context, stateToken string) (*TxnView, *Sent, error) {
	return s.txnSend(ctx, stateToken, []TxnStatus{TxnMFAEnrollActivate, TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) (*Sent, error) {
		purpose := PurposeVerify
		if t.Status == TxnMFAEnrollActivate {
			purpose = PurposeEnroll
		}
		return s.callInstead(ctx, tx, set, u, t.FactorID, purpose, t.ID)
	})
}
