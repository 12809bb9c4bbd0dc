package store

import (
	"context"

	"smsmfa/internal/mfa"
)

func (t *tx) ListTemplates(ctx context.Context) ([]mfa.Template, error) {
	rows, err := t.query(ctx, `SELECT locale, body, updated, updated_by FROM templates ORDER BY locale`)
	if err != nil {
		return nil, t.d.wrap("list templates", err)
	}
	defer rows.Close()
	var out []mfa.Template
	for rows.Next() {
		var tp mfa.Template
		if err := rows.Scan(&tp.Locale, &tp.Body, &tp.Updated, &tp.UpdatedBy); err != nil {
			return nil, t.d.wrap("list templates", err)
		}
		tp.Updated = utc(tp.Updated)
		out = append(out, tp)
	}
	return out, t.d.wrap("list templates", rows.Err())
}

func (t *tx) PutTemplate(ctx context.Context, tp mfa.Template) error {
	_, err := t.exec(ctx, `INSERT INTO templates (locale, body, updated, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (locale) DO UPDATE SET body = excluded.body, updated = excluded.updated, updated_by = excluded.updated_by`,
		tp.Locale, tp.Body, tp.Updated.UTC(), tp.UpdatedBy)
	if err == nil {
		err = t.bumpSettingsVersion(ctx)
	}
	return t.d.wrap("put template", err)
}

func (t *tx) DeleteTemplate(ctx context.Context, locale string) error {
	if err := t.execOne(ctx, "delete template", `DELETE FROM templates WHERE locale = $1`, locale); err != nil {
		return err
	}
	return t.d.wrap("delete template", t.bumpSettingsVersion(ctx))
}
