// Package store keeps smsmfa's state in SQL: SQLite (modernc.org/sqlite,
// the embedded default) or PostgreSQL (pgx through database/sql). One set of
// hand-written queries with $N placeholders serves both engines; what
// differs lives in the per-dialect migrations and in dialect.go. Times are
// always passed in from Go's clock (never now() in SQL) and stored in UTC.
//
// DB implements mfa.Store, the delivery outbox operations, and scs's
// session store (tokens kept only as SHA-256 hashes).
package store
