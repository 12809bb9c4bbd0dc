package store

import (
	"context"
	"time"
)

func (t *tx) LoadSettings(ctx context.Context) (map[string]string, error) {
	rows, err := t.query(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return nil, t.d.wrap("load settings", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, t.d.wrap("load settings", err)
		}
		out[k] = v
	}
	return out, t.d.wrap("load settings", rows.Err())
}

func (t *tx) SaveSetting(ctx context.Context, name, value, by string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO settings (name, value, updated, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated = excluded.updated, updated_by = excluded.updated_by`, name, value, at.UTC(), by)
	if err == nil {
		err = t.bumpSettingsVersion(ctx)
	}
	return t.d.wrap("save setting", err)
}

// bumpSettingsVersion marks the org's configuration (settings and message
// templates) changed, for the instances that cache it.
func (t *tx) bumpSettingsVersion(ctx context.Context) error {
	_, err := t.exec(ctx, `UPDATE settings_version SET version = version + $1 WHERE id = 1`, 1)
	return err
}

func (t *tx) SettingsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := t.row(ctx, `SELECT version FROM settings_version WHERE id = $1`, 1).Scan(&v)
	return v, t.d.wrap("settings version", err)
}
