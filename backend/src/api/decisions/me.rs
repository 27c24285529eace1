//! The `/me` forms of the decisions (SPEC §6): the caller is a user, proving who they are
//! with an identity token from an issuer the tenant trusts, and asks about themselves only.
//! The token is the bearer credential; no API key is needed. These are the only endpoints
//! an identity token reaches.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_api::{CheckResponse, EffectivePermissions, MeCheckRequest, ReachableResourcePage};

use super::super::extract::{ApiJson, ApiPath, ApiQuery, EndUser};
use super::super::wire::{consistency, explanation};
use super::super::{ApiError, AppState, with_revision};
use super::lookups::{FreshnessParams, ResourcesParams, permissions_answer, resources_answer};
use super::{invalid, parse_query};
use crate::domain::UserId;
use crate::service::{Principal, TenantAccess};

/// The user the token named.
fn me(access: &TenantAccess) -> Result<UserId, ApiError> {
    match &access.principal {
        Principal::EndUser(user) => Ok(user.user.clone()),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send the user's identity token",
        )),
    }
}

/// Check a permission of the token's user
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/me/check", tag = "me", operation_id = "meCheck",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = MeCheckRequest,
    security(("identityToken" = [])),
    responses((status = 200, description = "The decision for the token's user: a deny is a normal answer", body = CheckResponse)))]
pub(super) async fn me_check(
    State(state): State<AppState>,
    EndUser(access): EndUser,
    ApiJson(request): ApiJson<MeCheckRequest>,
) -> Result<Response, ApiError> {
    let user = me(&access)?;
    let query = parse_query(
        Ok(user.as_str()),
        &request.resource_uri,
        &request.permission,
        request.explain,
        "",
    )
    .map_err(invalid)?;
    let (mut decisions, revision) = state
        .service
        .check(
            &access,
            &[query],
            request.min_revision,
            consistency(request.consistency),
        )
        .await?;
    let decision = decisions.pop().ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "no decision",
        )
    })?;
    let body = CheckResponse {
        allowed: decision.allowed,
        revision,
        explanation: decision.explanation.map(explanation),
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// What the token's user may do on a resource
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/me/resources/{resourceUri}/permissions",
    tag = "me", operation_id = "mePermissions",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("resourceUri" = String, Path, description = "The resource, URL-encoded"), FreshnessParams),
    security(("identityToken" = [])),
    responses((status = 200, description = "The user's permission entries on the resource", body = EffectivePermissions)))]
pub(super) async fn me_permissions(
    State(state): State<AppState>,
    EndUser(access): EndUser,
    ApiPath(path): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<FreshnessParams>,
) -> Result<Response, ApiError> {
    let user = me(&access)?;
    permissions_answer(&state, &access, Ok(user), &path.1, params.min_revision).await
}

/// The resources on which the token's user holds a permission
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/me/resources",
    tag = "me", operation_id = "meResources",
    params(("tenantId" = String, Path, description = "The tenant"), ResourcesParams),
    security(("identityToken" = [])),
    responses((status = 200, description = "Resource patterns, sorted; the user holds the permission on each and everything below it",
        body = ReachableResourcePage)))]
pub(super) async fn me_resources(
    State(state): State<AppState>,
    EndUser(access): EndUser,
    ApiQuery(params): ApiQuery<ResourcesParams>,
) -> Result<Response, ApiError> {
    let user = me(&access)?;
    resources_answer(&state, &access, Ok(user), params).await
}
