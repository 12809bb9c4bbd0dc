-- +goose Up
-- Passkeys (the webauthn factor): a user's one factor of type webauthn
-- holds any number of credentials; each ceremony (registration or sign-in)
-- keeps its challenge here between the options and the answer, single-use.
CREATE TABLE webauthn_credentials (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    factor_id     TEXT NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    public_key    BLOB NOT NULL,
    sign_count    BIGINT NOT NULL,
    aaguid        BLOB NOT NULL,
    transports    TEXT NOT NULL,
    format        TEXT NOT NULL,
    flags         INTEGER NOT NULL,
    name          TEXT NOT NULL,
    created       TIMESTAMP NOT NULL,
    last_used     TIMESTAMP
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

CREATE TABLE webauthn_ceremonies (
    id        TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    scope     TEXT NOT NULL,
    data      TEXT NOT NULL,
    created   TIMESTAMP NOT NULL,
    expires   TIMESTAMP NOT NULL
);
CREATE INDEX webauthn_ceremonies_user ON webauthn_ceremonies (user_id, kind, scope);

-- +goose Down
DROP TABLE webauthn_ceremonies;
DROP TABLE webauthn_credentials;
