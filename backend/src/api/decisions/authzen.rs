//! The OpenID AuthZEN evaluation API: the tenant as the Policy Decision Point.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::extract::{Access, ApiJson, Check};
use super::super::{ApiError, AppState, with_revision};
use super::{MAX_BATCH, invalid, parse_all, parse_query, too_many};

use crate::service::{CheckQuery, Consistency, FieldError};

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
pub(super) async fn authzen_evaluation(
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
pub(super) async fn authzen_evaluations(
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
