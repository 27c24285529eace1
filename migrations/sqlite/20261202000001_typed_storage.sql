-- Typed storage: each kind of tenant object in tables of its own, the references between
-- objects as foreign keys, and a typed change feed. Keep in step with migrations/postgres.
--
-- References to a user, group or role are checked at commit (DEFERRABLE INITIALLY
-- DEFERRED: an import may name a role before the line that creates it) and refuse the
-- deletion of what is still named at once (ON DELETE RESTRICT). An object's own rows
-- (a role's permission entries, a record's users…) go with it (ON DELETE CASCADE).
-- Every list keeps the order the object was written with (`position`, from 0).

CREATE TABLE users (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    name       TEXT,
    email      TEXT,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE roles (
    tenant_id   TEXT NOT NULL,
    role_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id)
);

-- A role's permission entries; the flags are 0/1.
CREATE TABLE role_permissions (
    tenant_id    TEXT NOT NULL,
    role_id      TEXT NOT NULL,
    position     BIGINT NOT NULL,
    action       TEXT NOT NULL,
    may_allow    BIGINT NOT NULL,
    may_grant    BIGINT NOT NULL,
    may_delegate BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, position),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, role_id) ON DELETE CASCADE
);

CREATE TABLE user_groups (
    tenant_id   TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, group_id)
);

CREATE TABLE group_members (
    tenant_id TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    position  BIGINT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, position),
    FOREIGN KEY (tenant_id, group_id) REFERENCES user_groups (tenant_id, group_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX group_members_user ON group_members (tenant_id, user_id);

-- An access record; `disabled` is 0/1, `expires_at` unix ms or NULL.
CREATE TABLE records (
    tenant_id   TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    disabled    BIGINT NOT NULL,
    expires_at  BIGINT,
    revision    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, record_id)
);

-- The subjects of a record: its users and its groups.
CREATE TABLE record_users (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    position  BIGINT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, position),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX record_users_subject ON record_users (tenant_id, user_id);

CREATE TABLE record_groups (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    position  BIGINT NOT NULL,
    group_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, position),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, group_id) REFERENCES user_groups (tenant_id, group_id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX record_groups_subject ON record_groups (tenant_id, group_id);

-- The grants of a record: statement N gives each of its roles on each of its resources.
CREATE TABLE statement_roles (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    statement BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    role_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, statement, position),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, role_id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX statement_roles_role ON statement_roles (tenant_id, role_id);

CREATE TABLE statement_resources (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    statement BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    resource  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, statement, position),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE
);
CREATE INDEX statement_resources_resource ON statement_resources (tenant_id, resource);

CREATE TABLE record_tags (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    tag_key   TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, tag_key),
    FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, record_id) ON DELETE CASCADE
);

-- A registered resource. `metadata` is the tenant's own JSON object, kept as given: no
-- decision or query reads inside it.
CREATE TABLE resources (
    tenant_id    TEXT NOT NULL,
    resource_uri TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    metadata     TEXT,
    revision     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, resource_uri)
);

-- An API key's settings; `scopes` space-separated in the order given. Its secret's hash
-- stays in api_key_secrets.
CREATE TABLE api_keys (
    tenant_id  TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    expires_at BIGINT,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key_id)
);

-- The change feed replicas follow: what each revision changed (`kind`, `object_id`) and
-- how (`operation`: create, update, delete, import …). The audit log keeps the
-- before/after for people; a replica reads the changed rows themselves.
CREATE TABLE changes (
    tenant_id TEXT NOT NULL,
    revision  BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    object_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    PRIMARY KEY (tenant_id, revision)
);

-- The rows of the JSON storage, moved.
INSERT INTO users (tenant_id, user_id, name, email, revision, created_at, updated_at)
SELECT tenant_id, object_id, json_extract(body, '$.name'), json_extract(body, '$.email'),
       revision, created_at, updated_at
FROM objects WHERE kind = 'user';

INSERT INTO roles (tenant_id, role_id, name, description, revision, created_at, updated_at)
SELECT tenant_id, object_id, json_extract(body, '$.name'),
       COALESCE(json_extract(body, '$.description'), ''), revision, created_at, updated_at
