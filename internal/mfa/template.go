package mfa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Template is the SMS text for one locale. Placeholders: {org}, {code},
// {expires} ("5 minutes"). The WebOTP line (`@host #code`) is always added
// after it, so browsers can fill the code in.
type Template struct {
	Locale    string // "en", "fr", "pt_BR"
	Body      string
	Updated   time.Time
	UpdatedBy string
}

// DefaultTemplate is the text used when no template fits.
const DefaultTemplate = "Your {org} verification code is {code}. It expires in {expires}. Never share it."

// TemplateTx stores templates.
type TemplateTx interface {
	ListTemplates(ctx context.Context) ([]Template, error)
	PutTemplate(ctx context.Context, t Template) error
	DeleteTemplate(ctx context.Context, locale string) error
}

// renderTemplate fills a template in and appends the WebOTP line.
func renderTemplate(body, org, code string, lifetime time.Duration, host string) string {
	out := strings.NewReplacer("{org}", org, "{code}", code, "{expires}", humanDuration(lifetime)).Replace(body)
	if host != "" {
		out += "\n\n@" + host + " #" + code
	}
	return out
}

// pickTemplate chooses the template for a user's locale: the exact locale,
// then its language, then "en", then the built-in default.
func pickTemplate(ts []Template, locale string) string {
	locale = strings.ReplaceAll(locale, "-", "_")
	lang, _, _ := strings.Cut(locale, "_")
	for _, want := range []string{locale, lang, "en"} {
		for _, t := range ts {
			if strings.EqualFold(t.Locale, want) {
				return t.Body
			}
		}
	}
	return DefaultTemplate
}

// ValidateTemplate checks a template: it must hold {code}, use only known
// placeholders, and fit in a reasonable message (FieldTemplate); its
// locale is an identifier (FieldTemplateLocale).
func ValidateTemplate(locale, body string) error {
	var errs []string
	l := strings.ReplaceAll(locale, "-", "_")
	if _, err := FieldTemplateLocale.Check(l); err != nil || l == "" || strings.Contains(l, "/") {
		errs = append(errs, "locale: a code such as en, fr or pt_BR")
	}
	if !strings.Contains(body, "{code}") {
		errs = append(errs, "the text must contain {code}")
	}
	for rest := body; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		if ph := rest[i : i+j+1]; !slices.Contains([]string{"{org}", "{code}", "{expires}"}, ph) {
			errs = append(errs, fmt.Sprintf("unknown placeholder %s (use {org}, {code}, {expires})", ph))
		}
		rest = rest[i+j+1:]
	}
	if utf8.RuneCountInString(body) > FieldTemplate.Max {
		errs = append(errs, fmt.Sprintf("the text must be at most %d characters", FieldTemplate.Max))
	}
	if len(errs) > 0 {
		return Errorf(EInvalid, RInvalidInput, "template: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Templates lists the stored templates.
func (s *Telephony) Templates(ctx context.Context) ([]Template, error) {
	return load(ctx, s.core, func(tx Tx) ([]Template, error) { return tx.ListTemplates(ctx) })
}

// SetTemplate stores the template of a locale, cleaned (CleanText, line
// breaks kept); an empty body removes it.
func (s *Telephony) SetTemplate(ctx context.Context, locale, body string) error {
	locale = strings.ReplaceAll(strings.TrimSpace(locale), "-", "_")
	body = strings.TrimSpace(CleanText(body, true))
	if body != "" {
		if err := ValidateTemplate(locale, body); err != nil {
			return err
		}
	}
	return s.run(ctx, func(tx Tx) error {
		var err error
		if body == "" {
			err = tx.DeleteTemplate(ctx, locale)
			if errors.Is(err, ErrNotFound) {
				err = nil
			}
		} else {
			err = tx.PutTemplate(ctx, Template{Locale: locale, Body: body, Updated: s.clock.Now(), UpdatedBy: ClientFrom(ctx).Actor.AlternateID})
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvTemplateUpdate, Target: Party{ID: locale, Type: "SmsTemplate", AlternateID: locale}, Outcome: OutcomeSuccess, Message: "SMS template changed"})
	})
}

// PreviewTemplate renders body as a user would receive it (with a sample
// code), for the console's preview.
func (s *Telephony) PreviewTemplate(ctx context.Context, body string) (string, error) {
	set, err := s.orgSettings(ctx)
	if err != nil {
		return "", err
	}
	sample := strings.Repeat("7", set.CodeLength)
	return renderTemplate(body, set.OrgName, sample, set.CodeLifetime, s.host), nil
}
