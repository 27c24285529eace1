//! `/v1/tenants`: created, listed, renamed and deleted by the platform admin. A tenant's
//! own API key may read its tenant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_api::{Tenant, TenantIn, TenantList, TenantPatch, TenantSummary};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiQuery, Caller, Preconditions, Read, Write};
use super::{ApiError, AppState, ListParams, single, with_revision};
use crate::service::PageRequest;

/// Create a tenant
#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", operation_id = "createTenant",
    request_body = TenantIn,
    responses((status = 201, description = "Created at revision 1", body = Tenant)))]
async fn create_tenant(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiJson(tenant): ApiJson<TenantIn>,
) -> Result<Response, ApiError> {
    let actor = state.service.require_platform_admin(&principal)?;
    let tenant = state.service.create_tenant(&actor, tenant).await?;
    let revision = tenant.revision;
    let response = (StatusCode::CREATED, single(tenant, Some(revision))).into_response();
    Ok(with_revision(response, revision))
}

/// List tenants
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", operation_id = "listTenants",
    params(ListParams),
    responses((status = 200, description = "One page, in id order", body = TenantList)))]
async fn list_tenants(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<TenantList>, ApiError> {
    state.service.require_platform_admin(&principal)?;
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(state.service.list_tenants(&page).await?.into()))
}

/// Get a tenant
#[utoipa::path(get, path = "/v1/tenants/{tenantId}", tag = "tenants", operation_id = "getTenant",
    params(("tenantId" = String, Path, description = "The tenant")),
    responses((status = 200, description = "The tenant; `ETag` carries its revision", body = Tenant)))]
async fn get_tenant(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
) -> Result<Response, ApiError> {
    let tenant = state.service.get_tenant(&access).await?;
    let revision = tenant.revision;
    Ok(single(tenant, Some(revision)))
}

/// A tenant at a glance
///
/// Its revision and how many roles, groups, records, resources, users, API keys and console
/// members it holds.
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/summary", tag = "tenants", operation_id = "getTenantSummary",
    params(("tenantId" = String, Path, description = "The tenant")),
    responses((status = 200, description = "The summary", body = TenantSummary)))]
async fn tenant_summary(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
) -> Result<Response, ApiError> {
    let summary = state.service.tenant_summary(&access).await?;
    let revision = summary.revision;
    Ok(with_revision(Json(summary).into_response(), revision))
}

/// Rename a tenant
#[utoipa::path(patch, path = "/v1/tenants/{tenantId}", tag = "tenants", operation_id = "updateTenant",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("If-Match" = Option<String>, Header, description = "Change only if the tenant is at this revision")),
    request_body = TenantPatch,
    responses((status = 200, description = "Renamed", body = Tenant)))]
async fn update_tenant(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    Preconditions(precondition): Preconditions,
    ApiJson(patch): ApiJson<TenantPatch>,
) -> Result<Response, ApiError> {
    state.service.require_platform_admin(&access.principal)?;
    let tenant = state
        .service
        .rename_tenant(&access, &patch.name, precondition)
        .await?;
    let revision = tenant.revision;
    Ok(with_revision(single(tenant, Some(revision)), revision))
}

/// Delete a tenant and everything in it
#[utoipa::path(delete, path = "/v1/tenants/{tenantId}", tag = "tenants", operation_id = "deleteTenant",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the tenant is at this revision")),
    responses((status = 204, description = "Deleted, with all its roles, groups, records, keys and audit log")))]
async fn delete_tenant(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    Preconditions(precondition): Preconditions,
) -> Result<StatusCode, ApiError> {
    state.service.require_platform_admin(&access.principal)?;
    state.service.delete_tenant(&access, precondition).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant, list_tenants))
        .routes(routes!(get_tenant, update_tenant, delete_tenant))
        .routes(routes!(tenant_summary))
}
