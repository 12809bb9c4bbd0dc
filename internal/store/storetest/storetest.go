// Package storetest is the conformance suite of package store: every
// behaviour callers rely on, checked the same way on SQLite and PostgreSQL.
// It also makes fresh, migrated databases for other packages' tests
// (NewSQLite, NewPostgres).
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store"
)

// Run runs the suite. open must return a fresh, migrated, empty database
// each time it is called; it is called once per subtest.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Users/InsertGetUpdate", testUsersInsertGetUpdate},
		{"Users/ZeroTimesStayZero", testUsersZeroTimes},
		{"Users/NotFound", testUsersNotFound},
		{"Users/LoginUnique", testUsersLoginUnique},
		{"Users/ListOrderAndPaging", testUsersListPaging},
		{"Users/ListQuery", testUsersListQuery},
		{"Users/ListQueryWildcardsLiteral", testUsersListWildcards},
		{"Users/ListQueryNonASCII", testUsersListNonASCII},
		{"Users/DeleteCascades", testUsersDeleteCascades},
		{"Factors/InsertGetUpdateDelete", testFactorsCRUD},
		{"Factors/UniquePerUserAndType", testFactorsUnique},
		{"Factors/ListPerUser", testFactorsList},
		{"Factors/TOTPStep", testFactorsTOTPStep},
		{"Factors/RecoveryCodes", testRecoveryCodes},
		{"Phones/PutReplaces", testPhonesPut},
		{"Challenges/InsertGet", testChallengesInsertGet},
		{"Challenges/LatestChallenge", testChallengesLatest},
		{"Challenges/LastChallengeAt", testChallengesLastAt},
		{"Challenges/KillOnlyLive", testChallengesKill},
		{"Challenges/AddAttempt", testChallengesAddAttempt},
		{"Challenges/Consume", testChallengesConsume},
		{"Challenges/ConsumeConcurrent", testChallengesConsumeConcurrent},
		{"Phones/NumberVerifiers", testPhonesNumberVerifiers},
		{"Challenges/DeleteBefore", testChallengesDeleteBefore},
		{"Transactions/InsertGetUpdate", testTxnsInsertGetUpdate},
		{"Transactions/TakeSessionToken", testTxnsTakeSessionToken},
		{"Transactions/DeleteBefore", testTxnsDeleteBefore},
		{"Messages/InsertGet", testMessagesInsertGet},
		{"Outbox/ClaimMessage", testOutboxClaimMessage},
		{"Outbox/ClaimExpiredLease", testOutboxClaimExpiredLease},
		{"Outbox/ClaimDue", testOutboxClaimDue},
		{"Outbox/ClaimDueConcurrent", testOutboxClaimDueConcurrent},
		{"Outbox/FinishMessage", testOutboxFinish},
		{"Outbox/FinishMessages", testOutboxFinishGroup},
		{"Outbox/TakeOver", testOutboxTakeOver},
		{"Outbox/ReleaseLeases", testOutboxReleaseLeases},
		{"Outbox/Receipts", testOutboxReceipts},
		{"Telephony/Providers", testProviders},
		{"Telephony/OptOuts", testOptOuts},
		{"Telephony/Templates", testTemplates},
		{"Challenges/KillDropsQueuedMessages", testKillDropsQueuedMessages},
		{"Challenges/Delete", testDeleteChallenge},
		{"Cluster/TryLock", testTryLock},
		{"Tx/Savepoint", testSavepoint},
		{"Counters/AddCount", testCountersAdd},
		{"Counters/AddCounts", testCountersAddMany},
		{"Counters/AddCountConcurrent", testCountersAddConcurrent},
		{"Counters/DeleteBefore", testCountersDeleteBefore},
		{"Numbers/PutGetListDelete", testNumbers},
		{"Settings/SaveLoad", testSettings},
		{"Tokens/InsertGetTouchRevoke", testTokens},
		{"Tokens/RevokeUserTokens", testTokensRevokeUser},
		{"Tokens/NoteRefused", testTokensNoteRefused},
		{"Radius/Clients", testRadiusClients},
		{"Radius/Requests", testRadiusRequests},
		{"Users/ActiveAdmins", testUsersActiveAdmins},
		{"Events/InsertRoundTrip", testEventsInsert},
		{"Events/ListOrder", testEventsOrder},
		{"Events/ListAfterCursor", testEventsAfter},
		{"Events/ListSinceUntil", testEventsSinceUntil},
		{"Events/ListTypesAndOutcome", testEventsTypesOutcome},
		{"Events/ListQuery", testEventsQuery},
		{"Events/ListLimit", testEventsLimit},
		{"Events/DeleteBefore", testEventsDeleteBefore},
		{"Events/DeleteBacklog", testEventsDeleteBacklog},
		{"Text/NULAndNotUTF8Storable", testTextStorable},
		{"Sessions/CommitFindDelete", testSessionsCommitFindDelete},
		{"Sessions/Expired", testSessionsExpired},
		{"Sessions/DeleteExpired", testSessionsDeleteExpired},
		{"Sessions/TokenHashedAtRest", testSessionsHashed},
		{"Tx/RollbackOnError", testTxRollback},
		{"Outbox/Stats", testOutboxStats},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// MustInTx runs fn in a unit of work and fails the test on any error.
func MustInTx(tb testing.TB, db *store.DB, fn func(tx mfa.Tx) error) {
	tb.Helper()
	if err := db.InTx(context.Background(), fn); err != nil {
		tb.Fatalf("InTx: %v", err)
	}
}

// base is the suite's reference time: UTC with microseconds, which both
// engines keep exactly.
var base = time.Date(2026, time.March, 14, 15, 9, 26, 0, time.UTC).Add(535897 * time.Microsecond)

// at returns base moved by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// wantErr fails unless err is (or wraps) want.
func wantErr(tb testing.TB, what string, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

// checkUTC fails when a non-zero time.Time field of v (a struct, a pointer
// to one, or a slice of them) is not in UTC. cmp compares times with
// Time.Equal, which does not see the location.
func checkUTC(tb testing.TB, v any) {
	tb.Helper()
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		tb.Helper()
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(path, rv.Elem())
			}
		case reflect.Slice:
			if rv.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := range rv.Len() {
				walk(path, rv.Index(i))
			}
		case reflect.Struct:
			if tm, ok := rv.Interface().(time.Time); ok {
				if !tm.IsZero() && tm.Location() != time.UTC {
					tb.Errorf("%s = %v: location %v, want UTC", path, tm, tm.Location())
				}
				return
			}
			for i := range rv.NumField() {
				if rv.Type().Field(i).IsExported() {
					walk(path+"."+rv.Type().Field(i).Name, rv.Field(i))
				}
			}
		}
	}
	walk(reflect.TypeOf(v).String(), reflect.ValueOf(v))
}
