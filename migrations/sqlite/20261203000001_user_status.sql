-- A user's status: `active` or `suspended` (every decision for a suspended user is a
-- deny), and why it was last set. Keep in step with migrations/postgres.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN status_reason TEXT;
-- The decision index reads a tenant's suspended users at start: few, found without a scan.
CREATE INDEX users_suspended ON users (tenant_id, user_id) WHERE status = 'suspended';
