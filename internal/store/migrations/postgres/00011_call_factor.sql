-- +goose Up
-- The voice call factor (type "call") keeps its phone extension (Okta's
-- phoneExtension), dialled once a call is answered. A message says its
-- channel: '' for a text, 'voice' for a call (the delivery log shows it;
-- the sealed content carries it to the provider too).
ALTER TABLE factors ADD COLUMN phone_extension TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN channel TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN channel;
ALTER TABLE factors DROP COLUMN phone_extension;
