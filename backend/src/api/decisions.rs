//! The decision endpoints: check, batch check, the Authress-style permission URL and the
//! OpenID AuthZEN evaluation API. All need the `check` scope; every answer names the
//! revision it was computed at (`revision`, and the `Portcullis-Revision` header).
//!
//! A requested user, resource or permission that is malformed, or a resource or permission
//! containing `*`, is a 400 `invalid_check` naming the field.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiPath, ApiQuery, Check};
use super::{ApiError, AppState, with_revision};
use crate::domain::{Action, ResourcePattern, UserId};
use crate::engine::{EffectivePermission, Explanation, Holder};
use crate::service::{CheckQuery, Consistency, FieldError, PageRequest};

/// The most checks in one batch.
pub const MAX_BATCH: usize = 1000;

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

fn parse_user(user: &str, field: &str) -> Result<UserId, FieldError> {
    UserId::parse(user).map_err(|e| FieldError::new(field, e.0))
}

fn parse_resource(resource: &str, field: &str) -> Result<ResourcePattern, FieldError> {
    match ResourcePattern::parse(resource) {
        Ok(r) if r.is_wildcard() => Err(FieldError::new(
            field,
            "a resource asked about is concrete: no `*` segments",
        )),
        Ok(r) => Ok(r),
        Err(e) => Err(FieldError::new(field, e.0)),
    }
}

fn parse_permission(permission: &str, field: &str) -> Result<Action, FieldError> {
    match Action::parse(permission) {
        Ok(p) if p.is_wildcard() => Err(FieldError::new(
            field,
            "a permission asked about is concrete: no `*` segments",
        )),
        Ok(p) => Ok(p),
        Err(e) => Err(FieldError::new(field, e.0)),
    }
}

fn parse_query(
    user: &str,
    resource: &str,
    permission: &str,
    explain: bool,
    prefix: &str,
) -> Result<CheckQuery, Vec<FieldError>> {
    let user = parse_user(user, &format!("{prefix}userId"));
    let resource = parse_resource(resource, &format!("{prefix}resourceUri"));
    let permission = parse_permission(permission, &format!("{prefix}permission"));
    match (user, resource, permission) {
        (Ok(user), Ok(resource), Ok(permission)) => Ok(CheckQuery {
            user,
            resource,
            permission,
            explain,
        }),
        (user, resource, permission) => Err([user.err(), resource.err(), permission.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_check",
        "the check is not well formed",
    )
    .with_errors(errors)
}

/// Every query of a batch, or one 400 naming every field that is wrong.
fn parse_all(
    parsed: impl Iterator<Item = Result<CheckQuery, Vec<FieldError>>>,
) -> Result<Vec<CheckQuery>, ApiError> {
    let mut queries = Vec::new();
    let mut errors = Vec::new();
    for result in parsed {
        match result {
            Ok(query) => queries.push(query),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if errors.is_empty() {
        Ok(queries)
    } else {
        Err(invalid(errors))
    }
}

/// 422 `limit_exceeded` for a batch larger than [`MAX_BATCH`].
fn too_many(field: &str, count: usize) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "limit_exceeded",
        "too many questions in one request",
    )
    .with_errors(vec![FieldError::new(
        field,
        format!("at most {MAX_BATCH} are allowed, got {count}"),
    )])
}

/// Check a permission
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/check", tag = "decisions", operation_id = "check",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = CheckRequest,
    responses((status = 200, description = "The decision: a deny is a normal answer", body = CheckResponse)))]
