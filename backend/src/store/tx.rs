//! The write transaction: one tenant, one new revision, one audit event.

use sqlx::{Any, AnyPool, Row, Transaction};

use super::accounts::member_row;
use super::{MemberRow, ObjectRow, StoreError, TenantRow, fetch_object, tenant_row};
use crate::domain::{Timestamp, now};

/// The PostgreSQL channel on which every commit names the tenant it changed.
pub const CHANGES_CHANNEL: &str = "portcullis_changes";

/// Rows per multi-row statement: well under both databases' limits on bound parameters.
pub(super) const CHUNK: usize = 200;

/// Bound parameters per statement of a bulk write. SQLite finds a `$N` parameter's name by
/// walking a list of all of them, so binding costs grows with the square of their number:
/// at 800 parameters a statement the lookup was 30% of an import's time, at 200 12%; more,
/// smaller statements cost little.
const BULK_PARAMETERS: usize = 120;

/// `$first, $first+1, …` for `count` parameters.
pub(super) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

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
    Ok(())
}

/// One object of a bulk write ([`WriteTx::put_objects`]).
#[derive(Debug, Clone)]
pub struct BulkObject {
    /// Its id.
    pub id: String,
    /// Its JSON document, without id and bookkeeping fields.
    pub body: String,
    /// When it was created; the write's time when not given.
    pub created_at: Option<Timestamp>,
    /// When it last changed; the write's time when not given.
    pub updated_at: Option<Timestamp>,
}

/// An open write to one tenant. It holds the tenant's next revision from the start; dropping
/// it without [`WriteTx::commit`] rolls everything back, the revision included.
#[derive(Debug)]
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    tenant: String,
    revision: i64,
    at: Timestamp,
    notify: bool,
}

