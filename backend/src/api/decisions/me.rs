//! The `/me` endpoints (SPEC §6): the caller is a user, proving who they are with an
//! identity token from an issuer the tenant trusts. They ask about themselves only
//! (check, permissions, resources) and write the records they may give (`/me/records`,
//! end-user delegation). The token is the bearer credential; no API key is needed. These
//! are the only endpoints an identity token reaches.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use portcullis_api::{CheckResponse, EffectivePermissions, MeCheckRequest, ReachableResourcePage};

use super::super::extract::{ApiJson, ApiPath, ApiQuery, EndUser, Preconditions};
use super::super::wire::Wire;
use super::super::{ApiError, AppState, ListParams, deleted, written};
use super::lookups::{FreshnessParams, ResourcesParams, permissions_answer, resources_answer};
use super::{invalid, parse_query};
use crate::domain::AccessRecord;
use crate::service::{PageRequest, path_id};

/// Check a permission of the token's user
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/me/check", tag = "me", operation_id = "meCheck",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = MeCheckRequest,
    security(("identityToken" = [])),
    responses((status = 200, description = "The decision for the token's user: a deny is a normal answer", body = CheckResponse)))]
pub(super) async fn me_check(
    State(state): State<AppState>,
    EndUser { access, user }: EndUser,
    ApiJson(request): ApiJson<MeCheckRequest>,
) -> Result<Response, ApiError> {
    let query = parse_query(
        Ok(user.as_str()),
        &request.resource_uri,
        &request.permission,
        request.explain,
        "",
    )
    .map_err(invalid)?;
    super::check::answer(
        &state,
        &access,
        query,
        true,
        request.min_revision,
        request.consistency,
    )
    .await
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
    EndUser { access, user }: EndUser,
    ApiPath(path): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<FreshnessParams>,
) -> Result<Response, ApiError> {
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
    EndUser { access, user }: EndUser,
    ApiQuery(params): ApiQuery<ResourcesParams>,
) -> Result<Response, ApiError> {
    resources_answer(&state, &access, Ok(user), params).await
}

/// Give others access, as far as you may (end-user delegation)
///
/// The record may give `allow` of an action only on resources where you hold `grant` (or
/// `delegate`) of it, and `grant` only where you hold `delegate`; never `delegate`.
/// Resources are concrete. Anything beyond is a 403 `delegation_exceeded` whose `errors`
/// name each statement's role and resource and what it needs.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/me/records", tag = "me", operation_id = "meCreateRecord",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = portcullis_api::RecordIn,
    security(("identityToken" = [])),
    responses((status = 201, description = "Written, with you as its author (`delegatedBy`) and as the actor of its audit event", body = portcullis_api::Record)))]
pub(super) async fn me_create_record(
    State(state): State<AppState>,
    EndUser { access, .. }: EndUser,
    ApiJson(record): ApiJson<portcullis_api::RecordIn>,
) -> Result<Response, ApiError> {
    let record = AccessRecord::parse(record);
    Ok(written(
        state
            .service
            .create_delegated_record(&access, record)
            .await?,
    ))
}

/// The records you wrote
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/me/records", tag = "me", operation_id = "meListRecords",
    params(("tenantId" = String, Path, description = "The tenant"), ListParams),
    security(("identityToken" = [])),
    responses((status = 200, description = "One page of the records you wrote, in id order", body = portcullis_api::RecordList)))]
pub(super) async fn me_list_records(
    State(state): State<AppState>,
    EndUser { access, .. }: EndUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<portcullis_api::RecordList>, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(AccessRecord::list(
        state.service.list_delegated_records(&access, &page).await?,
    )))
}

/// Take back a record you wrote
#[utoipa::path(delete, path = "/v1/tenants/{tenantId}/me/records/{recordId}", tag = "me", operation_id = "meDeleteRecord",
    params(("tenantId" = String, Path, description = "The tenant"), ("recordId" = String, Path, description = "A record you wrote"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the record is at this revision")),
    security(("identityToken" = [])),
    responses((status = 200, description = "Deleted: what it gave is gone from the next request on", body = super::super::Revision)))]
pub(super) async fn me_delete_record(
    State(state): State<AppState>,
    EndUser { access, .. }: EndUser,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
) -> Result<Response, ApiError> {
    let id = path_id::<AccessRecord>(&path.1)?;
    Ok(deleted(
        state
            .service
            .delete_delegated_record(&access, &id, precondition)
            .await?,
    ))
}
