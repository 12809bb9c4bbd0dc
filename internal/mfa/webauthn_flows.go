package mfa

import (
	"context"
	"errors"
)

// Scopes of webauthn ceremonies outside a sign-in transaction.
const (
	// ScopeFactorsAPI is the scope of ceremonies started with the Factors
	// API (an administrator's token acts for the user).
	ScopeFactorsAPI = "api"
)

// TxnWebAuthnEnroll starts the registration of a passkey in MFA_ENROLL (or
// again in MFA_ENROLL_ACTIVATE of the webauthn factor) and moves to
// MFA_ENROLL_ACTIVATE; the view carries the creation options.
func (s *Signin) TxnWebAuthnEnroll(ctx context.Context, stateToken string) (*TxnView, error) {
	var opts *CreationOptions
	v, err := s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnroll, TxnMFAEnrollActivate}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		if t.Status == TxnMFAEnrollActivate {
			if f, err := getFactor(ctx, tx, u.ID, t.FactorID); err != nil {
				return err
			} else if f.Type != FactorTypeWebAuthn {
				return wrongState()
			}
		}
		// An active passkey factor is refused before a ceremony is saved
		// (a refusal commits).
		if f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn); err != nil {
			return err
		} else if f != nil && f.Status == FactorActive {
			return Errorf(EConflict, RFactorExists, "A factor of this type is already set up.")
		}
		f, o, err := s.beginWebAuthnEnroll(ctx, tx, set, u, t.ID)
		if err != nil {
			return err
		}
		t.FactorID, t.Status, opts = f.ID, TxnMFAEnrollActivate, o
		return nil
	})
	if v != nil {
		v.Creation = opts
	}
	return v, err
}

// TxnWebAuthnActivate checks the authenticator's answer to the
// registration in MFA_ENROLL_ACTIVATE; on success the factor is active and
// the transaction reaches SUCCESS.
func (s *Signin) TxnWebAuthnActivate(ctx context.Context, stateToken, factorID string, in AttestationInput, name string) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAEnrollActivate}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		factorID, err := inPlay(t, factorID)
		if err != nil {
			return err
		}
		if f, err := getFactor(ctx, tx, u.ID, factorID); err != nil {
			return err
		} else if f.Type != FactorTypeWebAuthn || f.Status != FactorPending {
			return wrongState()
		}
		if _, _, err := s.finishWebAuthnEnroll(ctx, tx, set, u, in, name, t.ID); err != nil {
			return err
		}
		s.succeed(t, u, s.clock.Now())
		return tx.UpdateUser(ctx, *u)
	})
}

// TxnWebAuthnChallenge starts a sign-in with a passkey (MFA_REQUIRED, or
// again in MFA_CHALLENGE) and moves to MFA_CHALLENGE; the view carries the
// request options. factorID "" means the user's webauthn factor.
func (s *Signin) TxnWebAuthnChallenge(ctx context.Context, stateToken, factorID string) (*TxnView, error) {
	var opts *RequestOptions
	v, err := s.txnStep(ctx, stateToken, []TxnStatus{TxnMFARequired, TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		f, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn)
		if err != nil {
			return err
		}
		if f == nil || (factorID != "" && factorID != f.ID) {
			return FactorNotFound(factorID)
		}
		f, o, err := s.beginWebAuthnLogin(ctx, tx, set, u, t.ID)
		if err != nil {
			return err
		}
		t.FactorID, t.Status, opts = f.ID, TxnMFAChallenge, o
		return nil
	})
	if v != nil {
		v.Request = opts
	}
	return v, err
}

// TxnWebAuthnVerify checks the authenticator's answer in MFA_CHALLENGE; on
// success the transaction reaches SUCCESS.
func (s *Signin) TxnWebAuthnVerify(ctx context.Context, stateToken, factorID string, in AssertionInput) (*TxnView, error) {
	return s.txnStep(ctx, stateToken, []TxnStatus{TxnMFAChallenge}, func(tx Tx, set Settings, t *Transaction, u *User) error {
		factorID, err := inPlay(t, factorID)
		if err != nil {
			return err
		}
		if f, err := getFactor(ctx, tx, u.ID, factorID); err != nil {
			return err
		} else if f.Type != FactorTypeWebAuthn {
			return wrongState()
		}
		f, err := s.finishWebAuthnLogin(ctx, tx, set, u, in, t.ID)
		if err != nil {
			return err
		}
		t.FactorID = f.ID
		s.verified(set, t, u, f.Type)
		return tx.UpdateUser(ctx, *u)
	})
}

// WebAuthnState is a user's webauthn factor and passkeys.
type WebAuthnState struct {
	Enabled     bool
	Factor      *Factor // nil when none
	Credentials []WebAuthnCredential
}

