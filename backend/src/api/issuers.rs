//! `/v1/tenants/{tenantId}/issuers`: the identity providers whose tokens the tenant trusts
//! (SPEC §6). Reading them needs `read`, changing them `write`; a change is audited and in
//! force from its commit (the key cache of a changed issuer is dropped at once).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiPath, ApiQuery, Preconditions, Read, Write};
use super::wire::Wire;
use super::{ApiError, AppState, ListParams, deleted, single, written};
use crate::domain::Issuer;
use crate::service::{Kind, PageRequest, Precondition, WriteMode, path_id};

/// Register a trusted issuer
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/issuers", tag = "issuers", operation_id = "createIssuer",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = portcullis_api::IssuerIn,
    responses((status = 201, description = "Registered: its tokens are accepted from now on", body = portcullis_api::Issuer)))]
async fn create_issuer(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiJson(issuer): ApiJson<portcullis_api::IssuerIn>,
) -> Result<Response, ApiError> {
    let issuer = Issuer::parse(issuer);
    Ok(written(
        state
            .service
            .put_issuer(
                &access,
                None,
                issuer,
                WriteMode::Create,
                Precondition::default(),
            )
            .await?,
    ))
}

/// List trusted issuers
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/issuers", tag = "issuers", operation_id = "listIssuers",
    params(("tenantId" = String, Path, description = "The tenant"), ListParams),
    responses((status = 200, description = "One page, in id order", body = portcullis_api::IssuerList)))]
async fn list_issuers(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<portcullis_api::IssuerList>, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(Issuer::list(
        state
            .service
            .list_objects::<Issuer>(&access.tenant, &page, None)
            .await?,
    )))
}

/// Get a trusted issuer
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/issuers/{issuerId}", tag = "issuers", operation_id = "getIssuer",
    params(("tenantId" = String, Path, description = "The tenant"), ("issuerId" = String, Path, description = "The issuer's id")),
    responses((status = 200, description = "The issuer", body = portcullis_api::Issuer)))]
async fn get_issuer(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let id = path_id::<Issuer>(&path.1)?;
    let issuer = state
        .service
        .get_object::<Issuer>(&access.tenant, &id)
        .await?;
    let revision = issuer.revision();
    Ok(single(issuer.show(), revision))
}

/// Register or change a trusted issuer
#[utoipa::path(put, path = "/v1/tenants/{tenantId}/issuers/{issuerId}", tag = "issuers", operation_id = "putIssuer",
    params(("tenantId" = String, Path, description = "The tenant"), ("issuerId" = String, Path, description = "The issuer's id"),
        ("If-Match" = Option<String>, Header, description = "Change only if the issuer is at this revision")),
    request_body = portcullis_api::IssuerIn,
    responses((status = 200, description = "Changed", body = portcullis_api::Issuer),
        (status = 201, description = "Registered", body = portcullis_api::Issuer)))]
async fn put_issuer(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
    ApiJson(issuer): ApiJson<portcullis_api::IssuerIn>,
) -> Result<Response, ApiError> {
    let id = path_id::<Issuer>(&path.1)?;
    let issuer = Issuer::parse(issuer);
    Ok(written(
        state
            .service
            .put_issuer(&access, Some(&id), issuer, WriteMode::Upsert, precondition)
            .await?,
    ))
}

/// Remove a trusted issuer
#[utoipa::path(delete, path = "/v1/tenants/{tenantId}/issuers/{issuerId}", tag = "issuers", operation_id = "deleteIssuer",
    params(("tenantId" = String, Path, description = "The tenant"), ("issuerId" = String, Path, description = "The issuer's id"),
        ("If-Match" = Option<String>, Header, description = "Remove only if the issuer is at this revision")),
    responses((status = 200, description = "Removed: its tokens are refused from now on", body = super::Revision)))]
async fn delete_issuer(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
) -> Result<Response, ApiError> {
    let id = path_id::<Issuer>(&path.1)?;
    Ok(deleted(
        state
            .service
            .delete_issuer(&access, &id, precondition)
            .await?,
    ))
}

/// The issuer routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_issuer, list_issuers))
        .routes(routes!(get_issuer, put_issuer, delete_issuer))
}
