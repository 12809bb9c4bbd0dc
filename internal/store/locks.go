package store

import (
	"context"
	"fmt"
)

// TryLock takes a lock named name for the rest of the unit of work, across
// every instance, if it is free; it reports whether it got it. Periodic
// jobs use it to run once per cluster.
func (t *tx) TryLock(ctx context.Context, name string) (bool, error) {
	q := t.d.dialect.tryLock()
	if q == "" {
		return true, nil
	}
	var ok bool
	err := t.row(ctx, q, name).Scan(&ok)
	return ok, t.d.wrap("try lock", err)
}

// Lock waits for the lock named name and holds it until the unit of work
// ends, across every instance (PostgreSQL advisory lock; on SQLite the
// write lock of BEGIN IMMEDIATE already serialises units of work).
func (t *tx) Lock(ctx context.Context, name string) error {
	if t.d.dialect.name() != Postgres {
		return nil
	}
	_, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, name)
	return t.d.wrap("lock", err)
}

// Savepoint marks a point of the unit of work that RollbackTo returns to.
func (t *tx) Savepoint(ctx context.Context, name string) error {
	if !identifier(name) {
		return fmt.Errorf("store: savepoint name %q", name)
	}
	_, err := t.exec(ctx, `SAVEPOINT `+name)
	return t.d.wrap("savepoint", err)
}

// RollbackTo undoes the work done after the savepoint name.
func (t *tx) RollbackTo(ctx context.Context, name string) error {
	if !identifier(name) {
		return fmt.Errorf("store: savepoint name %q", name)
	}
	_, err := t.exec(ctx, `ROLLBACK TO SAVEPOINT `+name)
	return t.d.wrap("rollback to savepoint", err)
}

// identifier reports whether s is a plain SQL identifier.
func identifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}
