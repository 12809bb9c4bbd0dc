-- +goose Up
CREATE TABLE providers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    base_url    TEXT NOT NULL DEFAULT '',
    credentials BYTEA NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 100,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    created     TIMESTAMPTZ NOT NULL,
    updated     TIMESTAMPTZ NOT NULL
);

CREATE TABLE senders (
    id            TEXT PRIMARY KEY,
    provider_id   TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    value         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    calling_codes TEXT NOT NULL DEFAULT '',
    UNIQUE (provider_id, value)
);

CREATE TABLE message_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    provider    TEXT NOT NULL DEFAULT '',
    sender      TEXT NOT NULL DEFAULT '',
    started     TIMESTAMPTZ NOT NULL,
    latency_ms  INTEGER NOT NULL DEFAULT 0,
    outcome     TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_attempts_message ON message_attempts (message_id, id);

ALTER TABLE messages ADD COLUMN claim TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN receipt_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN receipt_error TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_provider_message ON messages (provider_message_id);

CREATE TABLE opt_outs (
    number   TEXT NOT NULL,
    sender   TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    created  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (number, sender)
);

CREATE TABLE opt_out_events (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number              TEXT NOT NULL,
    sender              TEXT NOT NULL,
    provider            TEXT NOT NULL DEFAULT '',
    keyword             TEXT NOT NULL,
    at                  TIMESTAMPTZ NOT NULL,
    provider_message_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX opt_out_events_at ON opt_out_events (at);

CREATE TABLE templates (
    locale     TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated    TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE templates;
DROP TABLE opt_out_events;
DROP TABLE opt_outs;
DROP INDEX messages_provider_message;
ALTER TABLE messages DROP COLUMN receipt_error;
ALTER TABLE messages DROP COLUMN receipt_at;
ALTER TABLE messages DROP COLUMN claim;
DROP TABLE message_attempts;
DROP TABLE senders;
DROP TABLE providers;
