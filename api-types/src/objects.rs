//! Roles, groups, access records, resource configs, users and API keys on the wire.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

/// One permission entry of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionEntry {
    /// The action, possibly with `*` segments: `documents:*`, `documents:read`, `*`.
    pub action: String,
    /// Holders may perform the action.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub allow: bool,
    /// Holders may give `allow` of the action to others, on resources they hold the grant on.
    #[serde(default)]
    pub grant: bool,
    /// Holders may give `grant` of the action to others.
    #[serde(default)]
    pub delegate: bool,
}

/// Whether an access record is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// The record grants what it says.
    #[default]
    Active,
    /// The record grants nothing until enabled again.
    Disabled,
}

impl RecordStatus {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

/// Whether a user may be granted anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Decisions follow the user's records.
    #[default]
    Active,
    /// Every decision for the user is a deny, whatever their records give.
    Suspended,
}

impl UserStatus {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

/// Roles given on resources: every role applies to every resource of the statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Statement {
    /// Role ids (1 to 50), each of an existing role.
    pub roles: Vec<String>,
    /// Resource URIs or patterns (1 to 100); a grant covers the resource and everything below it.
    pub resources: Vec<String>,
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Ask decisions: check, batch, lookups.
    Check,
    /// Read the tenant's configuration and audit log.
    Read,
    /// Change the tenant's configuration (implies `read`).
    Write,
}

impl Scope {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

ignored_fields! {
    /// A role: a named set of permission entries. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"roleId": "editor", "name": "Editor", "description": "Reads and edits documents", "permissions": [{"action": "documents:read"}, {"action": "documents:update"}]})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RoleIn {
        /// The role's id; generated (`rol_…`) when omitted on create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub role_id: Option<String>,
        /// A name for people.
        pub name: String,
        /// What the role is for.
        #[serde(default)]
        pub description: String,
        /// What holders of the role may do (at most 200 entries).
        #[serde(default)]
        pub permissions: Vec<PermissionEntry>,
    }
}

/// A role: a named set of permission entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// The role's id.
    pub role_id: String,
    /// A name for people.
    pub name: String,
    /// What the role is for.
    #[serde(default)]
    pub description: String,
    /// What holders of the role may do (at most 200 entries).
    #[serde(default)]
    pub permissions: Vec<PermissionEntry>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(RoleList, Role, "roles");

/// An action the tenant's roles name, and the roles that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"action": "documents:read", "roles": ["editor", "viewer"]})))]
#[serde(rename_all = "camelCase")]
pub struct ActionInUse {
    /// The action, as the roles' entries state it (lower case; it may hold `*`).
    pub action: String,
    /// The roles with an entry for it, in id order.
    pub roles: Vec<String>,
}

/// One page of the actions the tenant's roles name, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActionList {
    /// The items.
    pub items: Vec<ActionInUse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The tenant revision the list was read at.
    pub revision: i64,
}

ignored_fields! {
    /// A group of users, named in access records as one. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"groupId": "support", "name": "Support team", "users": ["user-1", "user-2"]})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct GroupIn {
        /// The group's id; generated (`grp_…`) when omitted on create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub group_id: Option<String>,
        /// A name for people.
        pub name: String,
        /// What the group is.
        #[serde(default)]
        pub description: String,
        /// The members (at most 10,000).
        #[serde(default)]
        pub users: Vec<String>,
    }
}

/// A group of users, named in access records as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's id.
    pub group_id: String,
    /// A name for people.
    pub name: String,
    /// What the group is.
    #[serde(default)]
    pub description: String,
    /// The members (at most 10,000).
    #[serde(default)]
    pub users: Vec<String>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(GroupList, Group, "groups");

