//! The one mechanism behind every tenant object (roles, groups, records, resources, users,
//! API keys): create, replace, get, list, delete, with validation, `If-Match`, referential
//! integrity, a new revision and an audit event per write.
//!
//! Each kind says only what differs: how its id is spelled, what it must satisfy and which
//! other objects it names ([`Kind`]); how it is stored is the store's ([`Table`]).
//! References are the database's foreign keys; a deletion still names what refuses it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{FieldError, Reference, ServiceError};
use super::{Actor, Page, PageRequest, Precondition, Service};
use crate::domain::{Group, IdError, Role, TenantId, Timestamp};
use crate::store::{AuditRecord, Naming, Stamped, Table, Which, WriteTx};

/// Objects naming one that is to be deleted, listed at most in the refusal.
const REFERRERS_SHOWN: usize = 100;

/// A reference from one object to another, with where in the document it stands.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The kind referred to.
    pub kind: &'static str,
    /// The id referred to.
    pub id: String,
    /// Where it is named (`statements[0].roles[1]`), for the error when it does not exist.
    pub field: String,
}

/// A kind of tenant object.
pub trait Kind: Table + Serialize + DeserializeOwned + Clone {
    /// The document field holding the id (`roleId`).
    const ID_FIELD: &'static str;
    /// Prefix of generated ids; `None` when the caller must always give the id.
    const ID_PREFIX: Option<&'static str>;

    /// The id the object carries, if any.
    fn id(&self) -> Option<&str>;

    /// The revision of the object's last change, as read from the store.
    fn revision(&self) -> Option<i64>;

    /// When the object was created, as read from the store.
    fn created_at(&self) -> Option<Timestamp>;

    /// Parses an id as given in a path or body, normalised.
    fn parse_id(id: &str) -> Result<String, IdError>;

    /// Content rules beyond the types: lengths, limits, required entries. Each problem is
    /// `(is_a_limit, field error)`.
    fn check(&self) -> Vec<(bool, FieldError)>;

    /// Objects this one names that must exist (roles, groups).
    fn required_refs(&self) -> Vec<Ref> {
        Vec::new()
    }

    /// Users this one names; they are registered if new.
    fn named_users(&self) -> Vec<String> {
        Vec::new()
    }
}

/// How a write treats an object that already exists, or does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// It must not exist yet (`POST`).
    Create,
    /// It must exist (`PUT` of a kind that cannot be created that way).
    Replace,
    /// Either (`PUT`).
    Upsert,
}

/// The outcome of a write.
#[derive(Debug, Clone)]
pub struct Written<K> {
    /// The object as stored.
    pub object: K,
    /// The tenant's new revision.
    pub revision: i64,
    /// Whether the write created the object.
    pub created: bool,
}

/// A write prepared inside its transaction, ready to commit.
pub(super) struct Prepared<K> {
    pub object: K,
    pub created: bool,
    pub audit: AuditRecord,
}

pub(super) fn check_limit(
    problems: &mut Vec<(bool, FieldError)>,
    field: &str,
    count: usize,
    limit: usize,
    what: &str,
) {
    if count > limit {
        problems.push((
            true,
            FieldError::new(
                field,
                format!("at most {limit} {what} are allowed, got {count}"),
            ),
        ));
    }
}

pub(super) fn check_text(
    problems: &mut Vec<(bool, FieldError)>,
    field: &str,
    text: &str,
    limit: usize,
    required: bool,
) {
    if required && text.trim().is_empty() {
        problems.push((false, FieldError::new(field, "must not be empty")));
    }
    let chars = text.chars().count();
    if chars > limit {
        problems.push((
            true,
            FieldError::new(
                field,
                format!("at most {limit} characters are allowed, got {chars}"),
            ),
        ));
    }
}

pub(super) fn corrupt(kind: &str, id: &str, error: impl std::fmt::Display) -> ServiceError {
    ServiceError::corrupt(format_args!("{kind} `{id}`"), error)
}

