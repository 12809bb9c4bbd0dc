-- +goose Up
-- RADIUS clients: the NASes (VPN concentrators, firewalls) allowed to send
-- Access-Requests, each from one address or prefix, with its shared secret
-- sealed under the master key (bound to the id).
CREATE TABLE radius_clients (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    prefix  TEXT NOT NULL UNIQUE,
    secret  BYTEA NOT NULL,
    created TIMESTAMPTZ NOT NULL
);

-- RADIUS requests being answered or answered lately, by a hash of (client,
-- source, Identifier, Request Authenticator): a retransmission that
-- reaches any instance gets the same reply (sealed) instead of a second
-- SMS or a second try. reply is NULL while the first copy is answered.
CREATE TABLE radius_requests (
    request_key BYTEA PRIMARY KEY,
    reply       BYTEA,
    expires     TIMESTAMPTZ NOT NULL
);
CREATE INDEX radius_requests_expires ON radius_requests (expires);

-- +goose Down
DROP TABLE radius_requests;
DROP TABLE radius_clients;
