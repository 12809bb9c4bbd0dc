package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"smsmfa/internal/otp"
	"smsmfa/internal/phone"
)

// Sent describes a code that was queued for sending.
type Sent struct {
	UserID      string // the user's id (the caller may have named the user by login)
	ChallengeID string
	MessageID   string
	To          string // E.164
	Expires     time.Time
	// ResendAt is the earliest time another code can be requested.
	ResendAt time.Time
	// Delivery is filled in after the unit of work commits.
	Delivery Delivery
	// Channel is ChannelVoice when the code is read out in a call.
	Channel Channel

	message Message // as queued, for the deliverer
}

// limit is one rate-limit rule checked before a code is sent.
type limit struct {
	bucket string
	window time.Duration
	max    int
	reason Reason
	msg    string
}

// windowStart returns the start of the fixed window of size w holding t.
func windowStart(t time.Time, w time.Duration) time.Time { return t.Truncate(w) }

// sendCode creates a challenge for number and queues its SMS, inside tx with
// u locked. It enforces, in order: the user's lockout, the resend cooldown,
// the number's block status and sharing limit, and the rate limits and
// budget. A refusal is returned as *Error and its event recorded.
func (s *core) sendCode(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, purpose Purpose, number, scope string) (*Sent, error) {
	return s.sendCodeVia(ctx, tx, set, u, f, purpose, number, scope, channelOf(f))
}

