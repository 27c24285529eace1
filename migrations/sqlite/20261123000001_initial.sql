-- Portcullis schema, SQLite flavour. Keep in step with migrations/postgres.
-- Timestamps are unix milliseconds; JSON documents are TEXT.

CREATE TABLE platform_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenants (
    tenant_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every tenant-scoped object (role, group, record, resource, user, apiKey) as a JSON body.
CREATE TABLE objects (
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, object_id)
);

-- Which object names which (record -> role/group/user, group -> user): referential integrity.
CREATE TABLE object_refs (
    tenant_id TEXT NOT NULL,
    from_kind TEXT NOT NULL,
    from_id   TEXT NOT NULL,
    to_kind   TEXT NOT NULL,
    to_id     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, from_kind, from_id, to_kind, to_id)
);
CREATE INDEX object_refs_target ON object_refs (tenant_id, to_kind, to_id);

-- API key secrets, by their SHA-256; the key's settings live in `objects`.
CREATE TABLE api_key_secrets (
    secret_hash  TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    last_used_at BIGINT,
    UNIQUE (tenant_id, key_id)
);

-- The audit log and change feed: one event per tenant revision.
CREATE TABLE audit_events (
    tenant_id   TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    event_id    TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    PRIMARY KEY (tenant_id, revision)
);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target_kind, target_id);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at);
