package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxChannel is the PostgreSQL notification channel on which a new
// outbox message wakes every instance's delivery worker.
const OutboxChannel = "smsmfa_outbox"

// ListenOutbox calls wake whenever another instance queues a message, until
// ctx ends. On PostgreSQL it holds one connection in LISTEN and reconnects
// with backoff when the server goes away (and calls wake after each
// reconnection, in case a notification was missed). On SQLite there is one
// process and nothing to listen to: it returns at once.
func (d *DB) ListenOutbox(ctx context.Context, wake func(), log *slog.Logger) {
	if d.dialect.name() != Postgres {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		log.Warn("outbox listener lost its connection; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (d *DB) listenOnce(ctx context.Context, wake func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, d.url)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+OutboxChannel); err != nil {
		return err
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}

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
