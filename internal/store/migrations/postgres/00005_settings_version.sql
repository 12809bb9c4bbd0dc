-- +goose Up
-- The settings' version: bumped by every change, so an instance reads one
-- row to know whether the settings it holds are still current.
CREATE TABLE settings_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 1);

-- +goose Down
DROP TABLE settings_version;