FROM objects WHERE kind = 'role';

INSERT INTO role_permissions (tenant_id, role_id, position, action, may_allow, may_grant, may_delegate)
SELECT o.tenant_id, o.object_id, p.key, json_extract(p.value, '$.action'),
       COALESCE(json_extract(p.value, '$.allow'), 1), COALESCE(json_extract(p.value, '$.grant'), 0),
       COALESCE(json_extract(p.value, '$.delegate'), 0)
FROM objects o, json_each(o.body, '$.permissions') p WHERE o.kind = 'role';

INSERT INTO user_groups (tenant_id, group_id, name, description, revision, created_at, updated_at)
SELECT tenant_id, object_id, json_extract(body, '$.name'),
       COALESCE(json_extract(body, '$.description'), ''), revision, created_at, updated_at
FROM objects WHERE kind = 'group';

INSERT INTO group_members (tenant_id, group_id, position, user_id)
SELECT o.tenant_id, o.object_id, u.key, u.value
FROM objects o, json_each(o.body, '$.users') u WHERE o.kind = 'group';

INSERT INTO records (tenant_id, record_id, name, description, disabled, expires_at, revision, created_at, updated_at)
SELECT tenant_id, object_id, json_extract(body, '$.name'),
       COALESCE(json_extract(body, '$.description'), ''),
       CASE WHEN json_extract(body, '$.status') = 'disabled' THEN 1 ELSE 0 END,
       CAST(ROUND(unixepoch(json_extract(body, '$.expiresAt'), 'subsec') * 1000) AS INTEGER),
       revision, created_at, updated_at
FROM objects WHERE kind = 'record';

INSERT INTO record_users (tenant_id, record_id, position, user_id)
SELECT o.tenant_id, o.object_id, u.key, u.value
FROM objects o, json_each(o.body, '$.users') u WHERE o.kind = 'record';

INSERT INTO record_groups (tenant_id, record_id, position, group_id)
SELECT o.tenant_id, o.object_id, g.key, g.value
FROM objects o, json_each(o.body, '$.groups') g WHERE o.kind = 'record';

INSERT INTO statement_roles (tenant_id, record_id, statement, position, role_id)
SELECT o.tenant_id, o.object_id, s.key, r.key, r.value
FROM objects o, json_each(o.body, '$.statements') s, json_each(s.value, '$.roles') r
WHERE o.kind = 'record';

INSERT INTO statement_resources (tenant_id, record_id, statement, position, resource)
SELECT o.tenant_id, o.object_id, s.key, r.key, r.value
FROM objects o, json_each(o.body, '$.statements') s, json_each(s.value, '$.resources') r
WHERE o.kind = 'record';

INSERT INTO record_tags (tenant_id, record_id, tag_key, tag_value)
SELECT o.tenant_id, o.object_id, t.key, t.value
FROM objects o, json_each(o.body, '$.tags') t WHERE o.kind = 'record';

INSERT INTO resources (tenant_id, resource_uri, name, description, metadata, revision, created_at, updated_at)
SELECT tenant_id, object_id, COALESCE(json_extract(body, '$.name'), ''),
       COALESCE(json_extract(body, '$.description'), ''), json_extract(body, '$.metadata'),
       revision, created_at, updated_at
FROM objects WHERE kind = 'resource';

INSERT INTO api_keys (tenant_id, key_id, name, scopes, expires_at, revision, created_at, updated_at)
SELECT o.tenant_id, o.object_id, json_extract(o.body, '$.name'),
       COALESCE((SELECT group_concat(value, ' ' ORDER BY key) FROM json_each(o.body, '$.scopes')), ''),
       CAST(ROUND(unixepoch(json_extract(o.body, '$.expiresAt'), 'subsec') * 1000) AS INTEGER),
       o.revision, o.created_at, o.updated_at
FROM objects o WHERE o.kind = 'apiKey';

INSERT INTO changes (tenant_id, revision, kind, object_id, operation)
SELECT tenant_id, revision, target_kind, target_id, substr(action, instr(action, '.') + 1)
FROM audit_events;

DROP TABLE object_refs;
DROP TABLE objects;
