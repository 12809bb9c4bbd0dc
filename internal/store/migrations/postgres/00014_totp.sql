-- +goose Up
-- Authenticator app factors (token:software:totp): the factor's provider
-- (OKTA or GOOGLE; sms factors are OKTA), its shared secret sealed under
-- the master key (NULL for other types), and the last time step a code
-- was accepted for (each step is usable once). last_used is when the
-- factor last passed a verification: sign-in offers the factor set up or
-- used most recently first.
ALTER TABLE factors ADD COLUMN provider TEXT NOT NULL DEFAULT 'OKTA';
ALTER TABLE factors ADD COLUMN secret BYTEA;
ALTER TABLE factors ADD COLUMN last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE factors ADD COLUMN last_used TIMESTAMPTZ;

-- +goose Down
ALTER TABLE factors DROP COLUMN last_used;
ALTER TABLE factors DROP COLUMN last_step;
ALTER TABLE factors DROP COLUMN secret;
ALTER TABLE factors DROP COLUMN provider;