// WebAuthn returns the user's webauthn factor and passkeys.
func (s *Factors) WebAuthn(ctx context.Context, userID string) (WebAuthnState, error) {
	var st WebAuthnState
	err := s.view(ctx, func(tx Tx) error {
		if _, err := tx.GetUser(ctx, userID); errors.Is(err, ErrNotFound) {
			return userNotFound(userID)
		} else if err != nil {
			return err
		}
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		st.Enabled = set.WebAuthnEnabled
		if st.Factor, err = factorOfType(ctx, tx, userID, FactorTypeWebAuthn); err != nil {
			return err
		}
		st.Credentials, err = tx.ListWebAuthnCredentials(ctx, userID)
		return err
	})
	return st, err
}

// BeginWebAuthnEnroll starts the registration of a passkey for a user
// outside a sign-in (the Factors API, the account page) in scope. An
// active factor gets one more passkey unless only is set (the Factors
// API's enroll, where a second factor of the type is refused).
func (s *Factors) BeginWebAuthnEnroll(ctx context.Context, userID, scope string, only bool) (*Factor, *CreationOptions, error) {
	var f *Factor
	var opts *CreationOptions
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		if only {
			if cur, err := factorOfType(ctx, tx, u.ID, FactorTypeWebAuthn); err != nil {
				return err
			} else if cur != nil && cur.Status == FactorActive {
				return Errorf(EConflict, RFactorExists, "A factor of this type is already set up.")
			}
		}
		f, opts, err = s.beginWebAuthnEnroll(ctx, tx, set, u, scope)
		return err
	})
	return f, opts, err
}

// FinishWebAuthnEnroll checks the answer to the registration of scope and
// adds the passkey; the factor becomes active.
func (s *Factors) FinishWebAuthnEnroll(ctx context.Context, userID, scope string, in AttestationInput, name string) (*Factor, *WebAuthnCredential, error) {
	var f *Factor
	var c *WebAuthnCredential
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		var err error
		f, c, err = s.finishWebAuthnEnroll(ctx, tx, set, u, in, name, scope)
		return err
	})
	return f, c, err
}

// BeginWebAuthnLogin starts a verification with the user's passkeys in
// scope (the Factors API's verify).
func (s *Factors) BeginWebAuthnLogin(ctx context.Context, userID, factorID, scope string) (*Factor, *RequestOptions, error) {
	var f *Factor
	var opts *RequestOptions
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		if _, err := factorByIDOfType(ctx, tx, u.ID, factorID, FactorTypeWebAuthn); err != nil {
			return err
		}
		var err error
		f, opts, err = s.beginWebAuthnLogin(ctx, tx, set, u, scope)
		return err
	})
	return f, opts, err
}

// FinishWebAuthnLogin checks the answer to the verification of scope.
func (s *Factors) FinishWebAuthnLogin(ctx context.Context, userID, factorID, scope string, in AssertionInput) (*Factor, error) {
	var f *Factor
	err := s.onUser(ctx, userID, func(tx Tx, set Settings, u *User) error {
		if _, err := factorByIDOfType(ctx, tx, u.ID, factorID, FactorTypeWebAuthn); err != nil {
			return err
		}
		var err error
		f, err = s.finishWebAuthnLogin(ctx, tx, set, u, in, scope)
		return err
	})
	return f, err
}

// RemoveWebAuthnCredential removes one passkey of the user; removing the
// last one removes the factor. The passkey can no longer sign in.
func (s *Factors) RemoveWebAuthnCredential(ctx context.Context, userID, credentialID string) error {
	return s.run(ctx, func(tx Tx) error {
		u, err := s.loadUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		creds, err := tx.ListWebAuthnCredentials(ctx, u.ID)
		if err != nil {
			return err
		}
		var gone *WebAuthnCredential
		for i := range creds {
			if creds[i].ID == credentialID {
				gone = &creds[i]
			}
		}
		if gone == nil {
			return Errorf(ENotFound, RFactorNotFound, "Not found: Resource not found: %s (Passkey)", credentialID)
		}
		if err := tx.DeleteWebAuthnCredential(ctx, u.ID, gone.ID); err != nil {
			return err
		}
		details := map[string]string{"factor_id": gone.FactorID, "factor_type": FactorTypeWebAuthn, "credential": gone.ID, "name": gone.Name}
		if len(creds) == 1 {
			if err := tx.DeleteFactor(ctx, u.ID, gone.FactorID); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			return s.record(ctx, tx, Event{Type: EvFactorDeactivate, Target: userParty(u), Outcome: OutcomeSuccess,
				Message: "Security key or biometric authenticator factor removed with its last passkey", Details: details})
		}
		return s.record(ctx, tx, Event{Type: EvFactorUpdate, Target: userParty(u), Outcome: OutcomeSuccess, Message: "Passkey removed", Details: details})
	})
}