ignored_fields! {
    /// An access record: who (users, groups) gets which roles on which resources. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"recordId": "acme-editors", "name": "Acme editors", "users": ["user-1"], "groups": ["support"], "statements": [{"roles": ["editor"], "resources": ["/orgs/acme/documents"]}], "tags": {"team": "docs"}})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RecordIn {
        /// The record's id; generated (`rec_…`) when omitted on create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub record_id: Option<String>,
        /// A name for people.
        pub name: String,
        /// Why the record exists.
        #[serde(default)]
        pub description: String,
        /// `active` (default) or `disabled`.
        #[serde(default)]
        pub status: RecordStatus,
        /// After this instant the record grants nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(format = DateTime))]
        pub expires_at: Option<String>,
        /// Users the record applies to (at most 1,000).
        #[serde(default)]
        pub users: Vec<String>,
        /// Groups whose members the record applies to (at most 100), each an existing group.
        #[serde(default)]
        pub groups: Vec<String>,
        /// What the record gives (at most 100 statements).
        #[serde(default)]
        pub statements: Vec<Statement>,
        /// Free-form labels (at most 50).
        #[serde(default)]
        pub tags: BTreeMap<String, String>,
        /// Ignored: set by the server.
        #[serde(default, skip_serializing)]
        #[cfg_attr(feature = "openapi", schema(ignore))]
        pub delegated_by: Option<IgnoredAny>,
    }
}

/// An access record: who (users, groups) gets which roles on which resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The record's id.
    pub record_id: String,
    /// A name for people.
    pub name: String,
    /// Why the record exists.
    #[serde(default)]
    pub description: String,
    /// `active` (default) or `disabled`.
    #[serde(default)]
    pub status: RecordStatus,
    /// After this instant the record grants nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: Option<String>,
    /// Users the record applies to (at most 1,000).
    #[serde(default)]
    pub users: Vec<String>,
    /// Groups whose members the record applies to (at most 100), each an existing group.
    #[serde(default)]
    pub groups: Vec<String>,
    /// What the record gives (at most 100 statements).
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Free-form labels (at most 50).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The user who wrote the record through `/me/records` (end-user delegation); absent for records written by admins and keys. Such a record is the user's to delete; an admin's `PUT` makes it an admin's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub delegated_by: Option<String>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(RecordList, Record, "access records");

ignored_fields! {
    /// A registered resource: a name and metadata for a resource URI. Resources need not be registered to be granted or checked. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"resourceUri": "/orgs/acme", "name": "Acme Inc.", "metadata": {"plan": "pro"}})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ResourceIn {
        /// The resource URI or pattern; in paths, URL-encoded (`%2Forgs%2Facme`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resource_uri: Option<String>,
        /// A name for people.
        #[serde(default)]
        pub name: String,
        /// What the resource is.
        #[serde(default)]
        pub description: String,
        /// Any JSON object the tenant wants to keep with the resource.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    }
}

/// A registered resource: a name and metadata for a resource URI. Resources need not be registered to be granted or checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The resource URI or pattern.
    pub resource_uri: String,
    /// A name for people.
    #[serde(default)]
    pub name: String,
    /// What the resource is.
    #[serde(default)]
    pub description: String,
    /// Any JSON object the tenant wants to keep with the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(ResourceList, Resource, "registered resources");

ignored_fields! {
    /// A user of the tenant's application. Users named in records or groups are registered automatically; a name and email can be added. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"userId": "user-1", "name": "Ada Lovelace", "email": "ada@example.com"})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct UserIn {
        /// The user's id in the application (the `sub` of its token); in paths, URL-encoded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub user_id: Option<String>,
        /// A name for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        /// An email address, for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub email: Option<String>,
        /// `active` (default) or `suspended`: a suspended user is denied every decision from the next request on, whatever their records give.
        #[serde(default)]
        pub status: UserStatus,
        /// Why the status was last set, for people (at most 4,096 characters); the audit log keeps it with the change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status_reason: Option<String>,
        /// Identity tokens issued (`iat`) before this instant are refused with 401 `token_revoked`: set it to now to sign the user out everywhere.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(format = DateTime))]
        pub tokens_not_before: Option<String>,
    }
}

