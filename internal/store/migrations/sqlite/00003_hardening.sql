-- +goose Up
-- The shared-number rule counts the users who verified a number.
CREATE INDEX phones_number ON phones (number, verified);

-- A code belongs to the sign-in transaction that asked for it ('' outside
-- a sign-in): a new code kills only the older codes of its own scope.
ALTER TABLE challenges ADD COLUMN scope TEXT NOT NULL DEFAULT '';

-- Escalating MFA lockouts, and the failed code attempts the user is told
-- about at their next sign-in.
ALTER TABLE users ADD COLUMN mfa_lockouts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_mfa_lockout TIMESTAMP;
ALTER TABLE users ADD COLUMN missed_codes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN missed_since TIMESTAMP;

-- +goose Down
ALTER TABLE users DROP COLUMN missed_since;
ALTER TABLE users DROP COLUMN missed_codes;
ALTER TABLE users DROP COLUMN last_mfa_lockout;
ALTER TABLE users DROP COLUMN mfa_lockouts;
ALTER TABLE challenges DROP COLUMN scope;
DROP INDEX phones_number;
