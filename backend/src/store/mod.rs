//! Persistence on SQLite or PostgreSQL through sqlx's `Any` driver: one query layer, two
//! migration sets (`migrations/sqlite`, `migrations/postgres`), chosen once at connect time.
//!
//! The SQL here is written to run unchanged on both databases: `$N` placeholders (SQLite
//! accepts them), `ON CONFLICT`, `RETURNING`, integers for timestamps and TEXT for JSON.
//!
//! Every write goes through a [`WriteTx`]: it opens a transaction whose *first* statement
//! increments the tenant's revision. That row lock (PostgreSQL) or write lock (SQLite)
//! serialises writes to one tenant, so the reads a write makes (existence, `If-Match`,
//! references) cannot race with another write, and every write gets exactly one revision
//! and one audit event, committed together. The store never decides anything: it answers
//! what the service asks.

mod accounts;
mod groups;
mod issuers;
mod keys;
mod migrations;
mod records;
mod roles;
mod rows;
mod tx;
mod users;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

pub use accounts::{AccountRow, AccountWrite, MemberRow, SessionRow};
pub use records::{RecordGrants, RecordGrantsPage};
pub use rows::{Naming, Stamp, Stamped, Table, Which};
pub use tx::{AuditRecord, CHANGES_CHANNEL, WriteTx};

use crate::domain::{
    AccessRecord, ApiKey, Group, Issuer, ResourceConfig, Role, TenantId, Timestamp, User,
    UserStatus,
};

/// A failure of the database itself (not of the caller's request).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A URL that names no supported database.
    #[error("unsupported database url `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// A stored document that no longer parses: a bug or a hand-edited database.
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt {
        /// Which document.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
}

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The database a connection is to (sqlx's `Any` connections name their driver).
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// A stored tenant.
#[derive(Debug, Clone)]
pub struct TenantRow {
    /// The tenant's slug.
    pub tenant_id: String,
    /// Its display name.
    pub name: String,
    /// Its current revision.
    pub revision: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last renamed.
    pub updated_at: Timestamp,
}

/// An API key found by its secret's hash.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// The tenant the key belongs to.
    pub tenant_id: String,
    /// The key's settings (scopes, expiry).
    pub key: ApiKey,
    /// When it last authenticated a request.
    pub last_used_at: Option<Timestamp>,
}

/// Which audit events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only events by this actor id.
    pub actor: Option<String>,
    /// Only events with this action (`role.update`), or with this prefix when it ends in `.`.
    pub action: Option<String>,
    /// Only events on objects of this kind.
    pub target_kind: Option<String>,
    /// Only events on the object with this id.
    pub target_id: Option<String>,
    /// Only events at or after this instant.
    pub from: Option<Timestamp>,
    /// Only events before this instant.
    pub to: Option<Timestamp>,
}

const ADMIN_TOKEN_SETTING: &str = "admin_token_sha256";

/// The database behind Portcullis.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

impl std::fmt::Debug for Store {
    // Not the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path`, created if missing, or `postgres://…`) and applies
    /// the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await?;
                // WAL lets readers run beside the one writer; the mode is kept in the file.
                // sqlx's own per-connection defaults already wait 5 s for the write lock
                // (busy_timeout), keep `synchronous = FULL` (every acknowledged commit is on
                // disk) and enforce foreign keys.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&pool)
                    .await?;
                pool
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        migrations::migrator(backend).await?.run(&pool).await?;
        Ok(Self {
            pool,
            backend,
            url: url.to_owned(),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// On PostgreSQL, a listener on the channel where every commit names its tenant (see
    /// [`CHANGES_CHANNEL`]); `None` on SQLite, which has no such thing (poll instead).
    pub async fn listen_for_changes(
        &self,
    ) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(listener))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The SHA-256 of the platform admin token, if one was set.
    pub async fn admin_token_hash(&self) -> Result<Option<String>, StoreError> {
        let value = sqlx::query_scalar("SELECT value FROM platform_settings WHERE name = $1")
            .bind(ADMIN_TOKEN_SETTING)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value)
    }

