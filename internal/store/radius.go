package store

import (
	"context"
	"fmt"
	"net/netip"

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
