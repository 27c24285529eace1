//! The write transaction: one tenant, one new revision, one audit event.

use sqlx::{Any, AnyPool, Row, Transaction};

use super::accounts::member_row;
use super::rows::{BULK_PARAMETERS, Stamp, Stamped, Table, Value, Which, insert, placeholders};
use super::{Backend, MemberRow, StoreError, TenantRow, tenant_row};
use crate::domain::{AccessRecord, Group, Role, Timestamp, User, now};

/// The PostgreSQL channel on which every commit names the tenant it changed.
pub const CHANGES_CHANNEL: &str = "portcullis_changes";

/// What a write appends to the audit log.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// `platformAdmin` or `apiKey`.
    pub actor_kind: String,
    /// The admin's or key's id.
    pub actor_id: String,
    /// What was done: `role.create`, `record.update`, `group.delete` …
    pub action: String,
    /// The kind of object changed.
    pub target_kind: String,
    /// The id of the object changed.
    pub target_id: String,
    /// The object before the write, as JSON.
    pub before: Option<String>,
    /// The object after the write, as JSON.
    pub after: Option<String>,
}

/// Appends a revision's audit event and its entry in the change feed.
pub(super) async fn insert_audit(
    tx: &mut Transaction<'static, Any>,
    tenant: &str,
    revision: i64,
    at: Timestamp,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, revision, event_id, at, actor_kind, actor_id, action, \
         target_kind, target_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant)
    .bind(revision)
    .bind(format!("evt_{}", crate::auth::random_hex(10)))
    .bind(at.millis())
    .bind(audit.actor_kind.as_str())
    .bind(audit.actor_id.as_str())
    .bind(audit.action.as_str())
    .bind(audit.target_kind.as_str())
    .bind(audit.target_id.as_str())
    .bind(audit.before.as_deref())
    .bind(audit.after.as_deref())
    .execute(&mut **tx)
    .await?;
    // The change feed names what changed; the operation is the action's verb.
    let operation = audit
        .action
        .split_once('.')
        .map_or(audit.action.as_str(), |(_, verb)| verb);
    sqlx::query(
        "INSERT INTO changes (tenant_id, revision, kind, object_id, operation) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(revision)
    .bind(audit.target_kind.as_str())
    .bind(audit.target_id.as_str())
    .bind(operation)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An open write to one tenant. It holds the tenant's next revision from the start; dropping
/// it without [`WriteTx::commit`] rolls everything back, the revision included.
#[derive(Debug)]
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    tenant: String,
    revision: i64,
    at: Timestamp,
    backend: Backend,
    /// A bulk write: on SQLite its connection's page cache is enlarged until the commit.
    bulk: bool,
}

/// The page cache of a bulk write's SQLite connection (negative: KiB). A transaction that
/// writes millions of rows outgrows SQLite's default (2 MiB) many times over, and every
/// page it evicts dirty is written to the WAL, often again and again as later rows land on
/// it: at 200,000 records an import spent a sixth of its time there. Only the one
/// connection that writes the import gets it, and gives it back before it commits; an
/// import that fails leaves it on that connection until the pool closes it (idle timeout).
const BULK_CACHE: &str = "PRAGMA cache_size = -65536";
/// SQLite's default page cache (2 MiB), which every other connection keeps.
const DEFAULT_CACHE: &str = "PRAGMA cache_size = -2000";

impl WriteTx {
    pub(super) async fn begin(pool: &AnyPool, tenant: &str) -> Result<Option<Self>, StoreError> {
        let at = now();
        let mut tx = pool.begin().await?;
        let backend = Backend::of(&tx);
        let revision: Option<i64> = sqlx::query_scalar(
            "UPDATE tenants SET revision = revision + 1 WHERE tenant_id = $1 RETURNING revision",
        )
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(revision.map(|revision| Self {
            tx,
            tenant: tenant.to_owned(),
            revision,
            at,
            backend,
            bulk: false,
        }))
    }

    /// Marks this a bulk write (an import): see [`BULK_CACHE`].
    pub async fn bulk(&mut self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite && !self.bulk {
            sqlx::query(BULK_CACHE).execute(&mut *self.tx).await?;
            self.bulk = true;
        }
        Ok(())
    }

