//! Tenants on the wire: created, listed, renamed and summed up.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

ignored_fields! {
    /// A new tenant.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[cfg_attr(feature = "openapi", schema(example = json!({"tenantId": "acme", "name": "Acme Inc."})))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct TenantIn {
        /// The tenant's slug, used in every path: 1 to 64 lower-case letters, digits and
        /// `-`, starting with a letter.
        pub tenant_id: String,
        /// A name for people.
        pub name: String,
    }
}

/// A tenant: the unit of isolation. Nothing is shared between tenants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"tenantId": "acme", "name": "Acme Inc.",
    "createdAt": "2026-12-02T10:00:00.000Z", "updatedAt": "2026-12-02T10:00:00.000Z", "revision": 1})))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The tenant's slug, used in every path.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub tenant_id: String,
    /// A name for people.
    pub name: String,
    /// When the tenant was created.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub created_at: String,
    /// When the tenant was last renamed.
    #[cfg_attr(feature = "openapi", schema(read_only, format = DateTime))]
    pub updated_at: String,
    /// The tenant's current revision: it grows by one with every change in the tenant.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub revision: i64,
}

list!(TenantList, Tenant, "tenants");

/// The fields of a tenant that can change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Acme Corporation"})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantPatch {
    /// A new name.
    pub name: String,
}

/// A tenant at a glance: what the console's overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"tenantId": "acme", "name": "Acme Inc.", "revision": 42,
    "counts": {"role": 3, "group": 2, "record": 10, "resource": 4, "user": 25, "apiKey": 2, "member": 3}})))]
#[serde(rename_all = "camelCase")]
pub struct TenantSummary {
    /// The tenant.
    pub tenant_id: String,
    /// Its name.
    pub name: String,
    /// Its current revision.
    pub revision: i64,
    /// How many objects of each kind it holds (`role`, `group`, `record`, `resource`,
    /// `user`, `apiKey`) and how many console members it has (`member`); every kind is
    /// present, with 0 when there is none.
    pub counts: BTreeMap<String, i64>,
}

impl TenantSummary {
    /// How many of `kind` the tenant holds (0 for a kind it does not count).
    pub fn count(&self, kind: &str) -> i64 {
        self.counts.get(kind).copied().unwrap_or_default()
    }
}
