-- +goose Up
-- The shared-number rule counts the users who verified a number.
CREATE INDEX phones_number ON phones (number, verified);

-- +goose Down
DROP INDEX phones_number;
