//! `check`, `check/batch` and the Authress-style permission URL.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_api::{BatchRequest, BatchResponse, BatchResult, CheckRequest, CheckResponse};

use super::super::extract::{Access, ApiJson, ApiPath, Check};
use super::super::wire::{consistency, explanation};
use super::super::{ApiError, AppState, with_revision};
use super::{MAX_BATCH, TOKEN_USER, Users, invalid, parse_all, parse_query, too_many};

use crate::service::{CheckQuery, Consistency, TenantAccess};

/// Check a permission
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/check", tag = "decisions", operation_id = "check",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = CheckRequest,
    responses((status = 200, description = "The decision: a deny is a normal answer", body = CheckResponse)))]
pub(super) async fn check(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiJson(request): ApiJson<CheckRequest>,
) -> Result<Response, ApiError> {
    let user = Users::new(&state, &access.tenant)
        .resolve(
            request.user_id.as_deref(),
            request.user_token.as_deref(),
            "",
        )
        .await?;
    let query = parse_query(
        user.as_deref().map_err(Clone::clone),
        &request.resource_uri,
        &request.permission,
        request.explain,
        "",
    )
    .map_err(invalid)?;
    answer(
        &state,
        &access,
        query,
        request.user_token.is_some(),
        request.min_revision,
        request.consistency,
    )
    .await
}

/// The answer to one check (`/check` and `/me/check`); `by_token`: the question named its
/// user by an identity token, and the answer says whom it named.
pub(super) async fn answer(
    state: &AppState,
    access: &TenantAccess,
    query: CheckQuery,
    by_token: bool,
    min_revision: Option<i64>,
    freshness: portcullis_api::Consistency,
) -> Result<Response, ApiError> {
    let user_id = by_token.then(|| query.user.to_string());
    let (mut decisions, revision) = state
        .service
        .check(access, &[query], min_revision, consistency(freshness))
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
        user_id,
        revision,
        explanation: decision.explanation.map(explanation),
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// Check many permissions at once
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/check/batch", tag = "decisions", operation_id = "checkBatch",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = BatchRequest,
    responses((status = 200, description = "The decisions, in request order", body = BatchResponse)))]
pub(super) async fn check_batch(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<Response, ApiError> {
    if request.checks.len() > MAX_BATCH {
        return Err(too_many("checks", request.checks.len()));
    }
    let mut users = Users::new(&state, &access.tenant);
    let mut named = Vec::with_capacity(request.checks.len());
    for (i, item) in request.checks.iter().enumerate() {
        let prefix = format!("checks[{i}].");
        named.push(
            users
                .resolve(item.user_id.as_deref(), item.user_token.as_deref(), &prefix)
                .await?,
        );
    }
    let queries = parse_all(request.checks.iter().zip(&named).enumerate().map(
        |(i, (item, user))| {
            let prefix = format!("checks[{i}].");
            parse_query(
                user.as_deref().map_err(Clone::clone),
                &item.resource_uri,
                &item.permission,
                item.explain,
                &prefix,
            )
        },
    ))?;
    let (decisions, revision) = state
        .service
        .check(
            &access,
            &queries,
            request.min_revision,
            consistency(request.consistency),
        )
        .await?;
    let results = decisions
        .into_iter()
        .zip(request.checks.iter().zip(&named))
        .map(|(d, (item, user))| BatchResult {
            allowed: d.allowed,
            user_id: item
                .user_token
                .is_some()
                .then(|| user.as_ref().ok().cloned())
                .flatten(),
            explanation: d.explanation.map(explanation),
        })
        .collect();
    Ok(with_revision(
        Json(BatchResponse { results, revision }).into_response(),
        revision,
    ))
}

/// Whether a user holds a permission on a resource (Authress-compatible)
///
/// 200 when the user holds it, 404 when not. The resource URI is URL-encoded.
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/users/{userId}/resources/{resourceUri}/permissions/{permission}",
    tag = "decisions", operation_id = "authorizeUser",
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded; `@token` for the subject of the `Portcullis-User-Token` header"),
        ("resourceUri" = String, Path, description = "The resource, URL-encoded: `%2Forgs%2Facme`"),
        ("permission" = String, Path, description = "The permission"),
        ("Portcullis-User-Token" = Option<String>, Header, description = "A user's identity token, when the path names the user `@token`: the user is its verified subject")),
    responses((status = 200, description = "The user holds the permission", body = CheckResponse)))]
pub(super) async fn authorize_user(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, path_user, resource, permission) = path;
    let user = Users::new(&state, &access.tenant)
        .of_path(&path_user, &headers)
        .await?
        .map(|user| user.to_string());
    let by_token = path_user == TOKEN_USER;
    let query = parse_query(
        user.as_deref().map_err(Clone::clone),
        &resource,
        &permission,
        false,
        "",
    )
    .map_err(invalid)?;
    let user_id = by_token.then(|| query.user.to_string());
    let (decisions, revision) = state
        .service
        .check(&access, &[query], None, Consistency::default())
        .await?;
    let allowed = decisions.first().is_some_and(|d| d.allowed);
    let response = if allowed {
        Json(CheckResponse {
            allowed,
            user_id,
            revision,
            explanation: None,
        })
        .into_response()
    } else {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_allowed",
            format!("the user does not hold `{permission}` on `{resource}`"),
        )
        .into_response()
    };
    Ok(with_revision(response, revision))
}
