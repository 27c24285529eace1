//! Decisions on the wire: check, batch, their explanations, and the lookups.

use serde::{Deserialize, Serialize};

use crate::PermissionEntry;

/// How fresh an answer must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Consistency {
    /// At the newest committed revision (the default). On a single node the local index is
    /// that revision already; with `cluster` set, the committed revision is read first.
    #[default]
    FullyConsistent,
    /// Whatever revision the serving process has now: no database read, ever.
    MinimizeLatency,
}

/// May a user do something on a resource?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:read", "explain": true})))]
pub struct CheckRequest {
    /// The user (the `sub` of your user's token). Give this or `userToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's identity token (a JWT of an issuer the tenant trusts), verified here; its `sub` is the user. Give this or `userId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_token: Option<String>,
    /// The resource, concrete (no `*`).
    pub resource_uri: String,
    /// The permission, concrete (no `*`).
    pub permission: String,
    /// Explain the answer: what granted it, or why each record naming the user did not.
    #[serde(default)]
    pub explain: bool,
    /// Never answer from data older than this revision (the `revision` of a write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_revision: Option<i64>,
    /// `fullyConsistent` (default) or `minimizeLatency`.
    #[serde(default)]
    pub consistency: Consistency,
}

/// The answer to a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"allowed": true, "revision": 42})))]
pub struct CheckResponse {
    /// Whether the user may.
    pub allowed: bool,
    /// The user decided for, when the question named them by an identity token (the
    /// token's verified `sub`); absent when it named them by `userId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The tenant revision the answer was computed at.
    pub revision: i64,
    /// Why, when `explain` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// One check of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchCheck {
    /// The user. Give this or `userToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's identity token, verified here; its `sub` is the user. Give this or `userId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_token: Option<String>,
    /// The resource, concrete.
    pub resource_uri: String,
    /// The permission, concrete.
    pub permission: String,
    /// Explain this answer.
    #[serde(default)]
    pub explain: bool,
}

/// Many checks, answered together at one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"checks": [
    {"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:read"},
    {"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:delete"}]})))]
pub struct BatchRequest {
    /// Up to 1,000 checks.
    pub checks: Vec<BatchCheck>,
    /// Never answer from data older than this revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_revision: Option<i64>,
    /// `fullyConsistent` (default) or `minimizeLatency`.
    #[serde(default)]
    pub consistency: Consistency,
}

/// One answer of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Whether the user may.
    pub allowed: bool,
    /// The user decided for, when the check named them by `userToken` (the token's
    /// verified `sub`); absent when it named them by `userId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Why, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// The answers of a batch, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"results": [{"allowed": true}, {"allowed": false}], "revision": 42})))]
pub struct BatchResponse {
    /// One per check, in request order.
    pub results: Vec<BatchResult>,
    /// The tenant revision every answer was computed at.
    pub revision: i64,
}

/// Whom a record names that made it apply to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum Via {
    /// The record names the user.
    User(String),
    /// The record names a group the user is in.
    Group(String),
}

/// What granted an allowed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// The index of the statement within the record.
    pub statement: usize,
    /// The resource pattern of the statement that covers the requested resource.
    pub resource: String,
    /// The role that allows the permission.
    pub role_id: String,
    /// The role's permission entry that implies the requested permission.
    pub permission: PermissionEntry,
}

/// Why a record that names the user did not grant the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The record is disabled.
    Disabled,
    /// The record has expired.
    Expired,
    /// No statement of the record covers the resource.
    ResourceNotCovered,
    /// Statements cover the resource, but none of their roles allows the permission.
    NoRoleAllows,
}

/// A record that names the user but did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NotApplied {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// Why it did not grant the request.
    pub reason: Reason,
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// For an allow: what granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<Grant>,
    /// For a deny: every record naming the user (directly or through a group), and why it
    /// did not apply. Empty when no record names the user, or when the user is suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<Vec<NotApplied>>,
    /// The user is suspended: denied whatever their records give.
    #[serde(default)]
    pub user_suspended: bool,
}

/// What a user may do on one resource: the permission entries of every role given on it
/// by a record in force, merged by action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EffectivePermission {
    /// The action, as the role states it (it may hold `*`).
    pub action: String,
    /// Some role allows it.
    pub allow: bool,
    /// Some role lets the user grant it.
    pub grant: bool,
    /// Some role lets the user delegate it.
    pub delegate: bool,
    /// Through what the user holds it: each role a record in force gives them there with an
    /// entry for the action, in record order, then role order.
    pub grants: Vec<RoleGrant>,
}

/// A role an access record gives a user on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoleGrant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// The role.
    pub role_id: String,
}

/// What a user may do on a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({"userId": "ada", "resourceUri": "/orgs/acme/documents/d1",
    "permissions": [{"action": "documents:*", "allow": true, "grant": false, "delegate": false,
        "grants": [{"recordId": "rec_1", "via": {"group": "support"}, "roleId": "editor"}]}], "revision": 42})))]
pub struct EffectivePermissions {
    /// The user.
    pub user_id: String,
    /// The resource.
    pub resource_uri: String,
    /// Every permission entry the user holds there, merged by action.
    pub permissions: Vec<EffectivePermission>,
    /// The tenant revision of the answer.
    pub revision: i64,
}

/// A user who holds a permission on a resource, and the records that give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The user.
    pub user_id: String,
    /// The records that give it, each with whom it names that brought the user in.
    pub grants: Vec<HolderGrant>,
}

/// One record through which a user holds a permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HolderGrant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
}

/// A resource pattern on which the user holds the permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReachableResource {
    /// The pattern: the user holds the permission on it and everything below it.
    pub resource_uri: String,
    /// The records that give it, in record order, each with whom it names that brought
    /// the user in.
    pub grants: Vec<HolderGrant>,
}

/// A page of a lookup, with the revision it was computed at.
macro_rules! lookup_page {
    ($name:ident, $item:ident, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with the revision it was computed at.")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The items, sorted.
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; absent on the last page.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_cursor: Option<String>,
            /// The tenant revision of the answer. A later page is answered at the same
            /// revision while the server still holds it.
            pub revision: i64,
        }
    };
}

lookup_page!(
    HolderPage,
    Holder,
    "the users who hold a permission on a resource"
);
lookup_page!(
    ReachableResourcePage,
    ReachableResource,
    "the resources a user reaches"
);

/// May the bearer of this identity token do something on a resource? (`/me/check`: the user is the token's `sub`.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"resourceUri": "/orgs/acme/documents/d1", "permission": "documents:read"})))]
pub struct MeCheckRequest {
    /// The resource, concrete (no `*`).
    pub resource_uri: String,
    /// The permission, concrete (no `*`).
    pub permission: String,
    /// Explain the answer.
    #[serde(default)]
    pub explain: bool,
    /// Never answer from data older than this revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_revision: Option<i64>,
    /// `fullyConsistent` (default) or `minimizeLatency`.
    #[serde(default)]
    pub consistency: Consistency,
}
