-- +goose Up
-- The OpenID Provider: applications (relying parties), authorization
-- requests with their one-time codes, issued tokens and signing keys.

-- An application signs users in with OpenID Connect. Redirect URIs are
-- matched exactly (one a line); a confidential application's secret is
-- stored only as a hash.
CREATE TABLE oidc_apps (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    logout_uris   TEXT NOT NULL DEFAULT '',
    public        BOOLEAN NOT NULL,
    secret_hash   BLOB,
    created       TIMESTAMP NOT NULL
);

-- An authorization request from /authorize until its code is exchanged
-- (and kept until it expires, so a replayed code is recognised).
CREATE TABLE oidc_auth_requests (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES oidc_apps (id) ON DELETE CASCADE,
    params       TEXT NOT NULL,
    user_id      TEXT NOT NULL DEFAULT '',
    auth_time    TIMESTAMP,
    amr          TEXT NOT NULL DEFAULT '',
    done         BOOLEAN NOT NULL DEFAULT FALSE,
    code_hash    BLOB UNIQUE,
    code_expires TIMESTAMP,
    code_used    TIMESTAMP,
    created      TIMESTAMP NOT NULL,
    expires      TIMESTAMP NOT NULL
);
CREATE INDEX oidc_auth_requests_expires ON oidc_auth_requests (expires);

-- Access and refresh tokens. Tokens from one sign-in share a family: a
-- refresh token used twice revokes the family. Only refresh tokens are
-- looked up by hash; access tokens (JWTs) by id.
CREATE TABLE oidc_tokens (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    family     TEXT NOT NULL,
    app_id     TEXT NOT NULL REFERENCES oidc_apps (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    amr        TEXT NOT NULL DEFAULT '',
    auth_time  TIMESTAMP NOT NULL,
    token_hash BLOB UNIQUE,
    created    TIMESTAMP NOT NULL,
    expires    TIMESTAMP NOT NULL,
    used       TIMESTAMP,
    revoked    TIMESTAMP
);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family);
CREATE INDEX oidc_tokens_user ON oidc_tokens (user_id);
CREATE INDEX oidc_tokens_expires ON oidc_tokens (expires);

-- Signing keys, sealed under the master key. The newest live key signs; a
-- retired key is published until the tokens it signed have expired.
CREATE TABLE oidc_keys (
    id          TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,
    created     TIMESTAMP NOT NULL,
    retired     TIMESTAMP
);

-- +goose Down
DROP TABLE oidc_keys;
DROP TABLE oidc_tokens;
DROP TABLE oidc_auth_requests;
DROP TABLE oidc_apps;