async fn check(
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
async fn check_batch(
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
async fn authorize_user(
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

/// An AuthZEN subject, resource or action. Its other fields (`type`, `properties`) are
/// accepted and not interpreted: the id names the user or resource by itself.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AuthzenEntity {
    /// The subject's user id, or the resource's URI.
    pub id: Option<String>,
    /// The action's name: the permission.
    pub name: Option<String>,
}

/// An AuthZEN access evaluation request. A `context` is accepted and not used.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"subject": {"type": "user", "id": "ada"}, "resource": {"type": "document", "id": "/orgs/acme/documents/d1"}, "action": {"name": "documents:read"}}))]
pub struct AuthzenEvaluation {
    /// `id`: the user.
    pub subject: Option<AuthzenEntity>,
    /// `id`: the resource URI.
    pub resource: Option<AuthzenEntity>,
    /// `name`: the permission.
    pub action: Option<AuthzenEntity>,
}

/// An AuthZEN decision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"decision": true, "context": {"revision": 42}}))]
pub struct AuthzenDecision {
    /// Whether the subject may perform the action on the resource.
    pub decision: bool,
    /// `revision`: the tenant revision of the answer.
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
}

/// Several AuthZEN evaluations; top-level subject, resource and action are defaults.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"subject": {"type": "user", "id": "ada"}, "action": {"name": "documents:read"},
    "evaluations": [{"resource": {"type": "document", "id": "/orgs/acme/documents/d1"}}, {"resource": {"type": "document", "id": "/orgs/acme/documents/d2"}}]}))]
pub struct AuthzenEvaluations {
    /// Default subject.
    pub subject: Option<AuthzenEntity>,
    /// Default resource.
    pub resource: Option<AuthzenEntity>,
    /// Default action.
    pub action: Option<AuthzenEntity>,
    /// The evaluations (up to 1,000).
    #[serde(default)]
    pub evaluations: Vec<AuthzenEvaluation>,
}

/// The AuthZEN decisions, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthzenDecisions {
    /// One per evaluation.
    pub evaluations: Vec<AuthzenDecision>,
}

fn authzen_query(
    evaluation: &AuthzenEvaluation,
    defaults: Option<&AuthzenEvaluations>,
    prefix: &str,
) -> Result<CheckQuery, Vec<FieldError>> {
    let pick = |own: &Option<AuthzenEntity>, default: Option<&Option<AuthzenEntity>>| {
        own.clone().or_else(|| default.and_then(|d| d.clone()))
    };
    let subject = pick(&evaluation.subject, defaults.map(|d| &d.subject));
    let resource = pick(&evaluation.resource, defaults.map(|d| &d.resource));
    let action = pick(&evaluation.action, defaults.map(|d| &d.action));
    let mut missing = Vec::new();
    let user = subject.and_then(|s| s.id);
    let uri = resource.and_then(|r| r.id);
    let name = action.and_then(|a| a.name);
    for (value, field) in [
        (&user, "subject.id"),
        (&uri, "resource.id"),
        (&name, "action.name"),
    ] {
        if value.is_none() {
            missing.push(FieldError::new(format!("{prefix}{field}"), "is required"));
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let rename = |mut errors: Vec<FieldError>| {
        for error in &mut errors {
            error.field = error
                .field
                .replace("userId", "subject.id")
                .replace("resourceUri", "resource.id")
                .replace("permission", "action.name");
        }
        errors
    };
    parse_query(
        user.as_deref().unwrap_or_default(),
        uri.as_deref().unwrap_or_default(),
        name.as_deref().unwrap_or_default(),
        false,
        prefix,
    )
    .map_err(rename)
}

/// Evaluate access (OpenID AuthZEN 1.0)
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/evaluation", tag = "decisions", operation_id = "authzenEvaluation",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = AuthzenEvaluation,
    responses((status = 200, description = "The decision", body = AuthzenDecision)))]
async fn authzen_evaluation(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiJson(request): ApiJson<AuthzenEvaluation>,
) -> Result<Response, ApiError> {
    let query = authzen_query(&request, None, "").map_err(invalid)?;
    let (decisions, revision) = state
        .service
        .check(&access, &[query], None, Consistency::default())
        .await?;
    let body = AuthzenDecision {
        decision: decisions.first().is_some_and(|d| d.allowed),
        context: serde_json::json!({ "revision": revision }),
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// Evaluate many accesses (OpenID AuthZEN 1.0)
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/evaluations", tag = "decisions", operation_id = "authzenEvaluations",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = AuthzenEvaluations,
    responses((status = 200, description = "The decisions, in request order", body = AuthzenDecisions)))]