fn to_json<K: Kind>(object: &K) -> Option<String> {
    serde_json::to_string(object).ok()
}

/// Parses an id from a path, as a 400 when it is ill-formed.
pub fn path_id<K: Kind>(id: &str) -> Result<String, ServiceError> {
    K::parse_id(id).map_err(|e| ServiceError::bad_id(e.0))
}

/// Turns the problems found by a check into the error that refuses the request: 422
/// `limit_exceeded` when a limit is among them, `validation_failed` otherwise.
pub(super) fn refuse(problems: Vec<(bool, FieldError)>) -> Result<(), ServiceError> {
    if problems.is_empty() {
        return Ok(());
    }
    let limit = problems.iter().any(|(is_limit, _)| *is_limit);
    let errors = problems.into_iter().map(|(_, e)| e).collect();
    Err(if limit {
        ServiceError::LimitExceeded(errors)
    } else {
        ServiceError::Invalid(errors)
    })
}

/// An object as a request described it, and the fields of the request that could not be
/// read into it (they are left out of the object). A write refuses them together with every
/// other problem it finds in the object, so one answer names every mistake of a request.
#[derive(Debug, Clone)]
pub struct Parsed<K> {
    /// The object, without the fields in `errors`.
    pub object: K,
    /// The fields that could not be read.
    pub errors: Vec<FieldError>,
}

/// A list item's field (`groups[2]`) as its list and position.
fn list_position(field: &str) -> Option<(&str, usize)> {
    let (list, rest) = field.rsplit_once('[')?;
    Some((list, rest.strip_suffix(']')?.parse().ok()?))
}

/// Whether the object's list item `field` may be at another position in the request: an
/// item of its list was left out of the object (it is among `unread`) before it. The first
/// item left out sits at the request's position k, so an object item at position j is
/// past it exactly when k <= j.
fn shifted(field: &str, unread: &[(bool, FieldError)]) -> bool {
    let Some((list, index)) = list_position(field) else {
        return false;
    };
    unread
        .iter()
        .filter_map(|(_, e)| list_position(&e.field))
        .any(|(l, i)| l == list && i <= index)
}

