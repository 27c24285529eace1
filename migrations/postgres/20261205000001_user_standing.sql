-- The decision index keeps each user whose standing is not the default: suspended, or
-- signed out everywhere (`tokens_not_before`), so that an identity token is verified
-- without a read. It reads them at start: found without a scan of the other users.
-- Keep in step with migrations/sqlite.
DROP INDEX users_suspended;
CREATE INDEX users_standing ON users (tenant_id, user_id)
    WHERE status = 'suspended' OR tokens_not_before IS NOT NULL;
