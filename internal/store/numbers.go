package store

import (
	"context"

	"smsmfa/internal/mfa"
)

func (t *tx) GetNumber(ctx context.Context, number string) (mfa.Number, error) {
	var n mfa.Number
	err := t.row(ctx, `SELECT number, status, reason, updated, updated_by FROM numbers WHERE number = $1`, number).
		Scan(&n.Number, &n.Status, &n.Reason, &n.Updated, &n.UpdatedBy)
	n.Updated = utc(n.Updated)
	return n, t.d.wrap("get number", err)
}

func (t *tx) PutNumber(ctx context.Context, n mfa.Number) error {
	_, err := t.exec(ctx, `INSERT INTO numbers (number, status, reason, updated, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (number) DO UPDATE SET status = excluded.status, reason = excluded.reason, updated = excluded.updated, updated_by = excluded.updated_by`,
		n.Number, string(n.Status), n.Reason, n.Updated.UTC(), n.UpdatedBy)
	return t.d.wrap("put number", err)
}

func (t *tx) DeleteNumber(ctx context.Context, number string) error {
	return t.execOne(ctx, "delete number", `DELETE FROM numbers WHERE number = $1`, number)
}

func (t *tx) ListNumbers(ctx context.Context) ([]mfa.Number, error) {
	rows, err := t.query(ctx, `SELECT number, status, reason, updated, updated_by FROM numbers ORDER BY updated DESC`)
	if err != nil {
		return nil, t.d.wrap("list numbers", err)
	}
	defer rows.Close()
	var out []mfa.Number
	for rows.Next() {
		var n mfa.Number
		if err := rows.Scan(&n.Number, &n.Status, &n.Reason, &n.Updated, &n.UpdatedBy); err != nil {
			return nil, t.d.wrap("list numbers", err)
		}
		n.Updated = utc(n.Updated)
		out = append(out, n)
	}
	return out, t.d.wrap("list numbers", rows.Err())
}