/// A user of the tenant's application. Users named in records or groups are registered automatically; a name and email can be added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id in the application.
    pub user_id: String,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An email address, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `active` or `suspended`.
    pub status: UserStatus,
    /// Why the status was last set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Identity tokens issued before this instant are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub tokens_not_before: Option<String>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(UserList, User, "users");

ignored_fields! {
    /// An API key of a tenant. The secret is returned once, when the key is created. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"keyId": "key_4f1c2a9e0b7d3e6f8a21", "name": "checkout service", "scopes": ["check"]})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ApiKeyIn {
        /// The key's id; generated (`key_…`) when omitted on create. Not a secret.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key_id: Option<String>,
        /// Ignored: set by the server.
        #[serde(default, skip_serializing)]
        #[cfg_attr(feature = "openapi", schema(ignore))]
        pub secret: Option<IgnoredAny>,
        /// Ignored: set by the server.
        #[serde(default, skip_serializing)]
        #[cfg_attr(feature = "openapi", schema(ignore))]
        pub last_used_at: Option<IgnoredAny>,
        /// A name for people.
        pub name: String,
        /// What the key may do: `check`, `read`, `write` (at least one).
        pub scopes: Vec<Scope>,
        /// After this instant the key is refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(format = DateTime))]
        pub expires_at: Option<String>,
    }
}

/// An API key of a tenant. The secret is returned once, when the key is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// The key's id. Not a secret.
    pub key_id: String,
    /// A name for people.
    pub name: String,
    /// What the key may do: `check`, `read`, `write` (at least one).
    pub scopes: Vec<Scope>,
    /// After this instant the key is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: Option<String>,
    /// The secret (`pc_…`): present only in the answer that created the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub secret: Option<String>,
    /// When the key last authenticated a request (updated at most once a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub last_used_at: Option<String>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(ApiKeyList, ApiKey, "API keys");

/// A signature algorithm an issuer's tokens may use. Asymmetric only: never `none`, never an HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TokenAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

ignored_fields! {
    /// An identity provider whose tokens this tenant trusts to say who a user is (`sub` is the userId). Give exactly one of `jwksUrl` and `jwks`. As sent on create or replace.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"issuerId": "auth0", "name": "Acme's Auth0", "issuer": "https://acme.eu.auth0.com/", "audiences": ["https://api.acme.example"], "jwksUrl": "https://acme.eu.auth0.com/.well-known/jwks.json", "algorithms": ["RS256"]})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct IssuerIn {
        /// The issuer's id in this tenant; generated (`iss_…`) when omitted on create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub issuer_id: Option<String>,
        /// A name for people.
        pub name: String,
        /// The `iss` claim of its tokens, compared exactly (at most 1,024 characters). One issuer per `iss` in a tenant.
        pub issuer: String,
        /// Accepted `aud` values (1–20): a token must name at least one.
        pub audiences: Vec<String>,
        /// Where its public keys are published: `https://` (plain `http://` only to a loopback address). Fetched on first use, refreshed every 10 minutes and at once (at most every 5 s) when a token names an unknown `kid`; the last good set is kept while the issuer is down.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub jwks_url: Option<String>,
        /// Its public keys inline, as a JWKS document (`{"keys": [...]}`, at most 100 RSA, P-256 or Ed25519 public keys).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub jwks: Option<serde_json::Value>,
        /// The signature algorithms its tokens may use (at least one).
        pub algorithms: Vec<TokenAlgorithm>,
    }
}

/// An identity provider this tenant trusts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    /// The issuer's id in this tenant.
    pub issuer_id: String,
    /// A name for people.
    pub name: String,
    /// The `iss` claim of its tokens.
    pub issuer: String,
    /// Accepted `aud` values.
    pub audiences: Vec<String>,
    /// Where its public keys are fetched from (absent when they are inline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    /// Its public keys inline (absent when they are fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// The signature algorithms its tokens may use.
    pub algorithms: Vec<TokenAlgorithm>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant revision of its last change; also its `ETag`.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(IssuerList, Issuer, "trusted issuers");
