//! The lookups: effective permissions, the resources a user reaches, the users of a resource.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_api::{EffectivePermissions, HolderPage, ReachableResource, ReachableResourcePage};
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::extract::{Access, ApiPath, ApiQuery, Check};
use super::super::{ApiError, AppState, with_revision};
use super::{Users, invalid, parse_permission, parse_resource};

use super::super::wire::{effective_permission, holder, holder_grants};
use crate::domain::UserId;
use crate::service::{FieldError, PageRequest, TenantAccess};

/// `?minRevision=` of the lookups.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FreshnessParams {
    /// Never answer from data older than this revision.
    pub min_revision: Option<i64>,
}

/// `?permission=&under=&limit=&cursor=&minRevision=` of the resources lookup.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResourcesParams {
    /// The permission, concrete.
    pub permission: String,
    /// Only resources at or below this concrete URI.
    pub under: Option<String>,
    /// Items per page: 1 to 1,000, default 50.
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Never answer from data older than this revision.
    pub min_revision: Option<i64>,
}

/// `?permission=&limit=&cursor=&minRevision=` of the users lookup.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoldersParams {
    /// The permission, concrete.
    pub permission: String,
    /// Items per page: 1 to 1,000, default 50.
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Never answer from data older than this revision.
    pub min_revision: Option<i64>,
}

fn one<T>(result: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// What a user may do on a resource
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/users/{userId}/resources/{resourceUri}/permissions",
    tag = "decisions", operation_id = "effectivePermissions",
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded; `@token` for the subject of the `Portcullis-User-Token` header"),
        ("resourceUri" = String, Path, description = "The resource, URL-encoded"), FreshnessParams,
        ("Portcullis-User-Token" = Option<String>, Header, description = "A user's identity token, when the path names the user `@token`: the user is its verified subject")),
    responses((status = 200, description = "The user's permission entries on the resource", body = EffectivePermissions)))]
pub(super) async fn effective_permissions(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<FreshnessParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, user, resource) = path;
    let user = Users::new(&state, &access.tenant)
        .of_path(&user, &headers)
        .await?;
    permissions_answer(&state, &access, user, &resource, params.min_revision).await
}

/// The answer of an effective-permissions lookup (`/users/{userId}/…` and `/me/…`).
pub(super) async fn permissions_answer(
    state: &AppState,
    access: &TenantAccess,
    user: Result<UserId, FieldError>,
    resource: &str,
    min_revision: Option<i64>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let user = one(user, &mut errors);
    let resource = one(parse_resource(resource, "resourceUri"), &mut errors);
    let (Some(user), Some(resource)) = (user, resource) else {
        return Err(invalid(errors));
    };
    let (permissions, revision) = state
        .service
        .effective_permissions(access, &user, &resource, min_revision)
        .await?;
    let body = EffectivePermissions {
        user_id: user.to_string(),
        resource_uri: resource.to_string(),
        permissions: permissions.into_iter().map(effective_permission).collect(),
        revision,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// The resources on which a user holds a permission
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/users/{userId}/resources",
    tag = "decisions", operation_id = "userResources",
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded; `@token` for the subject of the `Portcullis-User-Token` header"), ResourcesParams,
        ("Portcullis-User-Token" = Option<String>, Header, description = "A user's identity token, when the path names the user `@token`: the user is its verified subject")),
    responses((status = 200, description = "Resource patterns, sorted; the user holds the permission on each and everything below it",
        body = ReachableResourcePage)))]
pub(super) async fn user_resources(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<ResourcesParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = Users::new(&state, &access.tenant)
        .of_path(&path.1, &headers)
        .await?;
    resources_answer(&state, &access, user, params).await
}

/// The answer of a reachable-resources lookup (`/users/{userId}/resources` and
/// `/me/resources`).
pub(super) async fn resources_answer(
    state: &AppState,
    access: &TenantAccess,
    user: Result<UserId, FieldError>,
    params: ResourcesParams,
) -> Result<Response, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    let mut errors = Vec::new();
    let user = one(user, &mut errors);
    let permission = one(
        parse_permission(&params.permission, "permission"),
        &mut errors,
    );
    let under = match params.under.as_deref().map(|u| parse_resource(u, "under")) {
        None => None,
        Some(Ok(under)) => Some(under),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
    };
    let (Some(user), Some(permission), true) = (user, permission, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let (found, revision) = state
        .service
        .resources_for(
            access,
            &user,
            &permission,
            under.as_ref(),
            &page,
            params.min_revision,
        )
        .await?;
    let body = ReachableResourcePage {
        items: found
            .items
            .into_iter()
            .map(|(resource_uri, grants)| ReachableResource {
                resource_uri,
                grants: holder_grants(grants),
            })
            .collect(),
        next_cursor: found.next_cursor,
        revision,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// The users who hold a permission on a resource
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/resources/{resourceUri}/users",
    tag = "decisions", operation_id = "resourceUsers",
    params(("tenantId" = String, Path, description = "The tenant"), ("resourceUri" = String, Path, description = "The resource, URL-encoded"), HoldersParams),
    responses((status = 200, description = "Users sorted by id, each with the records that give the permission", body = HolderPage)))]
pub(super) async fn resource_users(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<HoldersParams>,
) -> Result<Response, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    let mut errors = Vec::new();
    let resource = one(parse_resource(&path.1, "resourceUri"), &mut errors);
    let permission = one(
        parse_permission(&params.permission, "permission"),
        &mut errors,
    );
    let (Some(resource), Some(permission)) = (resource, permission) else {
        return Err(invalid(errors));
    };
    let (found, revision) = state
        .service
        .holders(&access, &resource, &permission, &page, params.min_revision)
        .await?;
    let body = HolderPage {
        items: found.items.into_iter().map(holder).collect(),
        next_cursor: found.next_cursor,
        revision,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}
