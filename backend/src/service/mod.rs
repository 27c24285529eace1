//! The use-cases: who is calling, may they, is the request valid, and the write in one
//! transaction (data, revision, audit event). Handlers call these; they never see SQL.

mod access;
mod accounts;
mod api_keys;
mod audit;
mod decisions;
mod delegation;
mod error;
mod issuers;
mod kinds;
mod objects;
mod tenants;
mod transfer;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Which audit events to list.
pub use crate::store::AuditFilter as AuditQuery;
pub use access::{EndUserPrincipal, Principal, TenantAccess};
pub use accounts::{AccountPrincipal, MIN_PASSWORD_CHARS, role_has_scope};
pub use audit::TARGET_KINDS;
pub use decisions::{CheckQuery, Consistency, EngineStats};
pub use error::{FieldError, Reference, ServiceError};
pub use issuers::MAX_ISSUERS;
pub use objects::{Kind, Parsed, WriteMode, Written, path_id};
pub use transfer::{Export, IMPORT_MAX_BYTES, Import};

use crate::store::Store;

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `platformAdmin`, `apiKey` or `account`.
    pub kind: &'static str,
    /// `platform` for the admin token, the key's id for a key, the username for an account.
    pub id: String,
}

/// What `If-Match` / `If-None-Match` asked of the object's current state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Precondition {
    /// `If-Match`: `Some(None)` for `*` (must exist), `Some(Some(n))` for revision `n`.
    pub if_match: Option<Option<i64>>,
    /// `If-None-Match: *`: the object must not exist yet.
    pub if_none_match_any: bool,
}

impl Precondition {
    /// Refuses with 412 when the object's current revision (`None`: it does not exist) does
    /// not satisfy the precondition.
    pub fn check(&self, current: Option<i64>) -> Result<(), ServiceError> {
        let matches = match (self.if_match, current) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(None), Some(_)) => true,
            (Some(Some(wanted)), Some(current)) => wanted == current,
        };
        if !matches || (self.if_none_match_any && current.is_some()) {
            return Err(ServiceError::PreconditionFailed {
                current: current.unwrap_or(0),
            });
        }
        Ok(())
    }
}

/// Which page of a list to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items at most.
    pub limit: usize,
    /// The opaque cursor of the previous page's `nextCursor`.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Items per page when the caller names no limit.
    pub const DEFAULT_LIMIT: usize = 50;
    /// The largest page.
    pub const MAX_LIMIT: usize = 1000;

    /// Checks the limit and keeps the cursor.
    pub fn new(limit: Option<usize>, cursor: Option<String>) -> Result<Self, ServiceError> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::BadRequest {
                code: "invalid_parameter",
                detail: format!(
                    "`limit` must be between 1 and {}, got {limit}",
                    Self::MAX_LIMIT
                ),
            });
        }
        Ok(Self { limit, cursor })
    }

    /// The sort key the cursor stands for.
    pub(crate) fn after(&self) -> Result<Option<String>, ServiceError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn decode_cursor(cursor: &str) -> Result<String, ServiceError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        // A cursor is only ever a key this server wrote, and no key holds a control
        // character (SPEC §1); a forged one never reaches the database.
        .filter(|key| crate::domain::text::first_control(key).is_none())
        .ok_or_else(|| ServiceError::BadRequest {
            code: "invalid_cursor",
            detail: "the cursor is not one this server issued; start again without it".into(),
        })
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items, in a stable order.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only says there is more.
    pub(crate) fn from_rows<R>(
        mut rows: Vec<R>,
        limit: usize,
        key: impl Fn(&R) -> String,
        convert: impl Fn(&R) -> Result<T, ServiceError>,
    ) -> Result<Self, ServiceError> {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|row| encode_cursor(&key(row)))
        } else {
            None
        };
        let items = rows.iter().map(convert).collect::<Result<_, _>>()?;
        Ok(Self { items, next_cursor })
    }
}

/// The use-cases, over one store.
#[derive(Debug)]
pub struct Service {
    store: Store,
    admin_token_hash: Option<String>,
    indexes: decisions::Indexes,
    keys: access::KeyCache,
    /// Trusted issuers' public keys, fetched and cached (SPEC §6).
    issuer_keys: std::sync::Arc<crate::identity::jwks::KeyCache>,
    cluster: bool,
}

impl Service {
    /// A service over `store`; `admin_token_hash` is the SHA-256 of the platform admin token;
    /// `cluster`: other processes may write to the same database.
    pub fn new(store: Store, admin_token_hash: Option<String>, cluster: bool) -> Self {
        Self {
            store,
            admin_token_hash,
            indexes: decisions::Indexes::default(),
            keys: access::KeyCache::new(cluster),
            issuer_keys: std::sync::Arc::new(crate::identity::jwks::KeyCache::new()),
            cluster,
        }
    }

    /// The store, for health checks.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
