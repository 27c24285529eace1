//! Who is calling, and what they may reach.
//!
//! A credential of one tenant asking about another gets exactly the 404 a missing tenant
//! gets, so nothing about other tenants can be learnt from the answer.

use crate::auth::{ADMIN_TOKEN_PREFIX, API_KEY_PREFIX, secret_hash};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::domain::{Scope, TenantId, Timestamp, UserId, now};

use super::accounts::AccountPrincipal;
use super::{Actor, Service, ServiceError};

/// How often `lastUsedAt` of a key is written at most, in milliseconds.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// With `cluster` set, how long a cached key is trusted before it is read again: a key
/// changed or revoked through another process is in force here within this time. Changes
/// made through this process apply at once.
const CLUSTER_KEY_TTL: Duration = Duration::from_secs(1);

/// An API key as authentication needs it, kept in memory by the SHA-256 of its secret.
#[derive(Debug, Clone)]
pub(super) struct CachedKey {
    /// Who the key is, shared with every request it authenticates (no copies per request).
    principal: Arc<KeyPrincipal>,
    expires_at: Option<Timestamp>,
    cached_at: Instant,
    last_used_at: Option<Timestamp>,
}

/// The API keys that authenticated recently: one hash-map lookup per request instead of a
/// database read. Unknown secrets are not remembered, so guessing cannot fill memory.
#[derive(Debug)]
pub(super) struct KeyCache {
    by_hash: RwLock<HashMap<String, CachedKey>>,
    ttl: Option<Duration>,
    /// Bumped by every `forget`: a key read from the database before a change committed
    /// is not cached after it.
    generation: AtomicU64,
}

impl KeyCache {
    /// A cache whose entries live for ever (`None`: this process makes every change) or `ttl`.
    pub(super) fn new(cluster: bool) -> Self {
        Self {
            by_hash: RwLock::default(),
            ttl: cluster.then_some(CLUSTER_KEY_TTL),
            generation: AtomicU64::new(0),
        }
    }

    fn get(&self, hash: &str) -> Option<CachedKey> {
        let keys = self.by_hash.read().unwrap_or_else(|e| e.into_inner());
        keys.get(hash)
            .filter(|key| self.ttl.is_none_or(|ttl| key.cached_at.elapsed() < ttl))
            .cloned()
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Caches a key read at `generation`, unless a key changed since.
    fn insert(&self, hash: String, key: CachedKey, generation: u64) -> CachedKey {
        let mut keys = self.by_hash.write().unwrap_or_else(|e| e.into_inner());
        if self.generation() == generation {
            keys.insert(hash, key.clone());
        }
        key
    }

    fn touched(&self, hash: &str, at: Timestamp) {
        let mut keys = self.by_hash.write().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = keys.get_mut(hash) {
            key.last_used_at = Some(at);
        }
    }

    /// Forgets a key that was changed or revoked (`None`: every key of the tenant).
    pub(super) fn forget(&self, tenant: &str, key_id: Option<&str>) {
        let mut keys = self.by_hash.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        keys.retain(|_, key| {
            key.principal.tenant != tenant || key_id.is_some_and(|id| id != key.principal.key_id)
        });
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The holder of the platform admin token: every tenant, every scope.
    PlatformAdmin,
    /// A tenant API key.
    ApiKey(Arc<KeyPrincipal>),
    /// A console account signed in with a session.
    Account(AccountPrincipal),
    /// The bearer of a user's identity token, verified for one tenant: it reaches only the
    /// `/me` endpoints, which build their access themselves ([`Service::end_user_access`]);
    /// it holds no scope, so [`Service::authorize`] lets it nowhere.
    EndUser(Arc<EndUserPrincipal>),
}

/// A user who proved who they are with an identity token (of the tenant of the access
/// it is in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUserPrincipal {
    /// The token's `sub`.
    pub user: UserId,
    /// `tenant/user/{sub}`: the user's own bucket in the rate limiter.
    pub limit_key: String,
}

/// A tenant API key, as the requests it authenticates see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPrincipal {
    /// The key's tenant.
    pub tenant: String,
    /// The key's id.
    pub key_id: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// `tenant/keyId`: the key's own bucket in the rate limiter.
    pub limit_key: String,
}

