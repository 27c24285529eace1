//! The AuthZEN search APIs (`access/v1/search/{subject,resource,action}`), answered by the
//! lookups, so they follow groups and every record in force, and page with the lookups'
//! cursors (`page.token`, `page.next_token`; an empty `next_token` ends).
//!
//! - **Subjects**: the users who hold the action on the resource. For subject type `user`
//!   every holder, as its userId; for another type `t`, the holders whose userId is `t:id`,
//!   answered as `id` (see the mapping in `authzen.rs`). A page filtered so may hold fewer
//!   results than `limit` and still have a next one.
//! - **Resources**: the resources of the type asked (`/{type}/{id}`, mapped back to their
//!   ids) on which the subject holds the action: each one a record names by itself, and,
//!   when the subject holds the action on every resource of the type (a grant on
//!   `/{type}/*`, `/{type}` or above), each one registered as a resource config
//!   (`PUT /resources/{uri}`, or the import). Portcullis knows no other ids an application
//!   has: register the resources a wildcard grant should list. A grant on something below
//!   a resource (`/{type}/{id}/part`) does not list the resource. A resource whose AuthZEN
//!   id is a Portcullis URI is not under `/{type}` and is not found by type either.
//! - **Actions**: the permissions the subject holds on the resource, as the roles state
//!   them (lower case); an entry with `*` (`documents:*`) names no one action and is left
//!   out. All in one page.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use portcullis_api::{
    AuthzenAction, AuthzenActionResults, AuthzenEntity, AuthzenEntityResults, AuthzenPage,
    AuthzenSearch,
};

use super::super::extract::{Access, Check};
use super::super::{ApiError, AppState, with_revision};
use super::authzen::{
    AuthzenJson, escape_segment, mapped_resource, subject_user, unescape_segment, verified_subject,
};
use super::{Users, invalid, parse_permission, parse_user};

use crate::domain::ResourcePattern;
use crate::service::{FieldError, PageRequest, TenantAccess};

/// The parts of a search a handler needs (`subject.type`, `subject.id`, `resource.type`,
/// `resource.id`, `action.name`), each required: their values, or a 400 naming every one
/// missing.
fn parts<'a, const N: usize>(
    search: &'a AuthzenSearch,
    wanted: [&str; N],
) -> Result<[&'a str; N], ApiError> {
    let mut errors = Vec::new();
    let values = wanted.map(|field| {
        let value = match field {
            "subject.type" => search
                .question
                .subject
                .as_ref()
                .and_then(|s| s.kind.as_deref()),
            "subject.id" => search
                .question
                .subject
                .as_ref()
                .and_then(|s| s.id.as_deref()),
            "resource.type" => search
                .question
                .resource
                .as_ref()
                .and_then(|r| r.kind.as_deref()),
            "resource.id" => search
                .question
                .resource
                .as_ref()
                .and_then(|r| r.id.as_deref()),
            "action.name" => search
                .question
                .action
                .as_ref()
                .and_then(|a| a.name.as_deref()),
            _ => None,
        };
        let value = value.filter(|v| !v.is_empty());
        if value.is_none() {
            errors.push(FieldError::new(field, "is required"));
        }
        value.unwrap_or_default()
    });
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(invalid(errors))
    }
}

/// `search` with its subject's identity token (if it is one) replaced by the user it names.
async fn with_verified_subject(
    state: &AppState,
    access: &TenantAccess,
    mut search: AuthzenSearch,
) -> Result<AuthzenSearch, ApiError> {
    let mut users = Users::new(state, &access.tenant);
    search.question.subject =
        verified_subject(&mut users, search.question.subject.as_ref(), "subject.id").await?;
    Ok(search)
}

fn page_of(search: &AuthzenSearch) -> Result<PageRequest, ApiError> {
    let page = search.page.as_ref();
    Ok(PageRequest::new(
        page.and_then(|p| p.limit),
        page.and_then(|p| p.token.clone()).filter(|t| !t.is_empty()),
    )?)
}

/// A page of subjects or resources found, at `revision`; `next_cursor` the lookup's.
fn entity_results(
    results: Vec<AuthzenEntity>,
    next_cursor: Option<String>,
    revision: i64,
) -> Response {
    let body = AuthzenEntityResults {
        page: AuthzenPage {
            next_token: next_cursor.unwrap_or_default(),
            count: results.len(),
        },
        results,
    };
    with_revision(Json(body).into_response(), revision)
}

fn entity(kind: &str, id: String) -> AuthzenEntity {
    AuthzenEntity {
        kind: Some(kind.to_owned()),
        id: Some(id),
        properties: None,
    }
}

/// Search subjects (OpenID AuthZEN 1.0)
///
/// The subjects of `subject.type` that may perform the action on the resource, following
/// groups; paged.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/search/subject", tag = "authzen", operation_id = "authzenSearchSubject",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    request_body = AuthzenSearch,
    responses((status = 200, description = "The subjects found", body = AuthzenEntityResults)))]
