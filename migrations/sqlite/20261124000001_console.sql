-- Console accounts, their tenant memberships and their server-side sessions.
-- Keep in step with the other migration set. Flags are 0/1 integers, timestamps unix ms.

CREATE TABLE accounts (
    username       TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    platform_admin BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- An account's role in a tenant: owner, admin or viewer.
CREATE TABLE memberships (
    tenant_id  TEXT NOT NULL,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, username)
);
CREATE INDEX memberships_username ON memberships (username);

-- tower-sessions records: the id, the account signed in (to end its sessions), the JSON
-- data and the instant after which the session is void.
CREATE TABLE console_sessions (
    session_id TEXT PRIMARY KEY,
    username   TEXT,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_username ON console_sessions (username);