/// Writes `object` under `id` (or its own or a generated id) inside `tx`. A request with
/// mistakes is refused with all of them: `unread` (the fields of the request that could not
/// be read into `object`, see [`Parsed`]), those the kind's checks refuse, the id, and the
/// roles or groups it names that do not exist.
pub(super) async fn put_in<K: Kind>(
    tx: &mut WriteTx,
    actor: &Actor,
    path_id: Option<&str>,
    (object, unread): (&K, Vec<FieldError>),
    mode: WriteMode,
    precondition: Precondition,
) -> Result<Prepared<K>, ServiceError> {
    // The first `unread_count` problems are the fields that could not be read.
    let unread_count = unread.len();
    let mut problems: Vec<(bool, FieldError)> = unread.into_iter().map(|e| (false, e)).collect();
    problems.extend(object.check());
    let mut invalid_id = |message: String| {
        if !problems.iter().any(|(_, e)| e.field == K::ID_FIELD) {
            problems.push((false, FieldError::new(K::ID_FIELD, message)));
        }
    };
    let body_id = object.id().and_then(|id| match K::parse_id(id) {
        Ok(id) => Some(id),
        Err(e) => {
            invalid_id(e.0);
            None
        }
    });
    let id = match (path_id, body_id) {
        (Some(path), Some(body)) if body != path => {
            invalid_id(format!(
                "`{body}` differs from the id in the path, `{path}`"
            ));
            path.to_owned()
        }
        (Some(path), _) => path.to_owned(),
        (None, Some(body)) => body,
        (None, None) => match K::ID_PREFIX {
            Some(prefix) => crate::domain::ObjectId::generate(prefix).to_string(),
            None => {
                invalid_id("is required".into());
                String::new()
            }
        },
    };
    if !problems.is_empty() {
        // The references too, so the answer names every mistake at once; but not one
        // whose position in its list the object no longer knows (an item before it could
        // not be read, so the object's list is shorter there).
        let unread = &problems[..unread_count];
        let refs: Vec<Ref> = object
            .required_refs()
            .into_iter()
            .filter(|r| !shifted(&r.field, unread))
            .collect();
        let missing = missing_refs(tx, &refs).await?;
        problems.extend(missing.into_iter().map(|e| (false, e)));
        refuse(problems)?;
    }

    let existing: Option<K> = tx.get::<K>(&id).await?;
    match (&existing, mode) {
        (Some(_), WriteMode::Create) => {
            return Err(ServiceError::AlreadyExists(format!(
                "{} `{id}` already exists",
                K::KIND
            )));
        }
        (None, WriteMode::Replace) => return Err(ServiceError::not_found(K::KIND, &id)),
        _ => {}
    }
    precondition.check(existing.as_ref().and_then(K::revision))?;

    let missing = missing_refs(tx, &object.required_refs()).await?;
    if !missing.is_empty() {
        return Err(ServiceError::Invalid(missing));
    }
    let mut users = object.named_users();
    users.sort();
    users.dedup();
    let user_ids: Vec<&str> = users.iter().map(String::as_str).collect();
    tx.ensure_users(&user_ids).await?;

    let stamp = tx.stamp(existing.as_ref().and_then(K::created_at), None);
    tx.write(
        &[Stamped {
            id: id.clone(),
            object: object.clone(),
            stamp,
        }],
        existing.is_none(),
    )
    .await?;
    let stored = object.clone().stamped(&id, stamp)?;
    Ok(Prepared {
        audit: AuditRecord {
            actor_kind: actor.kind.to_owned(),
            actor_id: actor.id.clone(),
            action: format!(
                "{}.{}",
                K::KIND,
                if existing.is_some() {
                    "update"
                } else {
                    "create"
                }
            ),
            target_kind: K::KIND.to_owned(),
            target_id: id,
            before: existing.as_ref().and_then(to_json),
            after: to_json(&stored),
        },
        object: stored,
        created: existing.is_none(),
    })
}

/// Those of `ids` that name no role (`kind` is `role`) or no group (otherwise): the two
/// kinds other objects refer to.
pub(super) async fn missing_named(
    tx: &mut WriteTx,
    kind: &str,
    ids: &[&str],
) -> Result<Vec<String>, ServiceError> {
    Ok(if kind == Role::KIND {
        tx.missing::<Role>(ids).await?
    } else {
        tx.missing::<Group>(ids).await?
    })
}

/// The field errors for references (`refs`) to roles and groups that do not exist.
pub(super) async fn missing_refs(
    tx: &mut WriteTx,
    refs: &[Ref],
) -> Result<Vec<FieldError>, ServiceError> {
    let mut errors = Vec::new();
    for kind in [Role::KIND, Group::KIND] {
        let ids: Vec<&str> = refs
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.id.as_str())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let missing = missing_named(tx, kind, &ids).await?;
        for reference in refs
            .iter()
            .filter(|r| r.kind == kind && missing.contains(&r.id))
        {
            errors.push(FieldError::new(
                &reference.field,
                format!("{kind} `{}` does not exist", reference.id),
            ));
        }
    }
    Ok(errors)
}

