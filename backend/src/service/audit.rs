//! The audit log: every change of a tenant, newest first, with what it was before and after.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Page, PageRequest, Service, ServiceError, TenantAccess};
use crate::domain::Timestamp;
use crate::store::{AuditFilter, AuditRow, StoreError};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditActor {
    /// `platformAdmin` or `apiKey`.
    pub kind: String,
    /// `platform`, or the key's id.
    pub id: String,
}

/// What a change was made to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditTarget {
    /// `tenant`, `role`, `group`, `record`, `resource`, `user` or `apiKey`.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// One change of a tenant. Events are immutable; each has the revision it produced.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"eventId": "evt_0f3a9c2d7e1b5a4c6d8e", "at": "2026-11-23T21:17:38.123Z",
    "actor": {"kind": "apiKey", "id": "key_4f1c2a9e0b7d3e6f8a21"}, "action": "role.update",
    "target": {"kind": "role", "id": "editor"}, "before": {"roleId": "editor", "name": "Editor"},
    "after": {"roleId": "editor", "name": "Editors"}, "revision": 42}))]
pub struct AuditEvent {
    /// The event's id.
    pub event_id: String,
    /// When the change was committed.
    pub at: Timestamp,
    /// Who made it.
    pub actor: AuditActor,
    /// What was done: `<kind>.create`, `<kind>.update`, `<kind>.delete`.
    pub action: String,
    /// What it was done to.
    pub target: AuditTarget,
    /// The object before the change (absent for a create).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The object after the change (absent for a delete).
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The tenant revision the change produced.
    pub revision: i64,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only changes by this actor id (`platform` or a key id).
    pub actor: Option<String>,
    /// Only this action (`role.update`), or a family of them (`role.`).
    pub action: Option<String>,
    /// Only changes to this kind of object.
    pub target_kind: Option<String>,
    /// Only changes to the object with this id.
    pub target_id: Option<String>,
    /// Only changes at or after this instant.
    pub from: Option<Timestamp>,
    /// Only changes before this instant.
    pub to: Option<Timestamp>,
}

fn parse_json(
    row: &AuditRow,
    text: &Option<String>,
) -> Result<Option<serde_json::Value>, ServiceError> {
    text.as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| {
            ServiceError::Store(StoreError::Corrupt {
                what: format!("audit event at revision {}", row.revision),
                detail: e.to_string(),
            })
        })
}

fn event(row: &AuditRow) -> Result<AuditEvent, ServiceError> {
    Ok(AuditEvent {
        event_id: row.event_id.clone(),
        at: row.at,
        actor: AuditActor {
            kind: row.actor_kind.clone(),
            id: row.actor_id.clone(),
        },
        action: row.action.clone(),
        target: AuditTarget {
            kind: row.target_kind.clone(),
            id: row.target_id.clone(),
        },
        before: parse_json(row, &row.before)?,
        after: parse_json(row, &row.after)?,
        revision: row.revision,
    })
}

impl Service {
    /// A page of a tenant's audit events, newest first.
    pub async fn list_audit(
        &self,
        access: &TenantAccess,
        query: AuditQuery,
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
        let filter = AuditFilter {
            actor: query.actor,
            action: query.action,
            target_kind: query.target_kind,
            target_id: query.target_id,
            from: query.from,
            to: query.to,
            before_revision,
        };
        let rows = self
            .store
            .list_audit(access.tenant.as_str(), &filter, page.limit + 1)
            .await?;
        Page::from_rows(rows, page.limit, |row| row.revision.to_string(), event)
    }
}
