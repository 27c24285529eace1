//! The audit log on the wire.

use serde::{Deserialize, Serialize};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    /// `platformAdmin`, `account`, `apiKey` or `user`.
    pub kind: String,
    /// `platform`, the account's username, the key's id or the user's id.
    pub id: String,
}

/// What a change was made to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditTarget {
    /// `tenant`, `member`, `role`, `group`, `record`, `resource`, `user`, `apiKey` or `issuer`.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// One change of a tenant. Events are immutable; each has the revision it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"eventId": "evt_0f3a9c2d7e1b5a4c6d8e", "at": "2026-11-23T21:17:38.123Z",
    "actor": {"kind": "apiKey", "id": "key_4f1c2a9e0b7d3e6f8a21"}, "action": "role.update",
    "target": {"kind": "role", "id": "editor"}, "before": {"roleId": "editor", "name": "Editor"},
    "after": {"roleId": "editor", "name": "Editors"}, "revision": 42})))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// The event's id.
    pub event_id: String,
    /// When the change was committed.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// Who made it.
    pub actor: AuditActor,
    /// What was done: `<kind>.create`, `<kind>.update`, `<kind>.delete`.
    pub action: String,
    /// What it was done to.
    pub target: AuditTarget,
    /// The object before the change, as the API showed it then (`null` for a create).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The object after the change, as the API showed it then (`null` for a delete).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    /// The tenant revision the change produced.
    pub revision: i64,
}

list!(AuditEventList, AuditEvent, "audit events", "newest first");