    /// Stores the SHA-256 of the platform admin token, replacing any earlier one.
    pub async fn set_admin_token_hash(&self, hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO platform_settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(ADMIN_TOKEN_SETTING)
        .bind(hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Creates a tenant at revision 1, with its `tenant.create` audit event. `None` when the
    /// id is taken.
    pub async fn create_tenant(
        &self,
        tenant: &TenantId,
        name: &str,
        audit: AuditRecord,
    ) -> Result<Option<TenantRow>, StoreError> {
        let now = crate::domain::now();
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO tenants (tenant_id, name, revision, created_at, updated_at) \
             VALUES ($1, $2, 1, $3, $3) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(name)
        .bind(now.millis())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        tx::insert_audit(&mut tx, tenant.as_str(), 1, now, &audit).await?;
        tx.commit().await?;
        Ok(Some(TenantRow {
            tenant_id: tenant.to_string(),
            name: name.to_owned(),
            revision: 1,
            created_at: now,
            updated_at: now,
        }))
    }

    /// One tenant.
    pub async fn get_tenant(&self, tenant: &str) -> Result<Option<TenantRow>, StoreError> {
        let row = sqlx::query(
            "SELECT tenant_id, name, revision, created_at, updated_at FROM tenants WHERE tenant_id = $1",
        )
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| tenant_row(&r)).transpose()
    }

    /// Tenants in id order, after the cursor id.
    pub async fn list_tenants(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<TenantRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT tenant_id, name, revision, created_at, updated_at FROM tenants \
             WHERE tenant_id > $1 ORDER BY tenant_id LIMIT $2",
        )
        .bind(after.unwrap_or(""))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tenant_row).collect()
    }

    /// How many objects of each kind the tenant holds, and how many console members.
    pub async fn count_objects(&self, tenant: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let counts: Vec<String> = [
            (Role::KIND, Role::TABLE),
            (Group::KIND, Group::TABLE),
            (AccessRecord::KIND, AccessRecord::TABLE),
            (ResourceConfig::KIND, ResourceConfig::TABLE),
            (User::KIND, User::TABLE),
            (ApiKey::KIND, ApiKey::TABLE),
            ("member", "memberships"),
        ]
        .iter()
        .map(|(kind, table)| {
            format!("SELECT '{kind}' AS kind, COUNT(*) AS n FROM {table} WHERE tenant_id = $1")
        })
        .collect();
        let rows = sqlx::query(&counts.join(" UNION ALL "))
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("kind")?, row.try_get("n")?)))
            .collect()
    }

    /// Deletes a tenant and everything in it, its audit log included. Whether it existed.
    pub async fn delete_tenant(&self, tenant: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query("DELETE FROM tenants WHERE tenant_id = $1")
            .bind(tenant)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Lists before what they name: a name still in use refuses the deletion.
        for table in [
            "record_users",
            "record_groups",
            "statement_roles",
            "statement_resources",
            "record_tags",
            "record_authors",
            AccessRecord::TABLE,
            "group_members",
            Group::TABLE,
            "role_permissions",
            Role::TABLE,
            User::TABLE,
            ResourceConfig::TABLE,
            "api_key_secrets",
            ApiKey::TABLE,
            Issuer::TABLE,
            "changes",
            "audit_events",
            "memberships",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
                .bind(tenant)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Starts a write to `tenant`: a transaction that has already taken the tenant's next
    /// revision. `None` when the tenant does not exist.
    pub async fn begin_write(&self, tenant: &str) -> Result<Option<WriteTx>, StoreError> {
        WriteTx::begin(&self.pool, tenant).await
    }

    /// Objects of a kind: one by id, or a page in id order. The lists of each are read in
    /// the same transaction as its main row.
    pub async fn read<K: Table>(
        &self,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<K>, StoreError> {
        let mut tx = self.begin_read().await?;
        let objects = K::read(&mut tx, tenant, which).await?;
        tx.commit().await?;
        Ok(objects)
    }

    /// A read-only transaction that sees one state of the database however many writes
    /// commit while it runs: PostgreSQL's default (READ COMMITTED) takes a snapshot per
    /// statement, so it is asked for REPEATABLE READ; SQLite in WAL mode keeps the snapshot
    /// of a read transaction's first read until it ends.
    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Up to `limit` URIs of the tenant's registered resources that sort after `after` and
    /// before `before` (byte order, as the columns collate), in order.
    pub async fn registered_resources_between(
        &self,
        tenant: &str,
        after: &str,
        before: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT resource_uri FROM resources WHERE tenant_id = $1 \
             AND resource_uri > $2 AND resource_uri < $3 ORDER BY resource_uri LIMIT $4",
        )
        .bind(tenant)
        .bind(after)
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get("resource_uri")?))
            .collect()
    }

    /// When each of these API keys last authenticated a request.
    pub async fn keys_last_used(
        &self,
        tenant: &str,
        key_ids: &[&str],
    ) -> Result<HashMap<String, Timestamp>, StoreError> {
        let mut found = HashMap::new();
        for chunk in key_ids.chunks(rows::BULK_PARAMETERS) {
            let sql = format!(
                "SELECT key_id, last_used_at FROM api_key_secrets \
                 WHERE tenant_id = $1 AND last_used_at IS NOT NULL AND key_id IN ({})",
                rows::placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("key_id")?;
                let at: i64 = row.try_get("last_used_at")?;
                found.insert(id, Timestamp::from_millis(at));
            }
        }
        Ok(found)
    }

    /// The API key whose secret has this SHA-256.
    pub async fn api_key_by_hash(&self, hash: &str) -> Result<Option<KeyRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.tenant_id, s.last_used_at, k.key_id, k.name, k.scopes, k.expires_at, \
             k.revision, k.created_at, k.updated_at FROM api_key_secrets s \
             JOIN api_keys k ON k.tenant_id = s.tenant_id AND k.key_id = s.key_id \
             WHERE s.secret_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        Ok(Some(KeyRow {
            tenant_id: row.try_get("tenant_id")?,
            key: keys::key_of(&row, Stamp::of(&row)?)?,
            last_used_at: last_used.map(Timestamp::from_millis),
        }))
    }

    /// Records that a key was used. Not a tenant change: no revision, no audit event.
    pub async fn touch_api_key(&self, hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_key_secrets SET last_used_at = $1 WHERE secret_hash = $2")
            .bind(at.millis())
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The tenant's current revision and its creation time (which tells a tenant from a
    /// later one with the same id); `None` when it does not exist. One primary-key read.
    pub async fn tenant_version(
        &self,
        tenant: &str,
    ) -> Result<Option<(i64, Timestamp)>, StoreError> {
        let row = sqlx::query("SELECT revision, created_at FROM tenants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok((
                row.try_get("revision")?,
                Timestamp::from_millis(row.try_get("created_at")?),
            ))
        })
        .transpose()
    }

    /// A read of one state of a tenant: its revision and its objects, however many
    /// writes commit while they are read (see [`Snapshot`]). `None` when the tenant does
    /// not exist.
    pub async fn snapshot(&self, tenant: &str) -> Result<Option<Snapshot>, StoreError> {
        let mut tx = self.begin_read().await?;
        let version = sqlx::query("SELECT revision, created_at FROM tenants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(version) = version else {
            return Ok(None);
        };
        Ok(Some(Snapshot {
            revision: version.try_get("revision")?,
            created_at: Timestamp::from_millis(version.try_get("created_at")?),
            tenant: tenant.to_owned(),
            backend: self.backend,
            tx,
        }))
    }

    /// Audit events of a tenant matching the filter, newest first, below revision
    /// `before_revision` when given (the cursor).
    pub async fn list_audit(
        &self,
        tenant: &str,
        filter: &AuditFilter,
        before_revision: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        enum Value {
            Text(String),
            Int(i64),
        }
        let mut sql = String::from(
            "SELECT revision, event_id, at, actor_kind, actor_id, action, target_kind, target_id, \
             before_json, after_json FROM audit_events WHERE tenant_id = $1",
        );
        let mut values = vec![Value::Text(tenant.to_owned())];
        let mut and = |condition: &str, value: Value| {
            values.push(value);
            sql.push_str(&format!(" AND {condition} ${}", values.len()));
        };
        if let Some(actor) = &filter.actor {
            and("actor_id =", Value::Text(actor.clone()));
        }
        match filter.action.as_deref() {
            Some(prefix) if prefix.ends_with('.') => {
                // `_` and `%` never occur in actions, so the prefix needs no escaping.
                and("action LIKE", Value::Text(format!("{prefix}%")));
            }
            Some(action) => and("action =", Value::Text(action.to_owned())),
            None => {}
        }
        if let Some(kind) = &filter.target_kind {
            and("target_kind =", Value::Text(kind.clone()));
        }
        if let Some(id) = &filter.target_id {
            and("target_id =", Value::Text(id.clone()));
        }
        if let Some(from) = filter.from {
            and("at >=", Value::Int(from.millis()));
        }
        if let Some(to) = filter.to {
            and("at <", Value::Int(to.millis()));
        }
        if let Some(before) = before_revision {
            and("revision <", Value::Int(before));
        }
        sql.push_str(&format!(
            " ORDER BY revision DESC LIMIT ${}",
            values.len() + 1
        ));
        let mut query = sqlx::query(&sql);
        for value in values {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Int(number) => query.bind(number),
            };
        }
        let rows = query.bind(limit as i64).fetch_all(&self.pool).await?;
        rows.iter().map(audit_row).collect()
    }
}

