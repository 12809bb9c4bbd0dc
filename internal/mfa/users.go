package mfa

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"smsmfa/internal/password"
)

// maxLogin is the longest login in bytes: sign-in does not look up a
// longer one, which no user can have.
var maxLogin = FieldLogin.Max * utf8.UTFMax

// NormalizeLogin trims a login and lower-cases it; logins are unique
// without regard to case, as in Okta.
func NormalizeLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// NewUser is a user to create.
type NewUser struct {
	Login     string
	Password  string // empty: the user cannot sign in until one is set
	FirstName string
	LastName  string
	Email     string
	Locale    string
	TimeZone  string
	Admin     bool
	// Activate makes the user ACTIVE; otherwise STAGED (Okta's activate=false).
	Activate bool
}

// Users creates, finds, changes and removes users, and checks a signed-in
// user's password again.
type Users struct{ *core }

// NewUsers returns the user service; c needs a Hasher.
func NewUsers(c Config) *Users {
	s := &Users{newCore(c)}
	s.require("Users", c.Hasher != nil)
	return s
}

// check returns nu fit to store, or the refusal (RInvalidInput) of its
// first field that is not: the login, email, locale and time zone are
// identifiers, refused unless they are printable characters without
// spaces (the login also not empty, and lower-cased); the names are
// cleaned (CleanText); each is refused over its cap (FieldLogin, …).
func (nu NewUser) check() (NewUser, error) {
	// Checked before it is lower-cased, which would turn bytes that are
	// not UTF-8 into U+FFFD.
	login, err := FieldLogin.Check(strings.TrimSpace(nu.Login))
	if err != nil {
		return nu, err
	}
	if login == "" {
		return nu, Errorf(EInvalid, RInvalidInput, "login: The login must be 1 to %d characters without spaces.", FieldLogin.Max)
	}
	nu.Login = NormalizeLogin(login)
	for _, f := range []struct {
		field Field
		v     *string
	}{{FieldEmail, &nu.Email}, {FieldFirstName, &nu.FirstName}, {FieldLastName, &nu.LastName}, {FieldLocale, &nu.Locale}, {FieldTimeZone, &nu.TimeZone}} {
		v, err := f.field.Check(strings.TrimSpace(*f.v))
		if err != nil {
			return nu, err
		}
		*f.v = strings.TrimSpace(v)
	}
	return nu, nil
}

// checkAll is check, then the password policy.
func (nu NewUser) checkAll() (NewUser, error) {
	nu, err := nu.check()
	if err != nil {
		return nu, err
	}
	if nu.Password != "" {
		if msg := password.CheckPolicy(nu.Password, nu.Login); msg != "" {
			return nu, Errorf(EInvalid, RPasswordPolicy, "password: %s", msg)
		}
	}
	return nu, nil
}

// CreateUser creates a user. Refusals: RInvalidInput (a field that is not
// fit to store, see NewUser.check), RPasswordPolicy, RLoginTaken.
func (s *Users) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	u, err := s.newUser(ctx, nu)
	if err != nil {
		return nil, err
	}
	err = s.run(ctx, func(tx Tx) error { return s.insertUser(ctx, tx, &u) })
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// newUser checks nu and returns the user to store, its password hashed.
// Refusals: RInvalidInput, RPasswordPolicy, RBusy.
func (s *Users) newUser(ctx context.Context, nu NewUser) (User, error) {
	nu, err := nu.checkAll()
	if err != nil {
		return User{}, err
	}
	login := nu.Login
	var hash string
	if nu.Password != "" {
		var err error
		if hash, err = s.hasher.Hash(ctx, nu.Password); errors.Is(err, password.ErrBusy) {
			return User{}, s.busy()
		} else if err != nil {
			return User{}, Internal("hash password", err)
		}
	}
	now := s.clock.Now()
	u := User{ID: s.newID("00u"), Login: login, FirstName: nu.FirstName, LastName: nu.LastName,
		Email: nu.Email, Locale: nu.Locale, TimeZone: nu.TimeZone, Status: UserStaged, Admin: nu.Admin,
		PasswordHash: hash, Created: now, LastUpdated: now, StatusChanged: now}
	if hash != "" {
		u.PasswordChanged = now
	}
	if u.Locale == "" {
		u.Locale = "en_US"
	}
	if u.TimeZone == "" {
		u.TimeZone = "UTC"
	}
	if nu.Activate {
		u.Status, u.Activated = UserActive, now
	}
	return u, nil
}