    /// The revision this write will commit as.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The instant this write is stamped with.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// Objects of a kind, as this transaction sees them.
    pub async fn read<K: Table>(&mut self, which: Which<'_>) -> Result<Vec<K>, StoreError> {
        K::read(&mut self.tx, &self.tenant, which).await
    }

    /// One object of a kind, as this transaction sees it.
    pub async fn get<K: Table>(&mut self, id: &str) -> Result<Option<K>, StoreError> {
        Ok(self.read::<K>(Which::One(id)).await?.pop())
    }

    /// Whether the tenant holds any object of the kind.
    pub async fn has_any<K: Table>(&mut self) -> Result<bool, StoreError> {
        Ok(!self.read::<K>(Which::After(None, 1)).await?.is_empty())
    }

    /// Those of `ids` for which no object of the kind exists, in the order given.
    pub async fn missing<K: Table>(&mut self, ids: &[&str]) -> Result<Vec<String>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(BULK_PARAMETERS) {
            let sql = format!(
                "SELECT {id} FROM {table} WHERE tenant_id = $1 AND {id} IN ({})",
                placeholders(2, chunk.len()),
                id = K::ID,
                table = K::TABLE,
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql).bind(self.tenant.as_str());
            for id in chunk {
                query = query.bind(*id);
            }
            found.extend(query.fetch_all(&mut *self.tx).await?);
        }
        Ok(ids
            .iter()
            .filter(|id| !found.contains(**id))
            .map(|id| (*id).to_owned())
            .collect())
    }

    /// Registers those of `ids` that are not users yet (users named in a record or group
    /// are registered this way), stamped with this write.
    pub async fn ensure_users(&mut self, ids: &[&str]) -> Result<(), StoreError> {
        let stamp = [
            Value::Int(self.revision),
            Value::Int(self.at.millis()),
            Value::Int(self.at.millis()),
        ];
        let rows: Vec<Vec<Value<'_>>> = ids
            .iter()
            .map(|id| {
                let mut row = vec![Value::Text(id)];
                row.extend(stamp);
                row
            })
            .collect();
        insert(
            &mut self.tx,
            &self.tenant,
            User::TABLE,
            &[User::ID, "revision", "created_at", "updated_at"],
            "ON CONFLICT (tenant_id, user_id) DO NOTHING",
            &rows,
        )
        .await
    }

    /// The bookkeeping of an object written by this write: its revision and time, and
    /// `created_at` when it is kept from an older version (or given by an import).
    pub fn stamp(&self, created_at: Option<Timestamp>, updated_at: Option<Timestamp>) -> Stamp {
        Stamp {
            revision: self.revision,
            created_at: created_at.unwrap_or(self.at),
            updated_at: updated_at.unwrap_or(self.at),
        }
    }

    /// Inserts or replaces objects of a kind, their lists included (see [`Table::write`]).
    pub async fn write<K: Table>(
        &mut self,
        objects: &[Stamped<K>],
        fresh: bool,
    ) -> Result<(), StoreError> {
        K::write(&mut self.tx, &self.tenant, objects, fresh).await
    }

    /// Deletes an object and its lists. The database refuses it (`ON DELETE RESTRICT`)
    /// while another object names it; ask [`WriteTx::referrers`] first.
    pub async fn delete<K: Table>(&mut self, id: &str) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "DELETE FROM {} WHERE tenant_id = $1 AND {} = $2",
            K::TABLE,
            K::ID
        ))
        .bind(self.tenant.as_str())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The objects that name `(kind, id)` (a role, group or user), as `(kind, id)` pairs
    /// in a stable order, at most `limit`, and how many there are.
    pub async fn referrers(
        &mut self,
        kind: &str,
        id: &str,
        limit: usize,
    ) -> Result<(Vec<(String, String)>, i64), StoreError> {
        let record = AccessRecord::KIND;
        let naming = match kind {
            k if k == Role::KIND => {
                format!(
                    "SELECT DISTINCT '{record}' AS kind, record_id AS id FROM statement_roles WHERE tenant_id = $1 AND role_id = $2"
                )
            }
            k if k == Group::KIND => {
                format!(
                    "SELECT DISTINCT '{record}' AS kind, record_id AS id FROM record_groups WHERE tenant_id = $1 AND group_id = $2"
                )
            }
            k if k == User::KIND => format!(
                "SELECT DISTINCT '{group}' AS kind, group_id AS id FROM group_members WHERE tenant_id = $1 AND user_id = $2 \
                 UNION SELECT DISTINCT '{record}' AS kind, record_id AS id FROM record_users WHERE tenant_id = $1 AND user_id = $2",
                group = Group::KIND
            ),
            _ => return Ok((Vec::new(), 0)),
        };
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ({naming}) n"))
            .bind(self.tenant.as_str())
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        if count == 0 {
            return Ok((Vec::new(), 0));
        }
        let rows = sqlx::query(&format!("{naming} ORDER BY kind, id LIMIT $3"))
            .bind(self.tenant.as_str())
            .bind(id)
            .bind(limit as i64)
            .fetch_all(&mut *self.tx)
            .await?;
        let named = rows
            .iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("id")?)))
            .collect::<Result<_, StoreError>>()?;
        Ok((named, count))
    }

    /// Stores the hash of a new API key's secret.
    pub async fn insert_key_secret(
        &mut self,
        key_id: &str,
        secret_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_key_secrets (secret_hash, tenant_id, key_id) VALUES ($1, $2, $3)",
        )
        .bind(secret_hash)
        .bind(self.tenant.as_str())
        .bind(key_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Forgets an API key's secret, so it authenticates nothing from the commit on.
    pub async fn delete_key_secret(&mut self, key_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM api_key_secrets WHERE tenant_id = $1 AND key_id = $2")
            .bind(self.tenant.as_str())
            .bind(key_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Renames the tenant; returns it as it was before this write.
    pub async fn rename_tenant(&mut self, name: &str) -> Result<TenantRow, StoreError> {
        let row = sqlx::query(
            "SELECT tenant_id, name, revision, created_at, updated_at FROM tenants WHERE tenant_id = $1",
        )
        .bind(self.tenant.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        let before = TenantRow {
            // This transaction has taken the next revision already.
            revision: self.revision - 1,
            ..tenant_row(&row)?
        };
        sqlx::query("UPDATE tenants SET name = $1, updated_at = $2 WHERE tenant_id = $3")
            .bind(name)
            .bind(self.at.millis())
            .bind(self.tenant.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }

    /// An account's membership of this tenant, read inside the write.
    pub async fn get_membership(
        &mut self,
        username: &str,
    ) -> Result<Option<MemberRow>, StoreError> {
        let row = sqlx::query(
            "SELECT tenant_id, username, role, created_at, updated_at FROM memberships \
             WHERE tenant_id = $1 AND username = $2",
        )
        .bind(self.tenant.as_str())
        .bind(username)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(member_row).transpose()
    }

    /// Gives an account a role in this tenant (creating or changing its membership).
    pub async fn put_membership(&mut self, username: &str, role: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO memberships (tenant_id, username, role, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (tenant_id, username) DO UPDATE SET \
             role = excluded.role, updated_at = excluded.updated_at",
        )
        .bind(self.tenant.as_str())
        .bind(username)
        .bind(role)
        .bind(self.at.millis())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Removes an account from this tenant.
    pub async fn delete_membership(&mut self, username: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND username = $2")
            .bind(self.tenant.as_str())
            .bind(username)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Appends the audit event and commits. Returns the tenant's new revision.
    pub async fn commit(mut self, audit: AuditRecord) -> Result<i64, StoreError> {
        insert_audit(&mut self.tx, &self.tenant, self.revision, self.at, &audit).await?;
        if self.backend == Backend::Postgres {
            // Delivered at commit, and only if the commit succeeds.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(self.tenant.as_str())
                .execute(&mut *self.tx)
                .await?;
        }
        if self.bulk {
            sqlx::query(DEFAULT_CACHE).execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(self.revision)
    }
}
