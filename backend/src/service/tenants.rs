//! Tenants: created, renamed and deleted by the platform admin.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::objects::{check_text, refuse};
use super::{Actor, Page, PageRequest, Precondition, Service, ServiceError, TenantAccess};
use crate::domain::{Limits, TenantId, Timestamp};
use crate::store::{AuditRecord, TenantRow};

/// A tenant: the unit of isolation. Nothing is shared between tenants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"tenantId": "acme", "name": "Acme Inc."}))]
pub struct Tenant {
    /// The tenant's slug, used in every path.
    pub tenant_id: TenantId,
    /// A name for people.
    pub name: String,
    /// When the tenant was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub created_at: Option<Timestamp>,
    /// When the tenant was last renamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub updated_at: Option<Timestamp>,
    /// The tenant's current revision: it grows by one with every change in the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub revision: Option<i64>,
}

/// A tenant at a glance: what the console's overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"tenantId": "acme", "name": "Acme Inc.", "revision": 42,
    "counts": {"role": 3, "group": 2, "record": 10, "resource": 4, "user": 25, "apiKey": 2, "member": 3}}))]
pub struct TenantSummary {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub name: String,
    /// Its current revision.
    pub revision: i64,
    /// How many objects of each kind it holds (`role`, `group`, `record`, `resource`,
    /// `user`, `apiKey`) and how many console members it has (`member`).
    pub counts: std::collections::BTreeMap<String, i64>,
}

fn from_row(row: &TenantRow) -> Result<Tenant, ServiceError> {
    let tenant_id = TenantId::parse(&row.tenant_id)
        .map_err(|e| ServiceError::corrupt(format_args!("tenant `{}`", row.tenant_id), e))?;
    Ok(Tenant {
        tenant_id,
        name: row.name.clone(),
        created_at: Some(row.created_at),
        updated_at: Some(row.updated_at),
        revision: Some(row.revision),
    })
}

fn audit(
    actor: &Actor,
    action: &str,
    tenant: &str,
    before: Option<&Tenant>,
    after: Option<&Tenant>,
) -> AuditRecord {
    AuditRecord {
        actor_kind: actor.kind.to_owned(),
        actor_id: actor.id.clone(),
        action: format!("tenant.{action}"),
        target_kind: "tenant".into(),
        target_id: tenant.to_owned(),
        before: before.and_then(|t| serde_json::to_string(t).ok()),
        after: after.and_then(|t| serde_json::to_string(t).ok()),
    }
}

fn check_name(name: &str) -> Result<(), ServiceError> {
    let mut problems = Vec::new();
    check_text(&mut problems, "name", name, Limits::NAME_CHARS, true);
    refuse(problems)
}

impl Service {
    /// Creates a tenant at revision 1.
    pub async fn create_tenant(
        &self,
        actor: &Actor,
        tenant: Tenant,
    ) -> Result<Tenant, ServiceError> {
        check_name(&tenant.name)?;
        let mut created = Tenant {
            created_at: None,
            updated_at: None,
            revision: None,
            ..tenant
        };
        let record = audit(
            actor,
            "create",
            created.tenant_id.as_str(),
            None,
            Some(&created),
        );
        let row = self
            .store
            .create_tenant(&created.tenant_id, &created.name, record)
            .await?
            .ok_or_else(|| {
                ServiceError::AlreadyExists(format!(
                    "tenant `{}` already exists",
                    created.tenant_id
                ))
            })?;
        created = from_row(&row)?;
        Ok(created)
    }

    /// A tenant the caller was authorized for.
    pub async fn get_tenant(&self, access: &TenantAccess) -> Result<Tenant, ServiceError> {
        let row = self.store.get_tenant(access.tenant.as_str()).await?;
        match row {
            Some(row) => from_row(&row),
            None => Err(ServiceError::not_found("tenant", access.tenant.as_str())),
        }
    }

    /// The tenant with the number of objects of each kind.
    pub async fn tenant_summary(
        &self,
        access: &TenantAccess,
    ) -> Result<TenantSummary, ServiceError> {
        let tenant = self.get_tenant(access).await?;
        let mut counts: std::collections::BTreeMap<String, i64> = [
            "role", "group", "record", "resource", "user", "apiKey", "member",
        ]
        .into_iter()
        .map(|kind| (kind.to_owned(), 0))
        .collect();
        for (kind, count) in self.store.count_objects(access.tenant.as_str()).await? {
            counts.insert(kind, count);
        }
        Ok(TenantSummary {
            tenant_id: tenant.tenant_id,
            name: tenant.name,
            revision: tenant.revision.unwrap_or_default(),
            counts,
        })
    }

    /// All tenants, in id order.
    pub async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>, ServiceError> {
        let after = page.after()?;
        let rows = self
            .store
            .list_tenants(after.as_deref(), page.limit + 1)
            .await?;
        Page::from_rows(rows, page.limit, |row| row.tenant_id.clone(), from_row)
    }

    /// Renames a tenant.
    pub async fn rename_tenant(
        &self,
        access: &TenantAccess,
        name: &str,
        precondition: Precondition,
    ) -> Result<Tenant, ServiceError> {
        check_name(name)?;
        let mut tx = self.begin_write(&access.tenant).await?;
        // Read inside the write, so the audit event's `before` is exactly what was replaced.
        let before = from_row(&tx.rename_tenant(name).await?)?;
        precondition.check(before.revision)?;
        let after = Tenant {
            name: name.to_owned(),
            updated_at: Some(tx.at()),
            revision: Some(tx.revision()),
            ..before.clone()
        };
        let record = audit(
            &access.actor(),
            "update",
            access.tenant.as_str(),
            Some(&before),
            Some(&after),
        );
        self.commit(&access.tenant, tx, record).await?;
        Ok(after)
    }

    /// Deletes a tenant with everything in it.
    pub async fn delete_tenant(
        &self,
        access: &TenantAccess,
        precondition: Precondition,
    ) -> Result<(), ServiceError> {
        let current = self.get_tenant(access).await?;
        precondition.check(current.revision)?;
        if !self.store.delete_tenant(access.tenant.as_str()).await? {
            return Err(ServiceError::not_found("tenant", access.tenant.as_str()));
        }
        self.forget_index(access.tenant.as_str());
        self.keys.forget(access.tenant.as_str(), None);
        tracing::info!(tenant = %access.tenant, "tenant deleted");
        Ok(())
    }
}
