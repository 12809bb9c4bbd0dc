-- +goose Up
-- An API token acts for its owner, an active administrator; it dies with
-- the owner's status or rights (as in Okta).

-- When a refused use of the token was last written to the system log: at
-- most one such event per token a minute.
ALTER TABLE api_tokens ADD COLUMN last_refused TIMESTAMPTZ;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Tokens made from the command line had no owner: the oldest active
-- administrator owns them, as `smsmfa token create` now does by default.
UPDATE api_tokens SET user_id = (SELECT id FROM users WHERE status = 'ACTIVE' AND admin ORDER BY created, id LIMIT 1)
WHERE user_id = '' AND revoked IS NULL AND EXISTS (SELECT 1 FROM users WHERE status = 'ACTIVE' AND admin);

-- A live token whose owner is gone, inactive or no administrator is
-- revoked, each revocation in the system log.
INSERT INTO events (id, published, event_type, severity, message, actor_id, actor_type, actor_alternate_id, actor_display_name,
    target_id, target_type, target_alternate_id, target_display_name, outcome, reason)
SELECT 'evt' || substr(t.id, 4), now(), 'system.api_token.revoke', 'WARN',
    'API token revoked: its owner is not an active administrator', 'system', 'System', 'smsmfa', 'smsmfa',
    t.id, 'ApiToken', t.name, t.name, 'SUCCESS', 'owner is not an active administrator'
FROM api_tokens t
WHERE t.revoked IS NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id AND u.status = 'ACTIVE' AND u.admin);
UPDATE api_tokens SET revoked = now()
WHERE revoked IS NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = api_tokens.user_id AND u.status = 'ACTIVE' AND u.admin);

-- +goose Down
DROP INDEX api_tokens_user;
ALTER TABLE api_tokens DROP COLUMN last_refused;
