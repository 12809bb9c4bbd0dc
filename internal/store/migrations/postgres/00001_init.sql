-- +goose Up
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    login            TEXT NOT NULL UNIQUE,
    first_name       TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    locale           TEXT NOT NULL DEFAULT '',
    time_zone        TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    admin            BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash    TEXT NOT NULL DEFAULT '',
    failed_passwords INTEGER NOT NULL DEFAULT 0,
    failed_mfa       INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMPTZ,
    created          TIMESTAMPTZ NOT NULL,
    last_updated     TIMESTAMPTZ NOT NULL,
    password_changed TIMESTAMPTZ,
    last_login       TIMESTAMPTZ,
    activated        TIMESTAMPTZ,
    status_changed   TIMESTAMPTZ
);

CREATE TABLE factors (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    status       TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    created      TIMESTAMPTZ NOT NULL,
    last_updated TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, type)
);

CREATE TABLE phones (
    id       TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    number   TEXT NOT NULL,
    verified TIMESTAMPTZ NOT NULL,
    created  TIMESTAMPTZ NOT NULL
);

CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    factor_id    TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    code_mac     BYTEA NOT NULL,
    created      TIMESTAMPTZ NOT NULL,
    expires      TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    consumed     TIMESTAMPTZ,
    dead         TIMESTAMPTZ,
    message_id   TEXT NOT NULL DEFAULT '',
    client_ip    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX challenges_factor ON challenges (factor_id, purpose, created);
CREATE INDEX challenges_user ON challenges (user_id, created);
CREATE INDEX challenges_number ON challenges (phone_number, created);
CREATE INDEX challenges_expires ON challenges (expires);

CREATE TABLE transactions (
    id                    TEXT PRIMARY KEY,
    token_hash            BYTEA NOT NULL UNIQUE,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status                TEXT NOT NULL,
    factor_id             TEXT NOT NULL DEFAULT '',
    created               TIMESTAMPTZ NOT NULL,
    expires               TIMESTAMPTZ NOT NULL,
    relay_state           TEXT NOT NULL DEFAULT '',
    session_token_hash    BYTEA UNIQUE,
    session_token_expires TIMESTAMPTZ,
    client_ip             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transactions_expires ON transactions (expires);

CREATE TABLE messages (
    id                  TEXT PRIMARY KEY,
    challenge_id        TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    to_number           TEXT NOT NULL,
    sealed_body         BYTEA,
    state               TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt        TIMESTAMPTZ NOT NULL,
    locked_until        TIMESTAMPTZ,
    created             TIMESTAMPTZ NOT NULL,
    expires             TIMESTAMPTZ NOT NULL,
    sent                TIMESTAMPTZ,
    provider            TEXT NOT NULL DEFAULT '',
    sender              TEXT NOT NULL DEFAULT '',
    provider_message_id TEXT NOT NULL DEFAULT '',
    error               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_due ON messages (state, next_attempt);
CREATE INDEX messages_created ON messages (created);

CREATE TABLE counters (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX counters_window ON counters (window_start);

CREATE TABLE numbers (
    number     TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    updated    TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated    TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE events (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    published           TIMESTAMPTZ NOT NULL,
    event_type          TEXT NOT NULL,
    severity            TEXT NOT NULL,
    message             TEXT NOT NULL DEFAULT '',
    actor_id            TEXT NOT NULL DEFAULT '',
    actor_type          TEXT NOT NULL DEFAULT '',
    actor_alternate_id  TEXT NOT NULL DEFAULT '',
    actor_display_name  TEXT NOT NULL DEFAULT '',
    target_id           TEXT NOT NULL DEFAULT '',
    target_type         TEXT NOT NULL DEFAULT '',
    target_alternate_id TEXT NOT NULL DEFAULT '',
    target_display_name TEXT NOT NULL DEFAULT '',
    client_ip           TEXT NOT NULL DEFAULT '',
    user_agent          TEXT NOT NULL DEFAULT '',
    request_id          TEXT NOT NULL DEFAULT '',
    outcome             TEXT NOT NULL DEFAULT '',
    reason              TEXT NOT NULL DEFAULT '',
    details             TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_published ON events (published);
CREATE INDEX events_type ON events (event_type, seq);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    user_id    TEXT NOT NULL DEFAULT '',
    created    TIMESTAMPTZ NOT NULL,
    last_used  TIMESTAMPTZ,
    revoked    TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    data       BYTEA NOT NULL,
    expiry     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE events;
DROP TABLE settings;
DROP TABLE numbers;
DROP TABLE counters;
DROP TABLE messages;
DROP TABLE transactions;
DROP TABLE challenges;
DROP TABLE phones;
DROP TABLE factors;
DROP TABLE users;
