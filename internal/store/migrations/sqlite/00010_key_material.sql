-- +goose Up
-- Keys the deployment keeps for good, each sealed under the master key: a
-- master key rotation re-seals them and leaves them unchanged. "phone id"
-- keys the ids of phone numbers in the system log, so a number keeps its
-- id across rotations; it is pinned, at the first start after this
-- migration, to the key derived from the master key then in use.
CREATE TABLE key_material (
    name   TEXT PRIMARY KEY,
    sealed BLOB NOT NULL
);

-- +goose Down
DROP TABLE key_material;
