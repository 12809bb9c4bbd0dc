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

-- +goose Down
DROP TABLE radius_clients;
