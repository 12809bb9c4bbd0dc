package store

import (
	"context"
	"strconv"
	"strings"

	"smsmfa/internal/mfa"
)

func (t *tx) ListProviders(ctx context.Context) ([]mfa.StoredProvider, error) {
	rows, err := t.query(ctx, `SELECT id, name, type, base_url, credentials, priority, enabled, created, updated FROM providers ORDER BY priority, name`)
	if err != nil {
		return nil, t.d.wrap("list providers", err)
	}
	var out []mfa.StoredProvider
	idx := map[string]int{}
	for rows.Next() {
		var p mfa.StoredProvider
		if err := rows.Scan(&p.ID, &p.Name, &p.Type, &p.BaseURL, &p.SealedCredentials, &p.Priority, &p.Enabled, &p.Created, &p.Updated); err != nil {
			rows.Close()
			return nil, t.d.wrap("list providers", err)
		}
		p.Created, p.Updated = utc(p.Created), utc(p.Updated)
		idx[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.d.wrap("list providers", err)
	}
	srows, err := t.query(ctx, `SELECT id, provider_id, value, kind, calling_codes FROM senders ORDER BY provider_id, value`)
	if err != nil {
		return nil, t.d.wrap("list senders", err)
	}
	defer srows.Close()
	for srows.Next() {
		var s mfa.Sender
		var ccs string
		if err := srows.Scan(&s.ID, &s.ProviderID, &s.Value, &s.Kind, &ccs); err != nil {
			return nil, t.d.wrap("list senders", err)
		}
		for _, f := range strings.Split(ccs, ",") {
			if n, err := strconv.Atoi(f); err == nil {
				s.CallingCodes = append(s.CallingCodes, n)
			}
		}
		if i, ok := idx[s.ProviderID]; ok {
			out[i].Senders = append(out[i].Senders, s)
		}
	}
	return out, t.d.wrap("list senders", srows.Err())
}

func (t *tx) InsertProvider(ctx context.Context, p mfa.StoredProvider) error {
	_, err := t.exec(ctx, `INSERT INTO providers (id, name, type, base_url, credentials, priority, enabled, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, p.ID, p.Name, p.Type, p.BaseURL, p.SealedCredentials, p.Priority, p.Enabled, p.Created.UTC(), p.Updated.UTC())
	if err != nil {
		return t.d.wrap("insert provider", err)
	}
	return t.putSenders(ctx, p.ID, p.Senders)
}

func (t *tx) putSenders(ctx context.Context, providerID string, ss []mfa.Sender) error {
	if _, err := t.exec(ctx, `DELETE FROM senders WHERE provider_id = $1`, providerID); err != nil {
		return t.d.wrap("replace senders", err)
	}
	for _, s := range ss {
		var ccs []string
		for _, c := range s.CallingCodes {
			ccs = append(ccs, strconv.Itoa(c))
		}
		if _, err := t.exec(ctx, `INSERT INTO senders (id, provider_id, value, kind, calling_codes) VALUES ($1, $2, $3, $4, $5)`,
			s.ID, providerID, s.Value, string(s.Kind), strings.Join(ccs, ",")); err != nil {
			return t.d.wrap("insert sender", err)
		}
	}
	return nil
}

func (t *tx) UpdateProvider(ctx context.Context, p mfa.StoredProvider) error {
	if err := t.execOne(ctx, "update provider", `UPDATE providers SET type = $2, base_url = $3, credentials = $4, priority = $5, enabled = $6, updated = $7
		WHERE id = $1`, p.ID, p.Type, p.BaseURL, p.SealedCredentials, p.Priority, p.Enabled, p.Updated.UTC()); err != nil {
		return err
	}
	return t.putSenders(ctx, p.ID, p.Senders)
}

func (t *tx) DeleteProvider(ctx context.Context, name string) error {
	return t.execOne(ctx, "delete provider", `DELETE FROM providers WHERE name = $1`, name)
}