impl WriteTx {
    /// `notify`: send a PostgreSQL `NOTIFY` on [`CHANGES_CHANNEL`] with the commit.
    pub(super) async fn begin(
        pool: &AnyPool,
        tenant: &str,
        notify: bool,
    ) -> Result<Option<Self>, StoreError> {
        let at = now();
        let mut tx = pool.begin().await?;
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
            notify,
        }))
    }

    /// The revision this write will commit as.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The instant this write is stamped with.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// One object, as this transaction sees it.
    pub async fn get_object(
        &mut self,
        kind: &str,
        id: &str,
    ) -> Result<Option<ObjectRow>, StoreError> {
        fetch_object(&mut *self.tx, &self.tenant, kind, id).await
    }

    /// Whether the tenant holds any object of `kind`.
    pub async fn has_objects(&mut self, kind: &str) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT object_id FROM objects WHERE tenant_id = $1 AND kind = $2 LIMIT 1",
        )
        .bind(self.tenant.as_str())
        .bind(kind)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(found.is_some())
    }

    /// Those of `ids` for which no object of `kind` exists, in the order given.
    pub async fn missing_objects(
        &mut self,
        kind: &str,
        ids: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT object_id FROM objects WHERE tenant_id = $1 AND kind = $2 AND object_id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql)
                .bind(self.tenant.as_str())
                .bind(kind);
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

    /// Creates objects of `kind` with an empty body for those of `ids` that do not exist yet
    /// (users named in a record or group are registered this way).
    pub async fn ensure_objects(&mut self, kind: &str, ids: &[&str]) -> Result<(), StoreError> {
        for chunk in ids.chunks(CHUNK) {
            let rows = (0..chunk.len())
                .map(|i| format!("($1, $2, ${}, '{{}}', $3, $4, $4)", i + 5))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO objects (tenant_id, kind, object_id, body, revision, created_at, updated_at) \
                 VALUES {rows} ON CONFLICT (tenant_id, kind, object_id) DO NOTHING"
            );
            let mut query = sqlx::query(&sql)
                .bind(self.tenant.as_str())
                .bind(kind)
                .bind(self.revision)
                .bind(self.at.millis());
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Writes an object (insert or replace), stamped with this write's revision and time.
    /// `created_at` is kept from the object being replaced.
    pub async fn put_object(
        &mut self,
        kind: &str,
        id: &str,
        body: &str,
        created_at: Option<Timestamp>,
    ) -> Result<ObjectRow, StoreError> {
        let created_at = created_at.unwrap_or(self.at);
        sqlx::query(
            "INSERT INTO objects (tenant_id, kind, object_id, body, revision, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, kind, object_id) \
             DO UPDATE SET body = excluded.body, revision = excluded.revision, updated_at = excluded.updated_at",
        )
        .bind(self.tenant.as_str())
        .bind(kind)
        .bind(id)
        .bind(body)
        .bind(self.revision)
        .bind(created_at.millis())
        .bind(self.at.millis())
        .execute(&mut *self.tx)
        .await?;
        Ok(ObjectRow {
            id: id.to_owned(),
            body: body.to_owned(),
            revision: self.revision,
            created_at,
            updated_at: self.at,
        })
    }

    /// Writes many objects of one kind (insert or replace), each with its own creation and
    /// change time, stamped with this write's revision: a statement per
    /// [`BULK_PARAMETERS`] bound values.
    /// A replaced object keeps its creation time.
    pub async fn put_objects(&mut self, kind: &str, rows: &[BulkObject]) -> Result<(), StoreError> {
        for chunk in rows.chunks(BULK_PARAMETERS / 4) {
            let values = (0..chunk.len())
                .map(|i| {
                    let p = 4 + 4 * i;
                    format!("($1, $2, ${p}, ${}, $3, ${}, ${})", p + 1, p + 2, p + 3)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO objects (tenant_id, kind, object_id, body, revision, created_at, updated_at) \
                 VALUES {values} ON CONFLICT (tenant_id, kind, object_id) DO UPDATE SET \
                 body = excluded.body, revision = excluded.revision, updated_at = excluded.updated_at"
            );
            let mut query = sqlx::query(&sql)
                .bind(self.tenant.as_str())
                .bind(kind)
                .bind(self.revision);
            for row in chunk {
                query = query
                    .bind(row.id.as_str())
                    .bind(row.body.as_str())
                    .bind(row.created_at.unwrap_or(self.at).millis())
                    .bind(row.updated_at.unwrap_or(self.at).millis());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Replaces the references made by many objects of one kind: those of `from_ids` lose
    /// theirs, then `refs` (`(from_id, to_kind, to_id)`, without duplicates) are added.
    pub async fn replace_refs(
        &mut self,
        kind: &str,
        from_ids: &[&str],
        refs: &[(&str, &str, &str)],
    ) -> Result<(), StoreError> {
        for chunk in from_ids.chunks(BULK_PARAMETERS) {
            let sql = format!(
                "DELETE FROM object_refs WHERE tenant_id = $1 AND from_kind = $2 AND from_id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(self.tenant.as_str()).bind(kind);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *self.tx).await?;
        }
        for chunk in refs.chunks(BULK_PARAMETERS / 3) {
            let values = (0..chunk.len())
                .map(|i| format!("($1, $2, ${}, ${}, ${})", 3 + 3 * i, 4 + 3 * i, 5 + 3 * i))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO object_refs (tenant_id, from_kind, from_id, to_kind, to_id) VALUES {values}"
            );
            let mut query = sqlx::query(&sql).bind(self.tenant.as_str()).bind(kind);
            for (from, to_kind, to_id) in chunk {
                query = query.bind(*from).bind(*to_kind).bind(*to_id);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Deletes an object and the references it makes.
    pub async fn delete_object(&mut self, kind: &str, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM objects WHERE tenant_id = $1 AND kind = $2 AND object_id = $3")
            .bind(self.tenant.as_str())
            .bind(kind)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.set_refs(kind, id, &[]).await
    }

    /// Replaces the references object `(kind, id)` makes with `refs` (`(kind, id)` pairs,
    /// without duplicates).
    pub async fn set_refs(
        &mut self,
        kind: &str,
        id: &str,
        refs: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM object_refs WHERE tenant_id = $1 AND from_kind = $2 AND from_id = $3",
        )
        .bind(self.tenant.as_str())
        .bind(kind)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        for chunk in refs.chunks(CHUNK) {
            let rows = (0..chunk.len())
                .map(|i| format!("($1, $2, $3, ${}, ${})", 4 + 2 * i, 5 + 2 * i))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO object_refs (tenant_id, from_kind, from_id, to_kind, to_id) VALUES {rows}"
            );
            let mut query = sqlx::query(&sql)
                .bind(self.tenant.as_str())
                .bind(kind)
                .bind(id);
            for (to_kind, to_id) in chunk {
                query = query.bind(*to_kind).bind(*to_id);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The objects that reference `(kind, id)`, as `(kind, id)` pairs in a stable order.
    pub async fn referrers(
        &mut self,
        kind: &str,
        id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT from_kind, from_id FROM object_refs WHERE tenant_id = $1 AND to_kind = $2 AND to_id = $3 \
             ORDER BY from_kind, from_id",
        )
        .bind(self.tenant.as_str())
        .bind(kind)
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("from_kind")?, r.try_get("from_id")?)))
            .collect()
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
        if self.notify {
            // Delivered at commit, and only if the commit succeeds.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(self.tenant.as_str())
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(self.revision)
    }
}
