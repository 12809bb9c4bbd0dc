-- +goose Up
-- The voice call factor (type "call") keeps its phone extension (Okta's
-- phoneExtension), dialled once a call is answered. Which channel a queued
-- message goes by is sealed with its body (mfa.MessageContent), so the
-- outbox needs no column for it.
ALTER TABLE factors ADD COLUMN phone_extension TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE factors DROP COLUMN phone_extension;
