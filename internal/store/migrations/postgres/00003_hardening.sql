-- +goose Up
-- The shared-number rule counts the users who verified a number.
CREATE INDEX phones_number ON phones (number, verified);

-- A code belongs to the sign-in transaction that asked for it ('' outside
-- a sign-in): a new code kills only the older codes of its own scope.
ALTER TABLE challenges ADD COLUMN scope TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE challenges DROP COLUMN scope;
DROP INDEX phones_number;