// sendCodeVia is sendCode on a chosen channel: a text, or a voice call
// (the call factor's codes, and an SMS factor's "Call me instead"). A call
// needs the org's call_enabled, has its own resend wording, and counts
// against the voice budget instead of the SMS budget; every other rule is
// the same.
func (s *core) sendCodeVia(ctx context.Context, tx Tx, set Settings, u *User, f *Factor, purpose Purpose, number, scope string, channel Channel) (*Sent, error) {
	now := s.clock.Now()
	if channel == ChannelVoice && !set.CallEnabled {
		return nil, callsDisabled()
	}
	target := userParty(u)
	refuse := func(e *Error, evType, outcome string, details map[string]string) (*Sent, error) {
		if details == nil {
			details = map[string]string{}
		}
		details["phone"] = phone.Mask(number)
		err := s.record(ctx, tx, Event{Type: evType, Target: target, Outcome: outcome, Reason: string(e.Reason), Message: e.Message, Details: details})
		if err != nil {
			return nil, err
		}
		return nil, e
	}
	if u.Locked(now) {
		return refuse(lockedError(u), EvMFAVerify, OutcomeDeny, nil)
	}
	last, err := tx.LastChallengeAt(ctx, u.ID, scope)
	if err != nil {
		return nil, err
	}
	if next := last.Add(set.ResendCooldown); !last.IsZero() && now.Before(next) {
		wait := next.Sub(now).Round(time.Second)
		if wait < time.Second {
			wait = time.Second
		}
		e := Errorf(ERateLimited, RResendTooSoon, "A code was sent a moment ago. You can ask for another in %s.", Duration(wait))
		if channel == ChannelVoice {
			e = Errorf(ERateLimited, RCallTooSoon, "A phone call was made a moment ago. You can ask for another in %s.", Duration(wait))
		}
		e.RetryAt, e.Limit = next, 1
		return refuse(e, EvRateLimit, OutcomeDeny, map[string]string{"rule": "resend_cooldown"})
	}
	// A code to the user's own verified number (every sign-in code, and
	// an enrollment to the number on file) counts against the user only;
	// any other enrollment code also against the number's shared rules.
	own, err := s.ownNumber(ctx, tx, u, f, purpose, number)
	if err != nil {
		return nil, err
	}
	trusted := false
	var fraudKeys []string // the range and country an unproven code counts under
	if !own {
		trusted, err = s.checkSharedNumber(ctx, tx, set, u, number, now)
		if r, ok := asRefusal(err); ok {
			return refuse(r, EvRateLimit, OutcomeDeny, map[string]string{"rule": "number_blocked"})
		} else if err != nil {
			return nil, err
		}
		if fraudKeys, err = s.checkFraud(ctx, tx, set, u, number, now); err != nil { // records its refusals
			return nil, err
		}
	}
	// Everything from here is undone if the org's budget refuses, at the
	// end.
	if err := tx.Savepoint(ctx, "send"); err != nil {
		return nil, err
	}
	if rule, err := s.countSend(ctx, tx, set, u, number, own, trusted, now); err != nil {
		r, ok := asRefusal(err)
		if !ok {
			return nil, err
		}
		return refuse(r, EvRateLimit, OutcomeDeny, map[string]string{"rule": rule})
	}

	if err := tx.KillChallenges(ctx, u.ID, scope, now); err != nil {
		return nil, err
	}
	code, err := otp.Generate(s.rand, set.CodeLength)
	if err != nil {
		return nil, err
	}
	ch := Challenge{
		ID: s.newRowID("chl"), UserID: u.ID, FactorID: f.ID, Purpose: purpose, PhoneNumber: number,
		Created: now, Expires: now.Add(set.CodeLifetime), MaxAttempts: set.CodeMaxAttempts,
		MessageID: s.newRowID("sms"), ClientIP: ClientFrom(ctx).IP, Scope: scope,
	}
	ch.CodeMAC = otp.MAC(s.codeKey, ch.ID, code)
	content := MessageContent{Body: renderTemplate(pickTemplate(set.templates, u.Locale), set.OrgName, code, set.CodeLifetime, s.host), Code: code}
	if channel == ChannelVoice {
		content = voiceContent(u.Locale, set.OrgName, code)
		if f.Type == FactorTypeCall {
			content.Extension = f.Extension
		}
	}
	// Written already claimed for this request, which sends it as soon
	// as the unit of work commits (see Deliverer).
	claim, lease := s.deliver.Claim(now)
	msg := Message{
		ID: ch.MessageID, ChallengeID: ch.ID, UserID: u.ID, To: number,
		SealedBody: SealMessage(s.sealer, ch.MessageID, content),
		State:      MessageSending, Attempts: 1, Claim: claim, LockedUntil: lease,
		NextAttempt: now, Created: now, Expires: ch.Expires, Channel: channel,
	}
	if err := tx.InsertChallenge(ctx, ch); err != nil {
		return nil, err
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	ev, evMsg := EvSMSVerifyCode, "Code sent by SMS"
	if purpose == PurposeEnroll {
		ev = EvSMSEnrollCode
	}
	if channel == ChannelVoice {
		ev, evMsg = EvCallVerifyCode, "Code sent by voice call"
		if purpose == PurposeEnroll {
			ev = EvCallEnrollCode
		}
	}
	if err := s.record(ctx, tx, Event{Type: ev, Target: target, Outcome: OutcomeSuccess,
		Message: evMsg, Details: map[string]string{"phone": phone.Mask(number), "message_id": msg.ID, "factor_id": f.ID, "factor_type": f.Type, "channel": channelName(channel)}}); err != nil {
		return nil, err
	}
	if err := tx.AddFraudTraffic(ctx, fraudKeys, now, 1, 0); err != nil {
		return nil, err
	}
	// The org's budget last: its counter is the one row every code
	// updates, so each unit of work holds it only until its commit.
	if err := s.countBudget(ctx, tx, set, now, channel); err != nil {
		r, ok := asRefusal(err)
		if !ok {
			return nil, err
		}
		if err := tx.RollbackTo(ctx, "send"); err != nil { // no code, no text, no count
			return nil, err
		}
		rule := "budget"
		if channel == ChannelVoice {
			rule = "budget_voice"
		}
		return refuse(r, EvBudgetExceeded, OutcomeDeny, map[string]string{"rule": rule, "channel": channelName(channel)})
	}
	if !own { // a code goes out to a number others verified: tell their records
		if err := s.noteEnrollmentOfOthersNumber(ctx, tx, u, number); err != nil {
			return nil, err
		}
	}
	return &Sent{UserID: u.ID, ChallengeID: ch.ID, MessageID: msg.ID, To: number, Expires: ch.Expires, ResendAt: now.Add(set.ResendCooldown), Channel: channel, message: msg}, nil
}

// checkSharedNumber applies the shared-number rule to an enrollment of a
// number that is not the user's own verified number (when its code is sent
// and again when it is verified): a blocked number is refused, and a number
// that more users verified in 24 hours than the org allows is blocked and
// refused. Only verified users count, and nobody can verify a number
// without its phone, so strangers cannot get a user's number blocked; and
// the users already verified on a blocked number keep signing in (their
// codes never come here). It reports whether an admin trusts the number.
func (s *core) checkSharedNumber(ctx context.Context, tx Tx, set Settings, u *User, number string, now time.Time) (bool, error) {
	blocked := Errorf(EForbidden, RNumberBlocked, "This phone number has been blocked because of unusually high activity. Contact your administrator.")
	n, err := tx.GetNumber(ctx, number)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	switch n.Status {
	case NumberTrusted:
		return true, nil
	case NumberBlocked:
		return false, blocked
	}
	// Verifications of one number are counted under a lock on the number,
	// so two users enrolling it at once (on any instance) see each other.
	if err := tx.Lock(ctx, "number:"+number); err != nil {
		return false, err
	}
	since := now.Add(-24 * time.Hour)
	if n.Status == NumberCleared && n.Updated.After(since) {
		since = n.Updated
	}
	users, err := tx.CountNumberVerifiers(ctx, number, u.ID, since)
	if err != nil {
		return false, err
	}
	if users+1 <= set.SharedMaxUsers {
		return false, nil
	}
	reason := fmt.Sprintf("verified by more than %d users in 24 hours", set.SharedMaxUsers)
	if err := tx.PutNumber(ctx, Number{Number: number, Status: NumberBlocked, Reason: reason, Updated: now, UpdatedBy: "system"}); err != nil {
		return false, err
	}
	err = s.record(ctx, tx, Event{Type: EvNumberBlocked, Severity: SeverityWarn, Target: s.phoneParty(number),
		Outcome: OutcomeDeny, Reason: reason, Message: "Phone number blocked for new enrollments: high activity", Details: map[string]string{"users": strconv.Itoa(users + 1), "requested_by": u.Login}})
	if err != nil {
		return false, err
	}
	return false, blocked
}

// noteEnrollmentOfOthersNumber records, for each other user verified on
// number, that u asked for an enrollment code to it: the admin sees it in
// the system log and on that user's page.
func (s *core) noteEnrollmentOfOthersNumber(ctx context.Context, tx Tx, u *User, number string) error {
	others, err := tx.NumberUsers(ctx, number, maxNotedUsers+1)
	if err != nil {
		return err
	}
	noted := 0
	for _, o := range others {
		if o.ID == u.ID || noted == maxNotedUsers {
			continue
		}
		noted++
		if err := s.record(ctx, tx, Event{Type: EvNumberEnrolledByOther, Severity: SeverityWarn, Actor: userParty(u), Target: userParty(&o),
			Outcome: OutcomeAllow, Message: "Another account asked for an enrollment code to this user's verified number",
			Details: map[string]string{"phone": phone.Mask(number), "by": u.Login}}); err != nil {
			return err
		}
	}
	return nil
}

// maxNotedUsers bounds the events one enrollment writes for the users
// already verified on a number.
const maxNotedUsers = 10

// phoneParty describes a phone number as an event party: its id is a keyed
// hash (the same number always gets the same id, and the log does not hold
// the number), its alternate id the masked number.
func (s *core) phoneParty(number string) Party {
	return Party{ID: PhoneID(s.phoneID, number), Type: "PhoneNumber", AlternateID: phone.Mask(number)}
}

// ownNumber reports whether number is the user's own verified number: the
// number of their active factor for a sign-in code, or the verified number
// on file for an enrollment code.
func (s *core) ownNumber(ctx context.Context, tx Tx, u *User, f *Factor, purpose Purpose, number string) (bool, error) {
	if purpose == PurposeVerify && f.Status == FactorActive && f.PhoneNumber == number {
		return true, nil
	}
	p, err := verifiedPhone(ctx, tx, u.ID)
	if err != nil {
		return false, err
	}
	return p != nil && p.Number == number, nil
}

// countSend adds one send to every rate-limit counter and the budget. When
// one is over its limit it takes the send back from all of them and returns
// the refusal and the rule's name. The per-number limits count every code
// in the user's own bucket for the number, and enrollment codes to a number
// that is not the user's verified one also in the number's shared buckets
// (which a number an admin trusts, a shared team phone, is exempt from).
// Nobody else's codes reach a user's own buckets, so nobody else can use
// up the codes of a user's sign-in.
//
// The user's own buckets are kept per client address (a /64 for IPv6), so
// somebody who holds the password and asks for codes in a loop from
// elsewhere uses up their own buckets, not those of the user signing in;
// the per-address and budget limits bound what they can send in all.
func (s *core) countSend(ctx context.Context, tx Tx, set Settings, u *User, number string, own, trusted bool, now time.Time) (rule string, err error) {
	who := u.ID
	c := ClientFrom(ctx)
	if c.IP != "" && !c.ServerSide {
		who += "@" + AddressBucket(c.IP)
	}
	limits := []limit{
		{"userphone15m:" + who + ":" + number, 15 * time.Minute, set.PhonePer15m, RPhoneLimit, "Too many codes were sent to this number. Try again in %s."},
		{"userphoneday:" + who + ":" + number, 24 * time.Hour, set.PhonePerDay, RPhoneLimit, "Too many codes were sent to this number today. Try again in %s."},
	}
	if !own && !trusted {
		limits = append(limits,
			limit{"phone15m:" + number, 15 * time.Minute, set.PhonePer15m, RPhoneLimit, "Too many codes were sent to this number. Try again in %s."},
			limit{"phoneday:" + number, 24 * time.Hour, set.PhonePerDay, RPhoneLimit, "Too many codes were sent to this number today. Try again in %s."})
	}
	limits = append(limits, limit{"userhour:" + who, time.Hour, set.UserPerHour, RUserLimit, "You have asked for too many codes. Try again in %s."})
	if c.IP != "" && !c.ServerSide {
		limits = append(limits, limit{"iphour:" + AddressBucket(c.IP), time.Hour, set.IPPerHour, RIPLimit, "Too many codes were requested from your network. Try again in %s."})
	}
	// One statement counts the send in every bucket; when one is over
	// its limit, a second takes them all back (refused sends count
	// nowhere) and the first in the order above is reported.
	adds := make([]CountAdd, len(limits))
	for i, l := range limits {
		adds[i] = CountAdd{Bucket: l.bucket, Window: windowStart(now, l.window), N: 1}
	}
	totals, err := tx.AddCounts(ctx, adds)
	if err != nil {
		return "", err
	}
	for i, l := range limits {
		if totals[i] <= l.max {
			continue
		}
		for j := range adds {
			adds[j].N = -1
		}
		if _, err := tx.AddCounts(ctx, adds); err != nil {
			return "", err
		}
		end := adds[i].Window.Add(l.window)
		e := Errorf(ERateLimited, l.reason, l.msg, Duration(max(end.Sub(now).Round(time.Minute), time.Minute)))
		e.RetryAt, e.Limit = end, l.max
		return l.bucket[:indexColon(l.bucket)], e
	}
	return "", nil
}

// countBudget adds one text (or call) to the org's daily SMS (or voice)
// budget, or refuses it when the budget is spent; it warns the system log
// once when the budget reaches its alert share.
func (s *core) countBudget(ctx context.Context, tx Tx, set Settings, now time.Time, channel Channel) error {
	key, budget, what, details := "budget", set.BudgetDaily, "SMS", map[string]string{}
	refuse := func(wait Duration) *Error {
		return Errorf(ERateLimited, RBudget, "Text messages cannot be sent right now. Try again in %s or contact your administrator.", wait)
	}
	if channel == ChannelVoice { // counted apart: a call costs several texts
		key, budget, what, details["channel"] = "budgetvoice", set.VoiceBudgetDaily, "voice call", "voice"
		refuse = func(wait Duration) *Error {
			return Errorf(ERateLimited, RVoiceBudget, "Voice calls cannot be made right now. Try again in %s or contact your administrator.", wait)
		}
	}
	w := windowStart(now, 24*time.Hour)
	n, err := tx.AddCount(ctx, key, w, 1)
	if err != nil {
		return err
	}
	if n > budget {
		end := w.Add(24 * time.Hour)
		e := refuse(Duration(max(end.Sub(now).Round(time.Minute), time.Minute)))
		e.RetryAt, e.Limit = end, budget
		return e
	}
	if n == (budget*set.BudgetAlertPct+99)/100 {
		details["sent"], details["budget"] = strconv.Itoa(n), strconv.Itoa(budget)
		return s.record(ctx, tx, Event{Type: EvBudgetWarning, Severity: SeverityWarn, Target: SystemActor, Outcome: OutcomeAllow,
			Message: fmt.Sprintf("%d%% of the daily %s budget is spent", set.BudgetAlertPct, what), Details: details})
	}
	return nil
}

func indexColon(s string) int {
	for i := range len(s) {
		if s[i] == ':' {
			return i
		}
	}
	return len(s)
}

// lockedError is the refusal for a user locked out by failed verifications.
func lockedError(u *User) *Error {
	if u.LockedUntilUnlocked() {
		return Errorf(ELocked, RUserLocked, "Your account is locked because of too many failed verifications. Contact your administrator to unlock it.")
	}
	e := Errorf(ELocked, RUserLocked, "Your account is locked because of too many failed verifications. Try again later or contact your administrator.")
	e.RetryAt = u.LockedUntil
	return e
}