impl KeyPrincipal {
    /// The principal of key `key_id` of `tenant`.
    pub fn new(tenant: String, key_id: String, scopes: Vec<Scope>) -> Self {
        let limit_key = format!("{tenant}/{key_id}");
        Self {
            tenant,
            key_id,
            scopes,
            limit_key,
        }
    }
}

impl Principal {
    /// The actor this principal's writes are recorded as.
    pub fn actor(&self) -> Actor {
        match self {
            Principal::PlatformAdmin => Actor {
                kind: "platformAdmin",
                id: "platform".into(),
            },
            Principal::ApiKey(key) => Actor {
                kind: "apiKey",
                id: key.key_id.clone(),
            },
            Principal::Account(account) => Actor {
                kind: "account",
                id: account.username.clone(),
            },
            Principal::EndUser(user) => Actor {
                kind: "user",
                id: user.user.to_string(),
            },
        }
    }

    /// Whether the principal manages tenants and accounts.
    pub fn is_platform_admin(&self) -> bool {
        match self {
            Principal::PlatformAdmin => true,
            Principal::Account(account) => account.platform_admin,
            Principal::ApiKey(_) | Principal::EndUser(_) => false,
        }
    }

    /// Whether the principal holds `scope` in `tenant` (`write` implies `read`; platform
    /// admins hold all; an account what its role there gives).
    pub fn has_scope(&self, tenant: &str, scope: Scope) -> bool {
        match self {
            Principal::ApiKey(key) => {
                key.scopes.contains(&scope)
                    || (scope == Scope::Read && key.scopes.contains(&Scope::Write))
            }
            Principal::Account(account) if !account.platform_admin => account
                .role_in(tenant)
                .is_some_and(|role| super::accounts::role_has_scope(role, scope)),
            Principal::PlatformAdmin | Principal::Account(_) => true,
            Principal::EndUser(_) => false,
        }
    }
}

/// Proof that a principal may act on one tenant with one scope. Tenant-scoped use-cases
/// take it, so none can be reached without passing [`Service::authorize`].
#[derive(Debug, Clone)]
pub struct TenantAccess {
    /// The tenant.
    pub tenant: TenantId,
    /// Who is acting.
    pub principal: Principal,
}

impl TenantAccess {
    /// The actor for the audit log.
    pub fn actor(&self) -> Actor {
        self.principal.actor()
    }

    /// The user, when the access is a user's own (an identity token's).
    pub fn end_user(&self) -> Option<&UserId> {
        match &self.principal {
            Principal::EndUser(user) => Some(&user.user),
            _ => None,
        }
    }
}

fn unauthenticated() -> ServiceError {
    ServiceError::Unauthenticated("the bearer token is not a valid Portcullis credential".into())
}

