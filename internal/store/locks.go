package store

import "context"

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
