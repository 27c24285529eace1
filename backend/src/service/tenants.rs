//! Tenants: created, renamed and deleted by the platform admin.

use portcullis_api::{Tenant, TenantIn, TenantSummary};

use super::objects::{check_text, refuse};
use super::{
    Actor, FieldError, Page, PageRequest, Precondition, Service, ServiceError, TenantAccess,
};
use crate::domain::{Limits, TenantId};
use crate::store::{AuditRecord, TenantRow};

fn from_row(row: &TenantRow) -> Tenant {
    Tenant {
        tenant_id: row.tenant_id.clone(),
        name: row.name.clone(),
        created_at: row.created_at.to_string(),
        updated_at: row.updated_at.to_string(),
        revision: row.revision,
    }
}

fn audit(
    actor: &Actor,
    action: &str,
    tenant: &str,
    before: Option<&impl serde::Serialize>,
    after: Option<&impl serde::Serialize>,
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

fn name_problems(name: &str) -> Vec<(bool, FieldError)> {
    let mut problems = Vec::new();
    check_text(&mut problems, "name", name, Limits::NAME_CHARS, true);
    problems
}

impl Service {
    /// Creates a tenant at revision 1; every ill-formed field is named in one answer.
    pub async fn create_tenant(
        &self,
        actor: &Actor,
        tenant: TenantIn,
    ) -> Result<Tenant, ServiceError> {
        let tenant_id =
            TenantId::parse(&tenant.tenant_id).map_err(|e| FieldError::new("tenantId", e.0));
        let mut problems: Vec<_> = tenant_id
            .as_ref()
            .err()
            .map(|e| (false, e.clone()))
            .into_iter()
            .collect();
        problems.extend(name_problems(&tenant.name));
        refuse(problems)?;
        let tenant_id = tenant_id.map_err(|e| ServiceError::Invalid(vec![e]))?;
        let record = audit(
            actor,
            "create",
            tenant_id.as_str(),
            None::<&TenantIn>,
            Some(&tenant),
        );
        let row = self
            .store
            .create_tenant(&tenant_id, &tenant.name, record)
            .await?
            .ok_or_else(|| {
                ServiceError::AlreadyExists(format!("tenant `{tenant_id}` already exists"))
            })?;
        Ok(from_row(&row))
    }

    /// A tenant the caller was authorized for.
    pub async fn get_tenant(&self, access: &TenantAccess) -> Result<Tenant, ServiceError> {
        let row = self.store.get_tenant(access.tenant.as_str()).await?;
        match row {
            Some(row) => Ok(from_row(&row)),
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
            revision: tenant.revision,
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
        Page::from_rows(
            rows,
            page.limit,
            |row| row.tenant_id.clone(),
            |row| Ok(from_row(row)),
        )
    }

    /// Renames a tenant.
    pub async fn rename_tenant(
        &self,
        access: &TenantAccess,
        name: &str,
        precondition: Precondition,
    ) -> Result<Tenant, ServiceError> {
        refuse(name_problems(name))?;
        let mut tx = self.begin_write(&access.tenant).await?;
        // Read inside the write, so the audit event's `before` is exactly what was replaced.
        let before = from_row(&tx.rename_tenant(name).await?);
        precondition.check(Some(before.revision))?;
        let after = Tenant {
            name: name.to_owned(),
            updated_at: tx.at().to_string(),
            revision: tx.revision(),
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
        precondition.check(Some(current.revision))?;
        if !self.store.delete_tenant(access.tenant.as_str()).await? {
            return Err(ServiceError::not_found("tenant", access.tenant.as_str()));
        }
        self.forget_index(access.tenant.as_str());
        self.keys.forget(access.tenant.as_str(), None);
        tracing::info!(tenant = %access.tenant, "tenant deleted");
        Ok(())
    }
}
