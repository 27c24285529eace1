//! Console accounts, their memberships of tenants, and console sessions on the wire.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// An account's role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Everything an admin does, and manages the tenant's members.
    Owner,
    /// Reads and changes everything in the tenant.
    Admin,
    /// Reads everything and runs checks; changes nothing.
    Viewer,
}

impl MemberRole {
    /// Every role, most powerful first.
    pub const ALL: [MemberRole; 3] = [MemberRole::Owner, MemberRole::Admin, MemberRole::Viewer];

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Admin => "admin",
            MemberRole::Viewer => "viewer",
        }
    }

    /// The role named `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// One tenant an account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The tenant.
    pub tenant_id: String,
    /// The account's role there.
    pub role: MemberRole,
}

/// A console account, as the API shows it (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"username": "ada", "platformAdmin": false,
    "memberships": [{"tenantId": "acme", "role": "admin"}],
    "createdAt": "2026-12-02T10:00:00.000Z", "updatedAt": "2026-12-02T10:00:00.000Z"})))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The sign-in name.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub username: String,
    /// Whether the account manages tenants and accounts.
    pub platform_admin: bool,
    /// The tenants it belongs to, in tenant order.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub memberships: Vec<Membership>,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When it was last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
}

list!(
    AccountList,
    Account,
    "console accounts",
    "in username order"
);

/// A new console account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"username": "ada", "password": "a long passphrase", "platformAdmin": false})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountIn {
    /// The sign-in name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    pub username: String,
    /// At least 12 characters.
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub password: String,
    /// Whether the account manages tenants and accounts (default `false`).
    #[serde(default)]
    pub platform_admin: bool,
}

/// A change to an account; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"password": "another long passphrase"})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountPatch {
    /// A new password (ends every session of the account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub password: Option<String>,
    /// Make or unmake a platform admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_admin: Option<bool>,
}

ignored_fields! {
    /// An account's membership of a tenant, as a client sets it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"role": "viewer"})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct MemberIn {
        /// The account: taken from the path; when present it must be the path's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub username: Option<String>,
        /// Its role in the tenant.
        pub role: MemberRole,
    }
}

impl MemberIn {
    /// A membership with `role`.
    pub fn new(role: MemberRole) -> Self {
        Self {
            username: None,
            role,
            created_at: None,
            updated_at: None,
            revision: None,
        }
    }
}

/// An account's membership of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"username": "ada", "role": "viewer",
    "createdAt": "2026-12-02T10:00:00.000Z", "updatedAt": "2026-12-02T10:00:00.000Z"})))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The account.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub username: String,
    /// Its role in the tenant.
    pub role: MemberRole,
    /// When it joined.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When its role last changed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
}

list!(
    MemberList,
    Member,
    "a tenant's console members",
    "in username order"
);

/// Username and password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"username": "ada", "password": "a long passphrase"})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignIn {
    /// The account's username.
    pub username: String,
    /// Its password.
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub password: String,
}

/// The signed-in account and the CSRF token of its session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Who is signed in.
    pub account: Account,
    /// Send as `X-CSRF-Token` with every state-changing request of this session.
    pub csrf_token: String,
}
