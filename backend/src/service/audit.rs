//! The audit log: every change of a tenant, newest first, with what it was before and after.

use portcullis_api::{AuditActor, AuditEvent, AuditTarget};

use super::{Page, PageRequest, Service, ServiceError, TenantAccess};
use crate::store::{AuditFilter, AuditRow};

/// The kinds of object an audit event can be about: the tenant, its console members, and
/// each kind of tenant object.
pub const TARGET_KINDS: [&str; 9] = [
    "tenant", "member", "role", "group", "record", "resource", "user", "apiKey", "issuer",
];

fn parse_json(
    row: &AuditRow,
    text: Option<&str>,
) -> Result<Option<serde_json::Value>, ServiceError> {
    text.map(serde_json::from_str::<serde_json::Value>)
        .transpose()
        .map_err(|e| {
            ServiceError::corrupt(format_args!("audit event at revision {}", row.revision), e)
        })
}

fn event(row: &AuditRow) -> Result<AuditEvent, ServiceError> {
    Ok(AuditEvent {
        event_id: row.event_id.clone(),
        at: row.at.to_string(),
        actor: AuditActor {
            kind: row.record.actor_kind.clone(),
            id: row.record.actor_id.clone(),
        },
        action: row.record.action.clone(),
        target: AuditTarget {
            kind: row.record.target_kind.clone(),
            id: row.record.target_id.clone(),
        },
        before: parse_json(row, row.record.before.as_deref())?,
        after: parse_json(row, row.record.after.as_deref())?,
        revision: row.revision,
    })
}

impl Service {
    /// A page of a tenant's audit events, newest first.
    pub async fn list_audit(
        &self,
        access: &TenantAccess,
        query: AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>, ServiceError> {
        if let Some(action) = &query.action {
            let valid = !action.is_empty()
                && action.len() <= 64
                && action.bytes().all(|b| b.is_ascii_alphabetic() || b == b'.')
                && !action.starts_with('.');
            if !valid {
                return Err(ServiceError::BadRequest {
                    code: "invalid_parameter",
                    detail: format!(
                        "`action` must be an action such as `role.update`, or a family such as `role.`; got `{action}`"
                    ),
                });
            }
        }
        let before_revision =
            match page.after()? {
                Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| {
                    ServiceError::BadRequest {
                        code: "invalid_cursor",
                        detail: "the cursor is not one this server issued; start again without it"
                            .into(),
                    }
                })?),
                None => None,
            };
        let rows = self
            .store
            .list_audit(
                access.tenant.as_str(),
                &query,
                before_revision,
                page.limit + 1,
            )
            .await?;
        Page::from_rows(rows, page.limit, |row| row.revision.to_string(), event)
    }
}
