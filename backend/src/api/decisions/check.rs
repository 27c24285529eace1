//! `check`, `check/batch` and the Authress-style permission URL.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::extract::{Access, ApiJson, ApiPath, Check};
use super::super::{ApiError, AppState, with_revision};
use super::{MAX_BATCH, invalid, parse_all, parse_query, too_many};

use crate::engine::Explanation;
use crate::service::Consistency;

/// May a user do something on a resource?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:read", "explain": true}))]
pub struct CheckRequest {
    /// The user (the `sub` of your user's token).
    pub user_id: String,
    /// The resource, concrete (no `*`).
    pub resource_uri: String,
    /// The permission, concrete (no `*`).
    pub permission: String,
    /// Explain the answer: what granted it, or why each record naming the user did not.
    #[serde(default)]
    pub explain: bool,
    /// Never answer from data older than this revision (the `revision` of a write).
    pub min_revision: Option<i64>,
    /// `fullyConsistent` (default) or `minimizeLatency`.
    #[serde(default)]
    pub consistency: Consistency,
}

/// The answer to a check.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"allowed": true, "revision": 42}))]
pub struct CheckResponse {
    /// Whether the user may.
    pub allowed: bool,
    /// The tenant revision the answer was computed at.
    pub revision: i64,
    /// Why, when `explain` was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// One check of a batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchCheck {
    /// The user.
    pub user_id: String,
    /// The resource, concrete.
    pub resource_uri: String,
    /// The permission, concrete.
    pub permission: String,
    /// Explain this answer.
    #[serde(default)]
    pub explain: bool,
}

/// Many checks, answered together at one revision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"checks": [
    {"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:read"},
    {"userId": "ada", "resourceUri": "/orgs/acme/documents/d1", "permission": "documents:delete"}]}))]
pub struct BatchRequest {
    /// Up to 1,000 checks.
    pub checks: Vec<BatchCheck>,
    /// Never answer from data older than this revision.
    pub min_revision: Option<i64>,
    /// `fullyConsistent` (default) or `minimizeLatency`.
    #[serde(default)]
    pub consistency: Consistency,
}

/// One answer of a batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Whether the user may.
    pub allowed: bool,
    /// Why, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// The answers of a batch, in request order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"results": [{"allowed": true}, {"allowed": false}], "revision": 42}))]
pub struct BatchResponse {
    /// One per check, in request order.
    pub results: Vec<BatchResult>,
    /// The tenant revision every answer was computed at.
    pub revision: i64,
}

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
    let query = parse_query(
        &request.user_id,
        &request.resource_uri,
        &request.permission,
        request.explain,
        "",
    )
    .map_err(invalid)?;
    let (mut decisions, revision) = state
        .service
        .check(&access, &[query], request.min_revision, request.consistency)
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
        explanation: decision.explanation,
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
    let queries = parse_all(request.checks.iter().enumerate().map(|(i, item)| {
        let prefix = format!("checks[{i}].");
        parse_query(
            &item.user_id,
            &item.resource_uri,
            &item.permission,
            item.explain,
            &prefix,
        )
    }))?;
    let (decisions, revision) = state
        .service
        .check(&access, &queries, request.min_revision, request.consistency)
        .await?;
    let results = decisions
        .into_iter()
        .map(|d| BatchResult {
            allowed: d.allowed,
            explanation: d.explanation,
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
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded"),
        ("resourceUri" = String, Path, description = "The resource, URL-encoded: `%2Forgs%2Facme`"),
        ("permission" = String, Path, description = "The permission")),
    responses((status = 200, description = "The user holds the permission", body = CheckResponse)))]
pub(super) async fn authorize_user(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let (_, user, resource, permission) = path;
    let query = parse_query(&user, &resource, &permission, false, "").map_err(invalid)?;
    let (decisions, revision) = state
        .service
        .check(&access, &[query], None, Consistency::default())
        .await?;
    let allowed = decisions.first().is_some_and(|d| d.allowed);
    let response = if allowed {
        Json(CheckResponse {
            allowed,
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
