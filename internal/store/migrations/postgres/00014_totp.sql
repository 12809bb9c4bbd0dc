-- +goose Up
-- Authenticator app factors (token:software:totp): the factor's provider
-- (OKTA or GOOGLE; sms factors are OKTA), its shared secret sealed under
-- the master key (NULL for other types), and the last time step a code
-- was accepted for (each step is usable once).
ALTER TABLE factors ADD COLUMN provider TEXT NOT NULL DEFAULT 'OKTA';
ALTER TABLE factors ADD COLUMN secret BYTEA;
ALTER TABLE factors ADD COLUMN last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE factors DROP COLUMN last_step;
ALTER TABLE factors DROP COLUMN secret;
ALTER TABLE factors DROP COLUMN provider;