// insertUser stores u inside tx and records its creation. Refusal:
// RLoginTaken (rolled back).
func (s *Users) insertUser(ctx context.Context, tx Tx, u *User) error {
	err := tx.InsertUser(ctx, *u)
	if errors.Is(err, ErrConflict) {
		// Rolled back: PostgreSQL has aborted the transaction.
		return rollback(Errorf(EConflict, RLoginTaken, "login: An object with this field already exists in the current organization"))
	}
	if err != nil {
		return err
	}
	if err := s.retireSetupCodes(ctx, tx, u); err != nil {
		return err
	}
	return s.record(ctx, tx, Event{Type: EvUserCreate, Target: userParty(u), Outcome: OutcomeSuccess, Message: "User created",
		Details: map[string]string{"status": string(u.Status), "admin": boolText(u.Admin)}})
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// GetUser returns a user by id, or by login when no user has that id.
func (s *Users) GetUser(ctx context.Context, idOrLogin string) (*User, error) {
	var u User
	err := s.view(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUser(ctx, idOrLogin)
		if errors.Is(err, ErrNotFound) {
			u, err = tx.GetUserByLogin(ctx, NormalizeLogin(idOrLogin))
		}
		if errors.Is(err, ErrNotFound) {
			return userNotFound(idOrLogin)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ListUsers lists users by login after afterLogin, matching query.
// Refusal: RInvalidInput when query is longer than FieldSearch allows.
func (s *Users) ListUsers(ctx context.Context, query, afterLogin string, limit int) ([]User, error) {
	query, err := FieldSearch.Check(strings.TrimSpace(query))
	if err != nil {
		return nil, err
	}
	return load(ctx, s.core, func(tx Tx) ([]User, error) { return tx.ListUsers(ctx, query, afterLogin, limit) })
}

// SetUserStatus activates or deactivates a user (refused with
// RNotPermitted for the only active administrator). A user who leaves ACTIVE
// loses their API tokens (revoked, each in the system log); reactivating
// them does not bring the tokens back, as in Okta.
func (s *Users) SetUserStatus(ctx context.Context, userID string, status UserStatus) (*User, error) {
	var u *User
	err := s.run(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, "smsmfa admins"); err != nil {
			return err
		}
		var err error
		if u, err = s.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if u.Status == status {
			return nil
		}
		if status != UserActive {
			if err := s.keepAnAdmin(ctx, tx, u); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		u.Status, u.StatusChanged, u.LastUpdated = status, now, now
		ev := EvUserDeactivate
		if status == UserActive {
			u.Activated, ev = now, EvUserActivate
		}
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		if err := s.retireSetupCodes(ctx, tx, u); err != nil {
			return err
		}
		if err := s.record(ctx, tx, Event{Type: ev, Target: userParty(u), Outcome: OutcomeSuccess, Message: "User status " + string(status)}); err != nil {
			return err
		}
		if status == UserActive {
			return nil
		}
		return s.revokeUserTokens(ctx, tx, u.ID, u.Login, ownerProblem(u))
	})
	return u, err
}

// lockAny locks and returns a user, or nil when there is none.
func (s *core) lockAny(ctx context.Context, tx Tx, userID string) (*User, error) {
	return orNil(tx.LockUser(ctx, userID))
}

// lockUser locks and returns a user. Refusal: RUserNotFound.
func (s *core) lockUser(ctx context.Context, tx Tx, userID string) (*User, error) {
	u, err := s.lockAny(ctx, tx, userID)
	if err == nil && u == nil {
		return nil, userNotFound(userID)
	}
	return u, err
}

// orNil returns a pointer to v, or nil when err is ErrNotFound.
func orNil[T any](v T, err error) (*T, error) {
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DeleteUser removes a user and everything of theirs; their API tokens
// are revoked (kept, with the revocations in the system log). Refusals:
// RUserNotFound; RNotPermitted for the only active administrator.
func (s *Users) DeleteUser(ctx context.Context, userID string) error {
	return s.run(ctx, func(tx Tx) error {
		if err := tx.Lock(ctx, "smsmfa admins"); err != nil {
			return err
		}
		u, err := s.lockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, u); err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, userID); err != nil {
			return err
		}
		if err := s.record(ctx, tx, Event{Type: EvUserDelete, Target: userParty(u), Outcome: OutcomeSuccess, Message: "User deleted"}); err != nil {
			return err
		}
		return s.revokeUserTokens(ctx, tx, u.ID, u.Login, ownerProblem(nil))
	})
}

// SetAdmin grants or withdraws a user's administrator rights. Withdrawing
// them revokes the user's API tokens, each revocation in the system log.
// Refusals: RUserNotFound; RNotPermitted when it would leave no active
// administrator.
func (s *Users) SetAdmin(ctx context.Context, userID string, admin bool) (*User, error) {
	var u *User
	err := s.run(ctx, func(tx Tx) error {
		// One demotion at a time, so two admins cannot each demote the
		// other and leave none.
		if err := tx.Lock(ctx, "smsmfa admins"); err != nil {
			return err
		}
		var err error
		if u, err = s.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if u.Admin == admin {
			return nil
		}
		if !admin {
			if err := s.keepAnAdmin(ctx, tx, u); err != nil {
				return err
			}
		}
		u.Admin, u.LastUpdated = admin, s.clock.Now()
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		if err := s.retireSetupCodes(ctx, tx, u); err != nil {
			return err
		}
		ev, msg := EvAdminGrant, "Administrator rights granted"
		if !admin {
			ev, msg = EvAdminRevoke, "Administrator rights withdrawn"
		}
		if err := s.record(ctx, tx, Event{Type: ev, Target: userParty(u), Outcome: OutcomeSuccess, Message: msg}); err != nil {
			return err
		}
		if admin {
			return nil
		}
		return s.revokeUserTokens(ctx, tx, u.ID, u.Login, ownerProblem(u))
	})
	return u, err
}

// keepAnAdmin refuses a change that takes u's administrator rights away
// (demotion, deactivation, deletion) when u is the only active
// administrator: with none left, nobody could manage the org and the
// first-run setup page would open again. The caller holds the "smsmfa
// admins" lock, so two such changes cannot each leave the other alone.
// Refusal: RNotPermitted.
func (s *core) keepAnAdmin(ctx context.Context, tx Tx, u *User) error {
	if !u.Admin || u.Status != UserActive {
		return nil
	}
	admins, err := tx.ActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if len(admins) <= 1 {
		return Errorf(EForbidden, RNotPermitted, "%s is the only active administrator: make another user an administrator first.", u.Login)
	}
	return nil
}

// Unlock ends a user's lockout and clears the failure counters.
func (s *Users) Unlock(ctx context.Context, userID string) error {
	return s.run(ctx, func(tx Tx) error {
		u, err := s.lockAny(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u == nil {
			return userNotFound(userID)
		}
		u.LockedUntil, u.FailedMFA, u.FailedPasswords, u.LastUpdated = zeroTime, 0, 0, s.clock.Now()
		u.MFALockouts, u.LastMFALockout = 0, zeroTime
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvAccountUnlock, Target: userParty(u), Outcome: OutcomeSuccess, Message: "User unlocked by an administrator"})
	})
}

// RecordSignOut records that u signed out of the web UI.
func (s *Users) RecordSignOut(ctx context.Context, u *User) error {
	return s.run(ctx, func(tx Tx) error {
		return s.record(ctx, tx, Event{Type: EvSignOut, Target: userParty(u), Outcome: OutcomeSuccess, Message: "User signed out"})
	})
}

// RecordSessionExchange records that a session token became a browser session.
func (s *Users) RecordSessionExchange(ctx context.Context, u *User) error {
	return s.run(ctx, func(tx Tx) error {
		return s.record(ctx, tx, Event{Type: EvSessionExchange, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Session token exchanged for a browser session"})
	})
}

// ConfirmPassword checks a signed-in user's password again before a
// sensitive change (their second factor). Wrong passwords count towards
// the lockout as at sign-in. Refusals: RAuthFailed, RUserLocked.
func (s *Users) ConfirmPassword(ctx context.Context, userID, pw string) error {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, verr := s.hasher.Verify(ctx, u.PasswordHash, pw)
	if errors.Is(verr, password.ErrBusy) {
		s.obs.SignIn("busy")
		return s.busy()
	}
	if verr != nil {
		s.log.ErrorContext(ctx, "password verify", "user", u.ID, "err", verr)
	}
	return s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		now := s.clock.Now()
		target := userParty(u)
		if u.Locked(now) {
			if err := s.record(ctx, tx, Event{Type: EvReauth, Target: target, Outcome: OutcomeDeny, Reason: "locked out", Message: "Password confirmation refused: user locked out"}); err != nil {
				return err
			}
			return lockedError(u)
		}
		if ok {
			if u.FailedPasswords != 0 {
				u.FailedPasswords, u.LastUpdated = 0, now
				if err := tx.UpdateUser(ctx, *u); err != nil {
					return err
				}
			}
			return s.record(ctx, tx, Event{Type: EvReauth, Target: target, Outcome: OutcomeSuccess, Message: "Password confirmed for an account change"})
		}
		locked, err := s.wrongPassword(ctx, tx, set, u, now, EvReauth, "Password confirmation failed")
		if err != nil {
			return err
		}
		if locked {
			return lockedError(u)
		}
		return Errorf(EUnauthorized, RAuthFailed, "That password is not right.")
	})
}

// wrongPassword counts a wrong password against u at now, inside tx, and
// locks u for set.PasswordLockFor after set.PasswordFailures in a row. It
// records the failure (an event of type evType saying message) and any
// lockout, and reports whether u is now locked.
func (s *core) wrongPassword(ctx context.Context, tx Tx, set Settings, u *User, now time.Time, evType, message string) (bool, error) {
	u.FailedPasswords++
	u.LastUpdated = now
	lock := u.FailedPasswords >= set.PasswordFailures
	if lock {
		u.LockedUntil, u.FailedPasswords = now.Add(set.PasswordLockFor), 0
	}
	if err := tx.UpdateUser(ctx, *u); err != nil {
		return false, err
	}
	target := userParty(u)
	if err := s.record(ctx, tx, Event{Type: evType, Target: target, Outcome: OutcomeFailure, Reason: "INVALID_CREDENTIALS", Message: message}); err != nil {
		return false, err
	}
	if !lock {
		return false, nil
	}
	return true, s.record(ctx, tx, Event{Type: EvAccountLock, Severity: SeverityWarn, Target: target, Outcome: OutcomeSuccess,
		Reason: "too many wrong passwords", Message: "User locked out until " + u.LockedUntil.Format(time.RFC3339)})
}
