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

-- Recovery codes: ten single-use codes per user, stored only as a MAC
-- under a key that outlives master key rotations; used is when one was
-- spent (NULL while unused).
CREATE TABLE recovery_codes (
    id        TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    created   TIMESTAMPTZ NOT NULL,
    used      TIMESTAMPTZ,
    UNIQUE (user_id, code_hash)
);

-- +goose Down
DROP TABLE recovery_codes;
ALTER TABLE factors DROP COLUMN last_used;
ALTER TABLE factors DROP COLUMN last_step;
ALTER TABLE factors DROP COLUMN secret;
ALTER TABLE factors DROP COLUMN provider;
