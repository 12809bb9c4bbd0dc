-- +goose Up
-- First-run setup codes: while no active administrator exists, each start
-- of `serve` adds one (only its SHA-256 is kept); any of them lets a
-- client that is not on the server's own machine create the first
-- administrator. All are deleted once one is used or an admin exists.
CREATE TABLE setup_codes (
    hash    TEXT PRIMARY KEY,
    created TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE setup_codes;
