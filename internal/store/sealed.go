package store

import (
	"context"
	"fmt"
	"slices"
)

// SealedColumn is a column whose values are sealed under the master key.
type SealedColumn struct {
	Table, Key, Column string
}

// SealedColumns lists every column holding values sealed under the master
// key: what a key rotation re-seals. (Sealed values that live outside the
// database, such as the web sign-in state in a session or a RADIUS State
// attribute, are short-lived and open under the previous key meanwhile.)
var SealedColumns = []SealedColumn{
	{"providers", "id", "credentials"},
	{"messages", "id", "sealed_body"},
	{"radius_clients", "id", "secret"},
	{"radius_requests", "request_key", "reply"},
	{"oidc_keys", "id", "private_key"},
	{"key_material", "name", "sealed"},
	{"factors", "id", "secret"},
}

// SealedRow is one sealed value and the key of its row: a string for a
// TEXT key, []byte for a BLOB key (radius_requests).
type SealedRow struct {
	Key   any
	Value []byte
}

// Resealed is a value to replace: Old must still be what the row holds.
type Resealed struct {
	Key      any
	Old, New []byte
}

func checkSealed(c SealedColumn) error {
	if !slices.Contains(SealedColumns, c) {
		return fmt.Errorf("store: %s.%s is not a sealed column", c.Table, c.Column)
	}
	return nil
}

// SealedBatch returns up to n sealed values of column c in key order, from
// the row after the key after (nil: from the first).
func (d *DB) SealedBatch(ctx context.Context, c SealedColumn, after any, n int) ([]SealedRow, error) {
	if err := checkSealed(c); err != nil {
		return nil, err
	}
	q := `SELECT ` + c.Key + `, ` + c.Column + ` FROM ` + c.Table + ` WHERE ` + c.Column + ` IS NOT NULL`
	args := []any{n}
	if after != nil {
		q += ` AND ` + c.Key + ` > $2`
		args = append(args, after)
	}
	rows, err := d.db.QueryContext(ctx, q+` ORDER BY `+c.Key+` LIMIT $1`, args...)
	if err != nil {
		return nil, d.wrap("read sealed "+c.Table, err)
	}
	defer rows.Close()
	var out []SealedRow
	for rows.Next() {
		var r SealedRow
		if err := rows.Scan(&r.Key, &r.Value); err != nil {
			return nil, d.wrap("read sealed "+c.Table, err)
		}
		out = append(out, r)
	}
	return out, d.wrap("read sealed "+c.Table, rows.Err())
}

// Reseal replaces sealed values of column c in one transaction, each only
// if the row still holds the value read (a value changed meanwhile, e.g. a
// provider's credentials edited, was sealed under the current key and is
// left alone; a row deleted meanwhile is skipped). It returns how many it
// replaced.
func (d *DB) Reseal(ctx context.Context, c SealedColumn, vs []Resealed) (int, error) {
	if err := checkSealed(c); err != nil {
		return 0, err
	}
	var n int
	err := d.inTx(ctx, func(t *tx) error {
		n = 0
		for _, v := range vs {
			res, err := t.exec(ctx, `UPDATE `+c.Table+` SET `+c.Column+` = $1 WHERE `+c.Key+` = $2 AND `+c.Column+` = $3`, v.New, v.Key, v.Old)
			if err != nil {
				return d.wrap("reseal "+c.Table, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return d.wrap("reseal "+c.Table, err)
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// PinKeyMaterial stores sealed as the key material name unless some is
// stored already (another instance was first), and returns what is stored.
func (d *DB) PinKeyMaterial(ctx context.Context, name string, sealed []byte) ([]byte, error) {
	var out []byte
	err := d.inTx(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, `INSERT INTO key_material (name, sealed) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, sealed); err != nil {
			return d.wrap("pin key material", err)
		}
		return d.wrap("pin key material", t.row(ctx, `SELECT sealed FROM key_material WHERE name = $1`, name).Scan(&out))
	})
	return out, err
}
