-- Identity tokens (SPEC §6). Keep in step with migrations/sqlite.

-- Tokens issued (`iat`) before this instant (unix milliseconds) are refused: "sign out
-- everywhere" without a token database.
ALTER TABLE users ADD COLUMN tokens_not_before BIGINT;

-- The identity providers a tenant trusts. `audiences` is a JSON array of strings,
-- `algorithms` space-separated names; exactly one of `jwks_url` and `jwks` (an inline JWKS
-- document, as JSON) is set.
CREATE TABLE issuers (
    tenant_id  TEXT COLLATE "C" NOT NULL,
    issuer_id  TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    issuer     TEXT NOT NULL,
    audiences  TEXT NOT NULL,
    jwks_url   TEXT,
    jwks       TEXT,
    algorithms TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, issuer_id)
);
-- A token names its issuer by `iss`: one issuer per `iss` in a tenant, found by it.
CREATE UNIQUE INDEX issuers_by_iss ON issuers (tenant_id, issuer);

-- The user who wrote a record through `/me/records` (end-user delegation): at most one
-- row per record, absent for records written by the tenant's admins and keys. A list of
-- the record, so it goes with it, and the records a user wrote are found by user.
CREATE TABLE record_authors (
    tenant_id TEXT COLLATE "C" NOT NULL,
    record_id TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, record_id),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE
);
CREATE INDEX record_authors_user ON record_authors (tenant_id, user_id);