impl Service {
    /// Finds the principal behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ServiceError> {
        let hash = secret_hash(token);
        if token.starts_with(ADMIN_TOKEN_PREFIX) {
            return match &self.admin_token_hash {
                Some(admin) if *admin == hash => Ok(Principal::PlatformAdmin),
                _ => Err(unauthenticated()),
            };
        }
        if !token.starts_with(API_KEY_PREFIX) {
            return Err(unauthenticated());
        }
        let key = match self.keys.get(&hash) {
            Some(key) => key,
            None => {
                let generation = self.keys.generation();
                let Some(row) = self.store.api_key_by_hash(&hash).await? else {
                    return Err(unauthenticated());
                };
                let settings = row.key;
                let key_id = settings
                    .key_id
                    .as_ref()
                    .map(|id| id.to_string())
                    .unwrap_or_default();
                self.keys.insert(
                    hash.clone(),
                    CachedKey {
                        principal: Arc::new(KeyPrincipal::new(
                            row.tenant_id,
                            key_id,
                            settings.scopes,
                        )),
                        expires_at: settings.expires_at,
                        cached_at: Instant::now(),
                        last_used_at: row.last_used_at,
                    },
                    generation,
                )
            }
        };
        let at = now();
        if key.expires_at.is_some_and(|expiry| expiry <= at) {
            return Err(ServiceError::Unauthenticated(
                "the API key has expired".into(),
            ));
        }
        if key
            .last_used_at
            .is_none_or(|last| at.millis() - last.millis() >= LAST_USED_RESOLUTION_MS)
        {
            self.keys.touched(&hash, at);
            // Bookkeeping off the request's path: a failure here must not fail the request.
            let store = self.store.clone();
            tokio::spawn(async move {
                if let Err(error) = store.touch_api_key(&hash, at).await {
                    tracing::warn!(%error, "could not record the last use of an API key");
                }
            });
        }
        Ok(Principal::ApiKey(key.principal))
    }

    /// Lets `principal` act on `tenant` with `scope`: 404 when the tenant does not exist or
    /// is not the principal's, 403 when the scope is missing.
    pub async fn authorize(
        &self,
        principal: &Principal,
        tenant: &str,
        scope: Scope,
    ) -> Result<TenantAccess, ServiceError> {
        let not_found = || ServiceError::not_found("tenant", tenant);
        let tenant_id = TenantId::parse(tenant).map_err(|_| not_found())?;
        match principal {
            Principal::ApiKey(key) if key.tenant != tenant => return Err(not_found()),
            Principal::ApiKey(_) => {}
            // Reaches only its own tenant's `/me` endpoints, which do not come here.
            Principal::EndUser(_) => return Err(not_found()),
            // Memberships are read with the account on every request; a member's tenant
            // exists (deleting a tenant deletes its memberships).
            Principal::Account(account) if !account.platform_admin => {
                if account.role_in(tenant).is_none() {
                    return Err(not_found());
                }
            }
            // The platform admin may act in any tenant that exists. A tenant whose decision
            // index this process holds exists (deleting one drops its index) unless another
            // process may have deleted it: only then, or without an index, is it read.
            Principal::PlatformAdmin | Principal::Account(_) => {
                if !self.serves_tenant(tenant) && self.store.get_tenant(tenant).await?.is_none() {
                    return Err(not_found());
                }
            }
        }
        if !principal.has_scope(tenant, scope) {
            let holder = match principal {
                Principal::Account(_) => "your role in this tenant",
                Principal::EndUser(_) => "an identity token",
                _ => "the API key",
            };
            return Err(ServiceError::Forbidden(format!(
                "{holder} lacks the `{}` scope",
                serde_json::to_value(scope)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )));
        }
        Ok(TenantAccess {
            tenant: tenant_id,
            principal: principal.clone(),
        })
    }

    /// The access of the bearer of `token`, a user's identity token for `tenant` (the
    /// `/me` endpoints), and the user: the token verified as
    /// [`Service::verify_user_token`] does.
    pub async fn end_user_access(
        &self,
        tenant: &str,
        token: &str,
    ) -> Result<(TenantAccess, UserId), ServiceError> {
        // A tenant id that cannot exist trusts no issuer: the same 401 as any other.
        let tenant_id = TenantId::parse(tenant)
            .map_err(|_| ServiceError::from(crate::identity::TokenError::IssuerUntrusted))?;
        let user = self.verify_user_token(&tenant_id, token).await?;
        let limit_key = format!("{tenant}/user/{user}");
        let access = TenantAccess {
            tenant: tenant_id,
            principal: Principal::EndUser(Arc::new(EndUserPrincipal {
                user: user.clone(),
                limit_key,
            })),
        };
        Ok((access, user))
    }

    /// Lets only the platform admin through.
    pub fn require_platform_admin(&self, principal: &Principal) -> Result<Actor, ServiceError> {
        if principal.is_platform_admin() {
            Ok(principal.actor())
        } else {
            Err(ServiceError::Forbidden(
                "only platform admins manage tenants and accounts".into(),
            ))
        }
    }
}
