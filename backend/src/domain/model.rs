//! The objects a tenant manages (SPEC.md §1), as they travel over the API and are stored.
//!
//! One struct per kind serves as both the request and the response body: the read-only
//! fields (`createdAt`, `updatedAt`, `revision`, `lastUsedAt`) are accepted and ignored on
//! input, so a client may `GET` an object, change it and `PUT` it back unchanged in shape.
//! Unknown fields are refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, ObjectId, ResourcePattern, Timestamp, UserId};

/// The size limits of SPEC.md §2. A write beyond one is refused with 422 `limit_exceeded`,
/// naming the limit.
#[derive(Debug, Clone, Copy)]
pub struct Limits;

impl Limits {
    /// Users named directly by one access record.
    pub const RECORD_USERS: usize = 1_000;
    /// Groups named by one access record.
    pub const RECORD_GROUPS: usize = 100;
    /// Statements in one access record.
    pub const RECORD_STATEMENTS: usize = 100;
    /// Roles in one statement.
    pub const STATEMENT_ROLES: usize = 50;
    /// Resources in one statement.
    pub const STATEMENT_RESOURCES: usize = 100;
    /// Permission entries in one role.
    pub const ROLE_PERMISSIONS: usize = 200;
    /// Members of one group.
    pub const GROUP_USERS: usize = 10_000;
    /// Tags on one record.
    pub const RECORD_TAGS: usize = 50;
    /// Characters in a name.
    pub const NAME_CHARS: usize = 256;
    /// Characters in a description.
    pub const DESCRIPTION_CHARS: usize = 4_096;
    /// Characters in a tag key.
    pub const TAG_KEY_CHARS: usize = 128;
    /// Characters in a tag value.
    pub const TAG_VALUE_CHARS: usize = 1_024;
    /// The request body, in bytes.
    pub const BODY_BYTES: usize = 1024 * 1024;
}

/// One permission entry of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionEntry {
    /// The action, possibly with `*` segments: `documents:*`, `documents:read`, `*`.
    pub action: Action,
    /// Holders may perform the action.
    #[serde(default = "yes")]
    pub allow: bool,
    /// Holders may give `allow` of the action to others, on resources they hold the grant on.
    #[serde(default)]
    pub grant: bool,
    /// Holders may give `grant` of the action to others.
    #[serde(default)]
    pub delegate: bool,
}

fn yes() -> bool {
    true
}

/// A role: a named set of permission entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Role {
    /// The role's id; generated (`rol_…`) when omitted on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<ObjectId>,
    /// A name for people.
    pub name: String,
    /// What the role is for.
    #[serde(default)]
    pub description: String,
    /// What holders of the role may do (at most 200 entries).
    #[serde(default)]
    pub permissions: Vec<PermissionEntry>,
    /// When the role was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the role was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the role's last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// A group of users, named in access records as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// The group's id; generated (`grp_…`) when omitted on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<ObjectId>,
    /// A name for people.
    pub name: String,
    /// What the group is.
    #[serde(default)]
    pub description: String,
    /// The members (at most 10,000).
    #[serde(default)]
    pub users: Vec<UserId>,
    /// When the group was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the group was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the group's last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// Whether an access record is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// The record grants what it says.
    #[default]
    Active,
    /// The record grants nothing until enabled again.
    Disabled,
}

/// Roles given on resources: every role applies to every resource of the statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Statement {
    /// Role ids (1 to 50), each of an existing role.
    pub roles: Vec<ObjectId>,
    /// Resource URIs or patterns (1 to 100); a grant covers the resource and everything below it.
    pub resources: Vec<ResourcePattern>,
}

/// An access record: who (users, groups) gets which roles on which resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRecord {
    /// The record's id; generated (`rec_…`) when omitted on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<ObjectId>,
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
    pub expires_at: Option<Timestamp>,
    /// Users the record applies to (at most 1,000).
    #[serde(default)]
    pub users: Vec<UserId>,
    /// Groups whose members the record applies to (at most 100), each an existing group.
    #[serde(default)]
    pub groups: Vec<ObjectId>,
    /// What the record gives (at most 100 statements).
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Free-form labels (at most 50).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The user who wrote the record through `/me/records` (end-user delegation); absent
    /// for records written by the tenant's admins and keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegated_by: Option<UserId>,
    /// When the record was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the record was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the record's last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// A registered resource: a name and metadata for a resource URI. Resources need not be
/// registered to be granted or checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceConfig {
    /// The resource URI or pattern; in paths, URL-encoded (`%2Forgs%2Facme`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_uri: Option<ResourcePattern>,
    /// A name for people.
    #[serde(default)]
    pub name: String,
    /// What the resource is.
    #[serde(default)]
    pub description: String,
    /// Any JSON object the tenant wants to keep with the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// When the resource was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the resource config was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// A user of the tenant's application. Users named in records or groups are registered
/// automatically; a name and email can be added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// The user's id in the application (the `sub` of its token); in paths, URL-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An email address, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `active` (default) or `suspended`: a suspended user is denied every decision.
    #[serde(default)]
    pub status: UserStatus,
    /// Why the status was last set, for people (the audit log keeps it with the change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Identity tokens issued (`iat`) before this instant are refused: "sign out
    /// everywhere" without a token database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_not_before: Option<Timestamp>,
    /// When the user was first named or registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the user was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// Whether a user may be granted anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Decisions follow the user's records.
    #[default]
    Active,
    /// Every decision for the user is a deny, whatever their records give.
    Suspended,
}

impl UserStatus {
    /// Its name in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    /// The status named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Ask decisions: check, batch, lookups.
    Check,
    /// Read the tenant's configuration and audit log.
    Read,
    /// Change the tenant's configuration (implies `read`).
    Write,
}

/// An API key of a tenant. The secret is returned once, when the key is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKey {
    /// The key's id; generated (`key_…`) when omitted on create. Not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<ObjectId>,
    /// A name for people.
    pub name: String,
    /// What the key may do: `check`, `read`, `write` (at least one).
    pub scopes: Vec<Scope>,
    /// After this instant the key is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The secret (`pc_…`): present only in the response that created the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When the key last authenticated a request (updated at most once a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<Timestamp>,
    /// When the key was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the key was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// A signature algorithm an issuer's tokens may use. Asymmetric only: a shared secret
/// (HMAC) would let anyone holding the issuer's public key forge tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

impl TokenAlgorithm {
    /// Its name in tokens, storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The algorithm named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "RS256" => Some(Self::RS256),
            "ES256" => Some(Self::ES256),
            "EdDSA" => Some(Self::EdDSA),
            _ => None,
        }
    }
}

/// Where an issuer's public keys come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IssuerKeys {
    /// Fetched from this JWKS URL (`https://`, or `http://` on a loopback address) and cached.
    JwksUrl(String),
    /// Given inline: a JWKS document (`{"keys": [...]}`), kept as sent.
    #[serde(rename = "jwks")]
    Inline(serde_json::Value),
}

/// An identity provider whose tokens a tenant trusts to say who a user is (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    /// The issuer's id in this tenant; generated (`iss_…`) when omitted on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_id: Option<ObjectId>,
    /// A name for people.
    pub name: String,
    /// The `iss` claim its tokens carry, compared exactly. Unique within the tenant.
    pub issuer: String,
    /// Accepted `aud` values: a token must name at least one.
    pub audiences: Vec<String>,
    /// Its public keys.
    #[serde(flatten)]
    pub keys: IssuerKeys,
    /// The signature algorithms accepted (at least one).
    pub algorithms: Vec<TokenAlgorithm>,
    /// When it was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The tenant revision of the last change; also its `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}