pub(super) async fn search_subject(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    AuthzenJson(search): AuthzenJson<AuthzenSearch>,
) -> Result<Response, ApiError> {
    let page = page_of(&search)?;
    let [subject_type, resource_type, resource_id, name] = parts(
        &search,
        [
            "subject.type",
            "resource.type",
            "resource.id",
            "action.name",
        ],
    )?;
    let resource = mapped_resource(resource_type, resource_id, "resource.id");
    let permission = parse_permission(name, "action.name");
    let (resource, permission) = match (resource, permission) {
        (Ok(resource), Ok(permission)) => (resource, permission),
        (resource, permission) => {
            return Err(invalid(
                [resource.err(), permission.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
    };
    let (found, revision) = state
        .service
        .holders(&access, &resource, &permission, &page, None)
        .await?;
    let prefix = format!("{subject_type}:");
    let results: Vec<AuthzenEntity> = found
        .items
        .into_iter()
        .filter_map(|holder| {
            let id = if subject_type == "user" {
                holder.user_id
            } else {
                holder.user_id.strip_prefix(&prefix)?.to_owned()
            };
            Some(entity(subject_type, id))
        })
        .collect();
    Ok(entity_results(results, found.next_cursor, revision))
}

/// Search resources (OpenID AuthZEN 1.0)
///
/// The resources of `resource.type` on which the subject may perform the action: those
/// records name one by one, and, where the subject holds the action on every resource of
/// the type, those registered as resource configs; paged.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/search/resource", tag = "authzen", operation_id = "authzenSearchResource",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    request_body = AuthzenSearch,
    responses((status = 200, description = "The resources found", body = AuthzenEntityResults)))]
pub(super) async fn search_resource(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    AuthzenJson(search): AuthzenJson<AuthzenSearch>,
) -> Result<Response, ApiError> {
    let search = with_verified_subject(&state, &access, search).await?;
    let page = page_of(&search)?;
    let [subject_type, subject_id, resource_type, name] = parts(
        &search,
        ["subject.type", "subject.id", "resource.type", "action.name"],
    )?;
    let user = parse_user(&subject_user(subject_type, subject_id), "subject.id");
    let permission = parse_permission(name, "action.name");
    let under = ResourcePattern::parse(&format!("/{}", escape_segment(resource_type)))
        .map_err(|e| FieldError::new("resource.type", e.0));
    let (user, permission, under) = match (user, permission, under) {
        (Ok(user), Ok(permission), Ok(under)) => (user, permission, under),
        (user, permission, under) => {
            return Err(invalid(
                [user.err(), permission.err(), under.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
    };
    let (found, revision) = state
        .service
        .children_for(&access, &user, &permission, &under, &page, None)
        .await?;
    let prefix = format!("{}/", under.as_str());
    let results: Vec<AuthzenEntity> = found
        .items
        .into_iter()
        .filter_map(|uri| {
            let segment = uri.strip_prefix(&prefix)?;
            Some(entity(resource_type, unescape_segment(segment)?))
        })
        .collect();
    Ok(entity_results(results, found.next_cursor, revision))
}

/// Search actions (OpenID AuthZEN 1.0)
///
/// The actions the subject may perform on the resource: the permissions its roles there
/// allow, those without `*`; one page.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/search/action", tag = "authzen", operation_id = "authzenSearchAction",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    request_body = AuthzenSearch,
    responses((status = 200, description = "The actions found", body = AuthzenActionResults)))]
pub(super) async fn search_action(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    AuthzenJson(search): AuthzenJson<AuthzenSearch>,
) -> Result<Response, ApiError> {
    let search = with_verified_subject(&state, &access, search).await?;
    let [subject_type, subject_id, resource_type, resource_id] = parts(
        &search,
        ["subject.type", "subject.id", "resource.type", "resource.id"],
    )?;
    let user = parse_user(&subject_user(subject_type, subject_id), "subject.id");
    let resource = mapped_resource(resource_type, resource_id, "resource.id");
    let (user, resource) = match (user, resource) {
        (Ok(user), Ok(resource)) => (user, resource),
        (user, resource) => {
            return Err(invalid(
                [user.err(), resource.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let (permissions, revision) = state
        .service
        .effective_permissions(&access, &user, &resource, None)
        .await?;
    let results: Vec<AuthzenAction> = permissions
        .into_iter()
        .filter(|p| p.allow && !p.action.split(':').any(|s| s == "*"))
        .map(|p| AuthzenAction {
            name: Some(p.action),
            properties: None,
        })
        .collect();
    let body = AuthzenActionResults {
        page: AuthzenPage {
            next_token: String::new(),
            count: results.len(),
        },
        results,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}