/// One state of a tenant, read in one transaction: its revision, its change feed, and its
/// objects page by page in id order (each page one indexed range read, so a tenant of millions is never
/// held in memory at once, and every page is of the same revision).
#[derive(Debug)]
pub struct Snapshot {
    /// The tenant revision this is the state of.
    pub revision: i64,
    /// When the tenant was created (which tells it from a later one with the same id).
    pub created_at: Timestamp,
    tenant: String,
    backend: Backend,
    tx: sqlx::Transaction<'static, sqlx::Any>,
}

impl Snapshot {
    /// What the decision engine reads of the access records selected, in id order, read
    /// in bulk (see [`RecordGrantsPage`]).
    pub async fn record_grants(
        &mut self,
        which: Which<'_>,
    ) -> Result<RecordGrantsPage, StoreError> {
        records::grants(&mut self.tx, self.backend, &self.tenant, which).await
    }

    /// The tenant's users whose standing is not the default, as of this state: each id,
    /// whether suspended, and its `tokens_not_before` (a partial index finds them without
    /// reading the other users).
    pub async fn users_standing(
        &mut self,
    ) -> Result<Vec<(String, bool, Option<Timestamp>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, status, tokens_not_before FROM users WHERE tenant_id = $1 \
             AND (status = 'suspended' OR tokens_not_before IS NOT NULL) ORDER BY user_id",
        )
        .bind(self.tenant.as_str())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let not_before: Option<i64> = row.try_get("tokens_not_before")?;
                Ok((
                    row.try_get("user_id")?,
                    status == UserStatus::Suspended.as_str(),
                    not_before.map(Timestamp::from_millis),
                ))
            })
            .collect()
    }

    /// Objects of a kind, as of this state.
    pub async fn read<K: Table>(&mut self, which: Which<'_>) -> Result<Vec<K>, StoreError> {
        K::read(&mut self.tx, &self.tenant, which).await
    }

    /// The change feed as of this state: what each revision after `revision` changed,
    /// oldest first, at most `limit`.
    pub async fn changes_after(
        &mut self,
        revision: i64,
        limit: usize,
    ) -> Result<Vec<ChangeRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT revision, kind, object_id, operation FROM changes \
             WHERE tenant_id = $1 AND revision > $2 ORDER BY revision LIMIT $3",
        )
        .bind(self.tenant.as_str())
        .bind(revision)
        .bind(limit as i64)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ChangeRow {
                    revision: row.try_get("revision")?,
                    kind: row.try_get("kind")?,
                    id: row.try_get("object_id")?,
                    operation: row.try_get("operation")?,
                })
            })
            .collect()
    }

    /// Ends the read.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// One entry of the change feed: what a revision changed.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    /// The revision.
    pub revision: i64,
    /// The kind of what changed (`role`, `record`, `tenant` …).
    pub kind: String,
    /// Its id.
    pub id: String,
    /// How: `create`, `update`, `delete`, `import` …
    pub operation: String,
}

/// A stored audit event: what the write recorded, and when and as which revision.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// The tenant revision the event produced.
    pub revision: i64,
    /// The event's id.
    pub event_id: String,
    /// When it happened.
    pub at: Timestamp,
    /// Who did what to which object.
    pub record: AuditRecord,
}

fn tenant_row(row: &sqlx::any::AnyRow) -> Result<TenantRow, StoreError> {
    Ok(TenantRow {
        tenant_id: row.try_get("tenant_id")?,
        name: row.try_get("name")?,
        revision: row.try_get("revision")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
    })
}

fn audit_row(row: &sqlx::any::AnyRow) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        revision: row.try_get("revision")?,
        event_id: row.try_get("event_id")?,
        at: Timestamp::from_millis(row.try_get("at")?),
        record: AuditRecord {
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            action: row.try_get("action")?,
            target_kind: row.try_get("target_kind")?,
            target_id: row.try_get("target_id")?,
            before: row.try_get("before_json")?,
            after: row.try_get("after_json")?,
        },
    })
}
