-- +goose Up
-- SMS pumping detection (package fraud). fraud_counts holds the unproven
-- codes sent to each destination key (a country, "country:GB", or a
-- number range, "prefix:+44791112") and how many of them were entered, in
-- one-minute buckets ("m|" keys, kept 2 hours) and one-hour buckets ("h|"
-- keys, kept 30 days). Window starts are Unix seconds.
CREATE TABLE fraud_counts (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    sends        INTEGER NOT NULL DEFAULT 0,
    verified     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX fraud_counts_window ON fraud_counts (window_start);

-- fraud_keys holds the state of a key the detector or an admin acted on:
-- throttled (until "until"), allowed (an admin lifted a throttle: not
-- judged until "until") or trusted (never throttled). Times are Unix
-- seconds; 0 means none. evidence is the decision's explanation; details
-- its figures as JSON.
CREATE TABLE fraud_keys (
    key        TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    since      BIGINT NOT NULL,
    until      BIGINT NOT NULL DEFAULT 0,
    strikes    INTEGER NOT NULL DEFAULT 0,
    evidence   TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '{}',
    updated_by TEXT NOT NULL DEFAULT ''
);

-- When the code of a message was entered (the telephony dashboard's
-- conversion by country and provider), copied from its challenge by the
-- purge before it deletes the challenge (no write on the verify path).
ALTER TABLE messages ADD COLUMN verified_at TIMESTAMP;

-- +goose Down
ALTER TABLE messages DROP COLUMN verified_at;
DROP TABLE fraud_keys;
DROP TABLE fraud_counts;
