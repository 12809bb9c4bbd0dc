package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Counters are keyed by the window's start in Unix seconds, so the key is
// the same integer on both engines.

func (t *tx) AddCount(ctx context.Context, bucket string, window time.Time, n int) (int, error) {
	var total int
	err := t.row(ctx, `INSERT INTO counters (bucket, window_start, n) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, window_start) DO UPDATE SET n = counters.n + excluded.n RETURNING n`, bucket, window.Unix(), n).Scan(&total)
	return total, t.d.wrap("add count", err)
}

func (t *tx) Count(ctx context.Context, bucket string, window time.Time) (int, error) {
	var n int
	err := t.row(ctx, `SELECT n FROM counters WHERE bucket = $1 AND window_start = $2`, bucket, window.Unix()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, t.d.wrap("count", err)
}

func (t *tx) DeleteCountsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM counters WHERE window_start < $1`, before.Unix())
	if err != nil {
		return 0, t.d.wrap("delete counts", err)
	}
	return res.RowsAffected()
}
