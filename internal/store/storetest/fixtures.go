package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// hash is a stand-in for a token hash: SHA-256 of s.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// newUser is an active user with only the required times set.
func newUser(id, login string) mfa.User {
	return mfa.User{
		ID: id, Login: login, Status: mfa.UserActive,
		Created: at(0), LastUpdated: at(0),
	}
}

func newFactor(id, userID, number string) mfa.Factor {
	return mfa.Factor{
		ID: id, UserID: userID, Type: mfa.FactorTypeSMS, Status: mfa.FactorActive,
		PhoneNumber: number, Created: at(0), LastUpdated: at(0), Provider: "OKTA",
	}
}

// newChallenge is a live verify challenge created at created, expiring
// five minutes later, with three tries.
func newChallenge(id, userID, factorID, number string, created time.Time) mfa.Challenge {
	return mfa.Challenge{
		ID: id, UserID: userID, FactorID: factorID, Purpose: mfa.PurposeVerify, PhoneNumber: number,
		CodeMAC: hash("code " + id), Created: created, Expires: created.Add(5 * time.Minute), MaxAttempts: 3,
	}
}

func newTxn(id, userID string, expires time.Time) mfa.Transaction {
	return mfa.Transaction{
		ID: id, TokenHash: hash("state " + id), UserID: userID, Status: mfa.TxnMFARequired,
		Created: at(0), Expires: expires,
	}
}

// newMessage is a queued message due at next.
func newMessage(id string, next time.Time) mfa.Message {
	return mfa.Message{
		ID: id, ChallengeID: "ch-" + id, UserID: "u1", To: "+15550100001",
		SealedBody: []byte("sealed\x00\xff" + id), State: mfa.MessageQueued,
		NextAttempt: next, Created: at(0), Expires: at(10 * time.Minute),
	}
}

func mustInsertUsers(tb testing.TB, db *store.DB, users ...mfa.User) {
	tb.Helper()
	MustInTx(tb, db, func(tx mfa.Tx) error {
		for _, u := range users {
			if err := tx.InsertUser(context.Background(), u); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustInsertChallenges(tb testing.TB, db *store.DB, cs ...mfa.Challenge) {
	tb.Helper()
	MustInTx(tb, db, func(tx mfa.Tx) error {
		for _, c := range cs {
			if err := tx.InsertChallenge(context.Background(), c); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustInsertMessages(tb testing.TB, db *store.DB, ms ...mfa.Message) {
	tb.Helper()
	MustInTx(tb, db, func(tx mfa.Tx) error {
		for _, m := range ms {
			if err := tx.InsertMessage(context.Background(), m); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustGetChallenge(tb testing.TB, db *store.DB, id string) mfa.Challenge {
	tb.Helper()
	var c mfa.Challenge
	MustInTx(tb, db, func(tx mfa.Tx) error {
		var err error
		c, err = tx.GetChallenge(context.Background(), id)
		return err
	})
	checkUTC(tb, c)
	return c
}

func mustGetMessage(tb testing.TB, db *store.DB, id string) mfa.Message {
	tb.Helper()
	m, err := db.GetMessage(context.Background(), id)
	if err != nil {
		tb.Fatalf("GetMessage(%s): %v", id, err)
	}
	checkUTC(tb, m)
	return m
}
