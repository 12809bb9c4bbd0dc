package telephony

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
	"smsmfa/internal/sms/vonage"
)

// Hooks receives providers' callbacks. Every callback is checked against
// the provider's signature; a forged or unsigned one is refused with 403.
func (p *Pool) Hooks() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /hooks/twilio/{name}/status", p.twilioStatus)
	m.HandleFunc("POST /hooks/twilio/{name}/inbound", p.twilioInbound)
	m.HandleFunc("GET /hooks/vonage/{name}/receipt", p.vonageReceipt)
	m.HandleFunc("POST /hooks/vonage/{name}/receipt", p.vonageReceipt)
	return m
}

// receiptState maps a receipt's status onto the delivery log's states;
// ok is false for statuses that change nothing (queued, sent).
func receiptState(s sms.Status) (mfa.MessageState, bool) {
	switch s {
	case sms.StatusDelivered:
		return mfa.MessageDelivered, true
	case sms.StatusUndelivered, sms.StatusFailed:
		return mfa.MessageUndelivered, true
	}
	return "", false
}

// provider returns the running configuration of the callback's provider
// when it has the type; otherwise it answers 404.
func (p *Pool) provider(w http.ResponseWriter, r *http.Request, typ string) (mfa.ProviderConfig, bool) {
	c, ok := p.Config(r.PathValue("name"))
	if !ok || c.Type != typ {
		http.Error(w, "unknown provider", http.StatusNotFound)
		return c, false
	}
	return c, true
}

// publicURL is the URL the provider called, as it signed it: our public
// base URL and the request's path and query.
func (p *Pool) publicURL(r *http.Request) string {
	u := p.base + r.URL.Path
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

func (p *Pool) twilioForm(w http.ResponseWriter, r *http.Request) (mfa.ProviderConfig, url.Values, bool) {
	c, ok := p.provider(w, r, twilio.Type)
	if !ok {
		return c, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return c, nil, false
	}
	if !twilio.VerifySignature(c.Credentials[twilio.CredAuthToken], p.publicURL(r), r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
		p.log.Warn("Twilio callback refused: bad signature", "provider", c.Name, "path", r.URL.Path)
		http.Error(w, "invalid signature", http.StatusForbidden)
		return c, nil, false
	}
	return c, r.PostForm, true
}

func (p *Pool) twilioStatus(w http.ResponseWriter, r *http.Request) {
	c, form, ok := p.twilioForm(w, r)
	if !ok {
		return
	}
	rc, err := twilio.ParseStatusCallback(form)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.applyReceipt(w, r, c.Name, rc)
}

func (p *Pool) applyReceipt(w http.ResponseWriter, r *http.Request, provider string, rc sms.Receipt) {
	if st, ok := receiptState(rc.Status); ok {
		detail := strings.TrimSpace(strings.Join([]string{rc.ErrorCode, rc.ErrorDetail}, " "))
		if _, err := p.svc.ApplyReceipt(r.Context(), provider, rc.ProviderMessageID, st, detail); err != nil {
			p.log.Error("apply receipt", "provider", provider, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// twilioInbound records STOP / START / HELP replies, and answers with an
// empty TwiML document (Twilio's own opt-out handling sends the replies).
func (p *Pool) twilioInbound(w http.ResponseWriter, r *http.Request) {
	c, form, ok := p.twilioForm(w, r)
	if !ok {
		return
	}
	in, err := twilio.ParseInbound(form)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if in.Keyword != sms.KeywordNone {
		if err := p.svc.RecordKeyword(r.Context(), c.Name, in.From, in.To, string(in.Keyword), in.ProviderMessageID); err != nil {
			p.log.Error("record opt-out", "provider", c.Name, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`); err != nil {
		p.log.Warn("Twilio inbound: answer not written", "provider", c.Name, "err", err)
	}
}

// vonageReceipt takes a delivery receipt (GET query, POST form or JSON).
// When the provider has a signature_secret, the receipt must be signed.
func (p *Pool) vonageReceipt(w http.ResponseWriter, r *http.Request) {
	c, ok := p.provider(w, r, vonage.Type)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var m map[string]any
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				http.Error(w, "bad JSON", http.StatusBadRequest)
				return
			}
			values = url.Values{}
			for k, v := range m {
				if s, ok := v.(string); ok {
					values.Set(k, s)
				}
			}
		} else if err := r.ParseForm(); err == nil {
			values = r.Form
		}
	}
	secret := c.Credentials[vonage.CredSignatureSecret]
	if secret == "" {
		p.log.Warn("Vonage receipt refused: set the provider's signature_secret credential to accept receipts", "provider", c.Name)
		http.Error(w, "receipts need a signature secret", http.StatusForbidden)
		return
	}
	if !vonage.VerifySignature(secret, values) {
		p.log.Warn("Vonage receipt refused: bad signature", "provider", c.Name)
		http.Error(w, "invalid signature", http.StatusForbidden)
		return
	}
	rc, err := vonage.ParseReceipt(values)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.applyReceipt(w, r, c.Name, rc)
}
