package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"smsmfa/internal/fraud"
	"smsmfa/internal/mfa"
)

// Traffic buckets: a minute bucket is "m|" + key, an hour bucket "h|" + key.
const (
	minuteBucket = "m|"
	hourBucket   = "h|"
)

func (t *tx) AddFraudTraffic(ctx context.Context, keys []string, at time.Time, sends, verified int) error {
	for _, k := range keys {
		for _, b := range []struct {
			prefix string
			span   time.Duration
		}{{minuteBucket, time.Minute}, {hourBucket, time.Hour}} {
			_, err := t.exec(ctx, `INSERT INTO fraud_counts (bucket, window_start, sends, verified) VALUES ($1, $2, $3, $4)
				ON CONFLICT (bucket, window_start) DO UPDATE SET sends = fraud_counts.sends + excluded.sends, verified = fraud_counts.verified + excluded.verified`,
				b.prefix+k, at.Truncate(b.span).Unix(), sends, verified)
			if err != nil {
				return t.d.wrap("add fraud traffic", err)
			}
		}
	}
	return nil
}

func (t *tx) FraudTraffic(ctx context.Context, key string, now, since time.Time) (fraud.Traffic, error) {
	tr := fraud.Traffic{Key: key, Since: since, ParentRate: -1}
	from := max(now.Add(-time.Hour).Truncate(time.Minute).Unix(), since.Truncate(time.Minute).Unix())
	rows, err := t.query(ctx, `SELECT window_start, sends, verified FROM fraud_counts WHERE bucket = $1 AND window_start >= $2 ORDER BY window_start`,
		minuteBucket+key, from)
	if err != nil {
		return tr, t.d.wrap("fraud traffic", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b fraud.Bucket
		var start int64
		if err := rows.Scan(&start, &b.Sends, &b.Verified); err != nil {
			return tr, t.d.wrap("fraud traffic", err)
		}
		b.Start = time.Unix(start, 0).UTC()
		tr.Minutes = append(tr.Minutes, b)
	}
	if err := rows.Err(); err != nil {
		return tr, t.d.wrap("fraud traffic", err)
	}
	dayStart := now.Truncate(time.Hour).Add(-23 * time.Hour)
	dayFrom := dayStart
	if c := since.Truncate(time.Hour); c.After(dayFrom) || c.Equal(dayFrom) {
		dayFrom = c
		if !c.Equal(since) {
			dayFrom = c.Add(time.Hour) // the hour the evidence starts in holds older traffic
		}
	}
	tr.Day.Start, tr.Base.Start = dayFrom, dayStart.Add(-fraud.BaseDays*24*time.Hour)
	err = t.row(ctx, `SELECT
			COALESCE(SUM(CASE WHEN window_start >= $2 THEN sends ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN window_start >= $2 THEN verified ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN window_start < $3 THEN sends ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN window_start < $3 THEN verified ELSE 0 END), 0)
		FROM fraud_counts WHERE bucket = $1 AND window_start >= $4`,
		hourBucket+key, dayFrom.Unix(), dayStart.Unix(), tr.Base.Start.Unix()).Scan(&tr.Day.Sends, &tr.Day.Verified, &tr.Base.Sends, &tr.Base.Verified)
	return tr, t.d.wrap("fraud traffic", err)
}

func (t *tx) FraudSendsSince(ctx context.Context, kind string, since time.Time) (int, error) {
	var n int
	lo := minuteBucket + kind + ":"
	err := t.row(ctx, `SELECT COALESCE(SUM(sends), 0) FROM fraud_counts WHERE bucket >= $1 AND bucket < $2 AND window_start >= $3`,
		lo, minuteBucket+kind+";", since.Truncate(time.Minute).Unix()).Scan(&n)
	return n, t.d.wrap("fraud sends", err)
}

func (t *tx) FraudTotals(ctx context.Context, kind string, from, until time.Time) (map[string]fraud.Bucket, error) {
	rows, err := t.query(ctx, `SELECT bucket, SUM(sends), SUM(verified) FROM fraud_counts
		WHERE bucket >= $1 AND bucket < $2 AND window_start >= $3 AND window_start < $4 GROUP BY bucket`,
		hourBucket+kind+":", hourBucket+kind+";", from.Truncate(time.Hour).Unix(), until.Unix())
	if err != nil {
		return nil, t.d.wrap("fraud totals", err)
	}
	defer rows.Close()
	out := map[string]fraud.Bucket{}
	for rows.Next() {
		var k string
		var b fraud.Bucket
		if err := rows.Scan(&k, &b.Sends, &b.Verified); err != nil {
			return nil, t.d.wrap("fraud totals", err)
		}
		b.Start = from
		out[strings.TrimPrefix(k, hourBucket)] = b
	}
	return out, t.d.wrap("fraud totals", rows.Err())
}

func (t *tx) DeleteFraudCountsBefore(ctx context.Context, minutes, hours time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM fraud_counts WHERE (bucket < $1 AND window_start < $2) OR (bucket >= $1 AND window_start < $3)`,
		minuteBucket, hours.Unix(), minutes.Unix())
	if err != nil {
		return 0, t.d.wrap("delete fraud counts", err)
	}
	return res.RowsAffected()
}

const fraudKeyColumns = `key, status, since, until, strikes, evidence, details, updated_by`

func scanFraudKey(scan func(...any) error) (mfa.FraudKey, error) {
	var k mfa.FraudKey
	var since, until int64
	var details string
	err := scan(&k.Key, &k.Status, &since, &until, &k.Strikes, &k.Evidence, &details, &k.UpdatedBy)
	if err != nil {
		return k, err
	}
	k.Since = unixOrZero(since)
	k.Until = unixOrZero(until)
	_ = json.Unmarshal([]byte(details), &k.Details)
	return k, nil
}

func unixOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func zeroOrUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func (t *tx) GetFraudKeys(ctx context.Context, keys []string) (map[string]mfa.FraudKey, error) {
	out := map[string]mfa.FraudKey{}
	for _, key := range keys {
		k, err := scanFraudKey(t.row(ctx, `SELECT `+fraudKeyColumns+` FROM fraud_keys WHERE key = $1`, key).Scan)
		if err = t.d.wrap("get fraud key", err); err == nil {
			out[key] = k
		} else if !errors.Is(err, mfa.ErrNotFound) {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) PutFraudKey(ctx context.Context, k mfa.FraudKey) error {
	details, err := json.Marshal(k.Details)
	if err != nil {
		return t.d.wrap("put fraud key", err)
	}
	_, err = t.exec(ctx, `INSERT INTO fraud_keys (`+fraudKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (key) DO UPDATE SET status = excluded.status, since = excluded.since, until = excluded.until, strikes = excluded.strikes,
			evidence = excluded.evidence, details = excluded.details, updated_by = excluded.updated_by`,
		k.Key, string(k.Status), zeroOrUnix(k.Since), zeroOrUnix(k.Until), k.Strikes, k.Evidence, string(details), k.UpdatedBy)
	return t.d.wrap("put fraud key", err)
}

func (t *tx) DeleteFraudKey(ctx context.Context, key string) error {
	return t.execOne(ctx, "delete fraud key", `DELETE FROM fraud_keys WHERE key = $1`, key)
}

func (t *tx) ListFraudKeys(ctx context.Context) ([]mfa.FraudKey, error) {
	rows, err := t.query(ctx, `SELECT `+fraudKeyColumns+` FROM fraud_keys ORDER BY since DESC, key`)
	if err != nil {
		return nil, t.d.wrap("list fraud keys", err)
	}
	defer rows.Close()
	var out []mfa.FraudKey
	for rows.Next() {
		k, err := scanFraudKey(rows.Scan)
		if err != nil {
			return nil, t.d.wrap("list fraud keys", err)
		}
		out = append(out, k)
	}
	return out, t.d.wrap("list fraud keys", rows.Err())
}

func (t *tx) SubtractFraudTraffic(ctx context.Context, from, to string, since time.Time) error {
	for _, b := range []struct {
		prefix string
		span   time.Duration
	}{{minuteBucket, time.Minute}, {hourBucket, time.Hour}} {
		_, err := t.exec(ctx, `UPDATE fraud_counts AS c SET sends = c.sends - r.sends, verified = c.verified - r.verified
			FROM fraud_counts AS r WHERE r.bucket = $1 AND c.bucket = $2 AND c.window_start = r.window_start AND r.window_start >= $3`,
			b.prefix+from, b.prefix+to, since.Truncate(b.span).Unix())
		if err != nil {
			return t.d.wrap("subtract fraud traffic", err)
		}
	}
	return nil
}

func (t *tx) DeleteFraudKeysBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM fraud_keys WHERE status <> $1 AND until <> 0 AND until < $2`, string(mfa.FraudTrusted), before.Unix())
	if err != nil {
		return 0, t.d.wrap("delete fraud keys", err)
	}
	return res.RowsAffected()
}
