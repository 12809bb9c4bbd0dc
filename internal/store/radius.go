package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"smsmfa/internal/mfa"
)

const radiusClientColumns = `id, name, prefix, secret, created`

func scanRadiusClient(s scanner) (mfa.RadiusClient, error) {
	var c mfa.RadiusClient
	var prefix string
	if err := s.Scan(&c.ID, &c.Name, &prefix, &c.SealedSecret, &c.Created); err != nil {
		return c, err
	}
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return c, fmt.Errorf("radius client %s: prefix %q: %w", c.ID, prefix, err)
	}
	c.Prefix, c.Created = p, utc(c.Created)
	return c, nil
}

func (t *tx) InsertRadiusClient(ctx context.Context, c mfa.RadiusClient) error {
	_, err := t.exec(ctx, `INSERT INTO radius_clients (`+radiusClientColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.Name, c.Prefix.String(), c.SealedSecret, c.Created.UTC())
	return t.d.wrap("insert radius client", err)
}

func (t *tx) ListRadiusClients(ctx context.Context) ([]mfa.RadiusClient, error) {
	rows, err := t.query(ctx, `SELECT `+radiusClientColumns+` FROM radius_clients ORDER BY name`)
	if err != nil {
		return nil, t.d.wrap("list radius clients", err)
	}
	defer rows.Close()
	var out []mfa.RadiusClient
	for rows.Next() {
		c, err := scanRadiusClient(rows)
		if err != nil {
			return nil, t.d.wrap("list radius clients", err)
		}
		out = append(out, c)
	}
	return out, t.d.wrap("list radius clients", rows.Err())
}

func (t *tx) DeleteRadiusClient(ctx context.Context, name string) (mfa.RadiusClient, error) {
	c, err := scanRadiusClient(t.row(ctx, `DELETE FROM radius_clients WHERE name = $1 OR id = $1 RETURNING `+radiusClientColumns, name))
	return c, t.d.wrap("delete radius client", err)
}

func (t *tx) ClaimRadiusRequest(ctx context.Context, key []byte, now, expires time.Time) (bool, []byte, error) {
	res, err := t.exec(ctx, `INSERT INTO radius_requests (request_key, reply, expires) VALUES ($1, NULL, $2) ON CONFLICT (request_key) DO NOTHING`, key, expires.UTC())
	if err != nil {
		return false, nil, t.d.wrap("claim radius request", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, nil, fmt.Errorf("store: claim radius request: %w", err)
	} else if n == 1 {
		return true, nil, nil
	}
	// Known: an expired record is claimed afresh, a live one is answered.
	err = t.execOne(ctx, "claim radius request", `UPDATE radius_requests SET reply = NULL, expires = $2 WHERE request_key = $1 AND expires <= $3`, key, expires.UTC(), now.UTC())
	if err == nil {
		return true, nil, nil
	}
	if !errors.Is(err, mfa.ErrNotFound) {
		return false, nil, err
	}
	var reply []byte
	err = t.row(ctx, `SELECT reply FROM radius_requests WHERE request_key = $1`, key).Scan(&reply)
	return false, reply, t.d.wrap("claim radius request", err)
}

func (t *tx) FinishRadiusRequest(ctx context.Context, key, reply []byte) error {
	if reply == nil {
		_, err := t.exec(ctx, `DELETE FROM radius_requests WHERE request_key = $1`, key)
		return t.d.wrap("release radius request", err)
	}
	_, err := t.exec(ctx, `UPDATE radius_requests SET reply = $2 WHERE request_key = $1`, key, reply)
	return t.d.wrap("finish radius request", err)
}

func (t *tx) DeleteRadiusRequestsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM radius_requests WHERE expires < $1`, before.UTC())
	if err != nil {
		return 0, t.d.wrap("purge radius requests", err)
	}
	n, err := res.RowsAffected()
	return n, t.d.wrap("purge radius requests", err)
}
