package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/mfa"
)

// Counters are keyed by the window's start in Unix seconds, so the key is
// the same integer on both engines.

func (t *tx) AddCount(ctx context.Context, bucket string, window time.Time, n int) (int, error) {
	var total int
	err := t.row(ctx, `INSERT INTO counters (bucket, window_start, n) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, window_start) DO UPDATE SET n = counters.n + excluded.n RETURNING n`, bucket, window.Unix(), n).Scan(&total)
	return total, t.d.wrap("add count", err)
}

func (t *tx) AddCounts(ctx context.Context, adds []mfa.CountAdd) ([]int, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO counters (bucket, window_start, n) VALUES `)
	args := make([]any, 0, 3*len(adds))
	at := make(map[string]int, len(adds))
	for i, a := range adds {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, a.Bucket, a.Window.Unix(), a.N)
		at[a.Bucket+"@"+strconv.FormatInt(a.Window.Unix(), 10)] = i
	}
	q.WriteString(` ON CONFLICT (bucket, window_start) DO UPDATE SET n = counters.n + excluded.n RETURNING bucket, window_start, n`)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, t.d.wrap("add counts", err)
	}
	defer rows.Close()
	totals, seen := make([]int, len(adds)), 0
	for rows.Next() {
		var bucket string
		var window int64
		var n int
		if err := rows.Scan(&bucket, &window, &n); err != nil {
			return nil, t.d.wrap("add counts", err)
		}
		i, ok := at[bucket+"@"+strconv.FormatInt(window, 10)]
		if !ok {
			return nil, fmt.Errorf("store: add counts: a total for %q that was not asked for", bucket)
		}
		totals[i] = n
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, t.d.wrap("add counts", err)
	}
	if seen != len(adds) {
		return nil, fmt.Errorf("store: add counts: %d totals for %d buckets", seen, len(adds))
	}
	return totals, nil
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
