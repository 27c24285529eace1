//! `/v1/tenants/{tenantId}/audit`: the tenant's change log, newest first.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiQuery, Read};
use portcullis_api::AuditEventList;

use super::{ApiError, AppState};
use crate::domain::Timestamp;
use crate::service::{AuditQuery, FieldError, PageRequest, TARGET_KINDS};

/// Filters and paging of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only changes by this actor: `platform`, or an API key's id.
    pub actor: Option<String>,
    /// Only this action (`role.update`), or a family of them ending in `.` (`role.`).
    pub action: Option<String>,
    /// Only changes to objects of this kind: `tenant`, `member`, `role`, `group`, `record`, `resource`, `user`, `apiKey`, `issuer`.
    pub target_kind: Option<String>,
    /// Only changes to the object with this id.
    pub target_id: Option<String>,
    /// Only changes at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// Only changes before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// List audit events, newest first
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/audit", tag = "audit", operation_id = "listAuditEvents",
    params(("tenantId" = String, Path, description = "The tenant"), AuditParams),
    responses((status = 200, description = "One page of events, newest first", body = AuditEventList)))]
async fn list_audit(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditEventList>, ApiError> {
    // A kind no event can have would match nothing: a typo, said as one.
    if let Some(kind) = params
        .target_kind
        .as_deref()
        .filter(|kind| !TARGET_KINDS.contains(kind))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "the query parameter `targetKind` is not valid",
        )
        .with_errors(vec![FieldError::new(
            "targetKind",
            format!(
                "`{kind}` is not a kind of object; use one of {}",
                TARGET_KINDS.join(", ")
            ),
        )]));
    }
    let page = PageRequest::new(params.limit, params.cursor)?;
    let query = AuditQuery {
        actor: params.actor,
        action: params.action,
        target_kind: params.target_kind,
        target_id: params.target_id,
        from: params.from,
        to: params.to,
    };
    Ok(Json(
        state
            .service
            .list_audit(&access, query, &page)
            .await?
            .into(),
    ))
}

/// The audit route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}