/// Deletes object `id` inside `tx`, refusing while other objects still name it.
pub(super) async fn delete_in<K: Kind>(
    tx: &mut WriteTx,
    actor: &Actor,
    id: &str,
    precondition: Precondition,
) -> Result<AuditRecord, ServiceError> {
    let Some(existing) = tx.get::<K>(id).await? else {
        return Err(ServiceError::not_found(K::KIND, id));
    };
    precondition.check(existing.revision())?;
    let (referrers, count) = tx.referrers(K::KIND, id, REFERRERS_SHOWN).await?;
    if count > 0 {
        let referrers: Vec<Reference> = referrers
            .into_iter()
            .map(|(kind, id)| Reference { kind, id })
            .collect();
        let names: Vec<String> = referrers
            .iter()
            .take(10)
            .map(|r| format!("{} `{}`", r.kind, r.id))
            .collect();
        return Err(ServiceError::InUse {
            detail: format!(
                "{} `{id}` is still named by {} object(s): {}{}; remove it from them first",
                K::KIND,
                count,
                names.join(", "),
                if count > names.len() as i64 {
                    ", …"
                } else {
                    ""
                }
            ),
            referrers,
        });
    }
    tx.delete::<K>(id).await?;
    let before = existing;
    Ok(AuditRecord {
        actor_kind: actor.kind.to_owned(),
        actor_id: actor.id.clone(),
        action: format!("{}.delete", K::KIND),
        target_kind: K::KIND.to_owned(),
        target_id: id.to_owned(),
        before: to_json(&before),
        after: None,
    })
}

impl Service {
    /// Opens a write transaction on a tenant the caller was authorized for.
    pub(super) async fn begin_write(&self, tenant: &TenantId) -> Result<WriteTx, ServiceError> {
        self.store
            .begin_write(tenant.as_str())
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant", tenant.as_str()))
    }

    /// Commits a write, then brings the tenant's decision index up to it: a write is
    /// acknowledged only once the next check on this process sees it.
    pub(super) async fn commit(
        &self,
        tenant: &TenantId,
        tx: WriteTx,
        audit: AuditRecord,
    ) -> Result<i64, ServiceError> {
        let revision = tx.commit(audit).await?;
        self.refresh_if_loaded(tenant.as_str()).await;
        Ok(revision)
    }

    /// Creates (`POST`), replaces or upserts (`PUT`) an object.
    pub async fn put_object<K: Kind>(
        &self,
        actor: &Actor,
        tenant: &TenantId,
        path_id: Option<&str>,
        parsed: Parsed<K>,
        mode: WriteMode,
        precondition: Precondition,
    ) -> Result<Written<K>, ServiceError> {
        let mut tx = self.begin_write(tenant).await?;
        let request = (&parsed.object, parsed.errors);
        let prepared = put_in(&mut tx, actor, path_id, request, mode, precondition).await?;
        let revision = self.commit(tenant, tx, prepared.audit).await?;
        Ok(Written {
            object: prepared.object,
            revision,
            created: prepared.created,
        })
    }

    /// Deletes an object. Returns the tenant's new revision.
    pub async fn delete_object<K: Kind>(
        &self,
        actor: &Actor,
        tenant: &TenantId,
        id: &str,
        precondition: Precondition,
    ) -> Result<i64, ServiceError> {
        let mut tx = self.begin_write(tenant).await?;
        let audit = delete_in::<K>(&mut tx, actor, id, precondition).await?;
        self.commit(tenant, tx, audit).await
    }

    /// One object.
    pub async fn get_object<K: Kind>(
        &self,
        tenant: &TenantId,
        id: &str,
    ) -> Result<K, ServiceError> {
        let mut found = self
            .store
            .read::<K>(tenant.as_str(), Which::One(id))
            .await?;
        found
            .pop()
            .ok_or_else(|| ServiceError::not_found(K::KIND, id))
    }

    /// A page of objects, in id order; with `naming`, only those whose list names it.
    pub async fn list_objects<K: Kind>(
        &self,
        tenant: &TenantId,
        page: &PageRequest,
        naming: Option<Naming<'_>>,
    ) -> Result<Page<K>, ServiceError> {
        let after = page.after()?;
        let which = match naming {
            Some(naming) => Which::Naming(after.as_deref(), page.limit + 1, naming),
            None => Which::After(after.as_deref(), page.limit + 1),
        };
        let objects = self.store.read::<K>(tenant.as_str(), which).await?;
        Page::from_rows(
            objects,
            page.limit,
            |object| object.id().unwrap_or_default().to_owned(),
            |object| Ok(object.clone()),
        )
    }
}