async fn authzen_evaluations(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiJson(request): ApiJson<AuthzenEvaluations>,
) -> Result<Response, ApiError> {
    if request.evaluations.len() > MAX_BATCH {
        return Err(too_many("evaluations", request.evaluations.len()));
    }
    // Without `evaluations`, the request is a single evaluation of its top-level fields.
    let single = [AuthzenEvaluation {
        subject: None,
        resource: None,
        action: None,
    }];
    let (items, prefix): (&[AuthzenEvaluation], bool) = if request.evaluations.is_empty() {
        (&single, false)
    } else {
        (&request.evaluations, true)
    };
    let queries = parse_all(items.iter().enumerate().map(|(i, evaluation)| {
        let field = if prefix {
            format!("evaluations[{i}].")
        } else {
            String::new()
        };
        authzen_query(evaluation, Some(&request), &field)
    }))?;
    let (decisions, revision) = state
        .service
        .check(&access, &queries, None, Consistency::default())
        .await?;
    let evaluations = decisions
        .into_iter()
        .map(|d| AuthzenDecision {
            decision: d.allowed,
            context: serde_json::json!({ "revision": revision }),
        })
        .collect();
    Ok(with_revision(
        Json(AuthzenDecisions { evaluations }).into_response(),
        revision,
    ))
}

/// What a user may do on a resource.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"userId": "ada", "resourceUri": "/orgs/acme/documents/d1",
    "permissions": [{"action": "documents:*", "allow": true, "grant": false, "delegate": false}], "revision": 42}))]
pub struct EffectivePermissions {
    /// The user.
    pub user_id: String,
    /// The resource.
    pub resource_uri: String,
    /// Every permission entry the user holds there, merged by action.
    pub permissions: Vec<EffectivePermission>,
    /// The tenant revision of the answer.
    pub revision: i64,
}

/// A page of a lookup, with the revision it was computed at.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LookupPage<T: ToSchema> {
    /// The items, sorted.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The tenant revision of the answer. Pages fetched later may reflect later revisions.
    pub revision: i64,
}

/// A resource pattern on which the user holds the permission.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReachableResource {
    /// The pattern: the user holds the permission on it and everything below it.
    pub resource_uri: String,
}

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
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded"),
        ("resourceUri" = String, Path, description = "The resource, URL-encoded"), FreshnessParams),
    responses((status = 200, description = "The user's permission entries on the resource", body = EffectivePermissions)))]
async fn effective_permissions(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<FreshnessParams>,
) -> Result<Response, ApiError> {
    let (_, user, resource) = path;
    let mut errors = Vec::new();
    let user = one(parse_user(&user, "userId"), &mut errors);
    let resource = one(parse_resource(&resource, "resourceUri"), &mut errors);
    let (Some(user), Some(resource)) = (user, resource) else {
        return Err(invalid(errors));
    };
    let (permissions, revision) = state
        .service
        .effective_permissions(&access, &user, &resource, params.min_revision)
        .await?;
    let body = EffectivePermissions {
        user_id: user.to_string(),
        resource_uri: resource.to_string(),
        permissions,
        revision,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// The resources on which a user holds a permission
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/users/{userId}/resources",
    tag = "decisions", operation_id = "userResources",
    params(("tenantId" = String, Path, description = "The tenant"), ("userId" = String, Path, description = "The user, URL-encoded"), ResourcesParams),
    responses((status = 200, description = "Resource patterns, sorted; the user holds the permission on each and everything below it",
        body = LookupPage<ReachableResource>)))]
async fn user_resources(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    ApiPath(path): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<ResourcesParams>,
) -> Result<Response, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    let mut errors = Vec::new();
    let user = one(parse_user(&path.1, "userId"), &mut errors);
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
            &access,
            &user,
            &permission,
            under.as_ref(),
            &page,
            params.min_revision,
        )
        .await?;
    let body = LookupPage {
        items: found
            .items
            .into_iter()
            .map(|resource_uri| ReachableResource { resource_uri })
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
    responses((status = 200, description = "Users sorted by id, each with the records that give the permission", body = LookupPage<Holder>)))]
async fn resource_users(
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
    let body = LookupPage {
        items: found.items,
        next_cursor: found.next_cursor,
        revision,
    };
    Ok(with_revision(Json(body).into_response(), revision))
}

/// The decision routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(effective_permissions))
        .routes(routes!(user_resources))
        .routes(routes!(resource_users))
        .routes(routes!(check))
        .routes(routes!(check_batch))
        .routes(routes!(authorize_user))
        .routes(routes!(authzen_evaluation))
        .routes(routes!(authzen_evaluations))
}
