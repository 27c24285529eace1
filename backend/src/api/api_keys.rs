//! `/v1/tenants/{tenantId}/api-keys`: keys are created with `POST` (the secret is in that
//! answer only), changed with `PUT`, revoked with `DELETE`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiPath, ApiQuery, Preconditions, Read, Write};
use super::wire::Wire;
use super::{ApiError, AppState, ListParams, deleted, single, written};
use crate::domain::ApiKey;
use crate::service::{Kind, PageRequest, path_id};

/// Create an API key (the secret is shown once)
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/api-keys", tag = "api-keys", operation_id = "createApiKey",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body = portcullis_api::ApiKeyIn,
    responses((status = 201, description = "Created; `secret` is in this answer and never again", body = portcullis_api::ApiKey,
        example = json!({"keyId": "key_4f1c2a9e0b7d3e6f8a21", "name": "checkout service", "scopes": ["check"],
            "secret": "pc_3c2b…", "createdAt": "2026-11-23T21:17:38.123Z", "updatedAt": "2026-11-23T21:17:38.123Z", "revision": 7}))))]
async fn create_api_key(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiJson(key): ApiJson<portcullis_api::ApiKeyIn>,
) -> Result<Response, ApiError> {
    let key = ApiKey::parse(key);
    Ok(written(state.service.create_api_key(&access, key).await?))
}

/// List API keys
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/api-keys", tag = "api-keys", operation_id = "listApiKeys",
    params(("tenantId" = String, Path, description = "The tenant"), ListParams),
    responses((status = 200, description = "One page, in id order", body = portcullis_api::ApiKeyList)))]
async fn list_api_keys(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<portcullis_api::ApiKeyList>, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(ApiKey::list(
        state.service.list_api_keys(&access, &page).await?,
    )))
}

/// Get an API key
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/api-keys/{keyId}", tag = "api-keys", operation_id = "getApiKey",
    params(("tenantId" = String, Path, description = "The tenant"), ("keyId" = String, Path, description = "The key's id")),
    responses((status = 200, description = "The key, without its secret", body = portcullis_api::ApiKey)))]
async fn get_api_key(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let id = path.1;
    let key = state
        .service
        .get_api_key(&access, &path_id::<ApiKey>(&id)?)
        .await?;
    let revision = key.revision();
    Ok(single(key.show(), revision))
}

/// Change an API key's name, scopes or expiry
#[utoipa::path(put, path = "/v1/tenants/{tenantId}/api-keys/{keyId}", tag = "api-keys", operation_id = "putApiKey",
    params(("tenantId" = String, Path, description = "The tenant"), ("keyId" = String, Path, description = "The key's id"),
        ("If-Match" = Option<String>, Header, description = "Change only if the key is at this revision")),
    request_body = portcullis_api::ApiKeyIn,
    responses((status = 200, description = "Changed; the secret stays the same", body = portcullis_api::ApiKey)))]
async fn put_api_key(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
    ApiJson(key): ApiJson<portcullis_api::ApiKeyIn>,
) -> Result<Response, ApiError> {
    let id = path.1;
    let id = path_id::<ApiKey>(&id)?;
    let key = ApiKey::parse(key);
    Ok(written(
        state
            .service
            .replace_api_key(&access, &id, key, precondition)
            .await?,
    ))
}

/// Revoke an API key
#[utoipa::path(delete, path = "/v1/tenants/{tenantId}/api-keys/{keyId}", tag = "api-keys", operation_id = "deleteApiKey",
    params(("tenantId" = String, Path, description = "The tenant"), ("keyId" = String, Path, description = "The key's id"),
        ("If-Match" = Option<String>, Header, description = "Revoke only if the key is at this revision")),
    responses((status = 200, description = "Revoked: the secret authenticates nothing from now on", body = super::Revision)))]
async fn delete_api_key(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
) -> Result<Response, ApiError> {
    let id = path.1;
    let id = path_id::<ApiKey>(&id)?;
    Ok(deleted(
        state
            .service
            .delete_api_key(&access, &id, precondition)
            .await?,
    ))
}

/// The API key routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_api_key, list_api_keys))
        .routes(routes!(get_api_key, put_api_key, delete_api_key))
}
