package store

import (
	"context"
	"time"
)

func (t *tx) AddSetupCode(ctx context.Context, hash string, created time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO setup_codes (hash, created) VALUES ($1, $2)`, hash, created.UTC())
	return t.d.wrap("add setup code", err)
}

func (t *tx) HasSetupCode(ctx context.Context, hash string) (bool, error) {
	var n int
	err := t.row(ctx, `SELECT COUNT(*) FROM setup_codes WHERE hash = $1`, hash).Scan(&n)
	return n > 0, t.d.wrap("has setup code", err)
}

func (t *tx) DeleteSetupCodes(ctx context.Context) error {
	_, err := t.exec(ctx, `DELETE FROM setup_codes`)
	return t.d.wrap("delete setup codes", err)
}
