//! `/v1/accounts` (console accounts, managed by platform admins) and
//! `/v1/tenants/{tenantId}/members` (who may use the console for a tenant, managed by its
//! owners and platform admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiPath, ApiQuery, Caller, Preconditions, Read, Write};
use portcullis_api::{Account, AccountIn, AccountList, AccountPatch, Member, MemberIn, MemberList};

use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiError, AppState, ListParams, deleted, with_revision};
use crate::service::{PageRequest, Principal, ServiceError};

/// Create a console account
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", operation_id = "createAccount",
    request_body = AccountIn,
    responses((status = 201, description = "Created", body = Account)))]
async fn create_account(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiJson(account): ApiJson<AccountIn>,
) -> Result<Response, ApiError> {
    state.service.require_platform_admin(&principal)?;
    let account = state.service.create_account(account).await?;
    Ok((StatusCode::CREATED, Json(account)).into_response())
}

/// `?limit=&cursor=&q=` of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page (send the same `q` with it).
    pub cursor: Option<String>,
    /// Only the accounts whose username starts with this text (case-sensitive): what the
    /// console's member picker asks as a platform admin types.
    pub q: Option<String>,
}

/// List console accounts
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts", operation_id = "listAccounts",
    params(AccountListParams),
    responses((status = 200, description = "One page, in username order", body = AccountList)))]
async fn list_accounts(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiQuery(params): ApiQuery<AccountListParams>,
) -> Result<Json<AccountList>, ApiError> {
    state.service.require_platform_admin(&principal)?;
    let q = params
        .q
        .as_deref()
        .map(super::objects::prefix)
        .transpose()?;
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(state.service.list_accounts(&page, q).await?.into()))
}

/// Whether `principal` is the account `username` itself.
fn is_self(principal: &Principal, username: &str) -> bool {
    matches!(principal, Principal::Account(account) if account.username == username)
}

/// Get a console account
///
/// Platform admins may read any account; an account may read itself.
#[utoipa::path(get, path = "/v1/accounts/{username}", tag = "accounts", operation_id = "getAccount",
    params(("username" = String, Path, description = "The account")),
    responses((status = 200, description = "The account with its memberships", body = Account)))]
async fn get_account(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiPath(username): ApiPath<String>,
) -> Result<Json<Account>, ApiError> {
    if !is_self(&principal, &username) {
        state.service.require_platform_admin(&principal)?;
    }
    Ok(Json(state.service.get_account(&username).await?))
}

/// Change a console account
///
/// Platform admins may change any account; an account may change its own password. A new
/// password ends every session of the account.
#[utoipa::path(patch, path = "/v1/accounts/{username}", tag = "accounts", operation_id = "updateAccount",
    params(("username" = String, Path, description = "The account")),
    request_body = AccountPatch,
    responses((status = 200, description = "Changed", body = Account)))]
async fn update_account(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiPath(username): ApiPath<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> Result<Json<Account>, ApiError> {
    if !(is_self(&principal, &username) && patch.platform_admin.is_none()) {
        state.service.require_platform_admin(&principal)?;
    }
    Ok(Json(state.service.update_account(&username, patch).await?))
}

/// Delete a console account
///
/// Removes its memberships (each recorded in its tenant's audit log) and ends its sessions.
#[utoipa::path(delete, path = "/v1/accounts/{username}", tag = "accounts", operation_id = "deleteAccount",
    params(("username" = String, Path, description = "The account")),
    responses((status = 204, description = "Deleted")))]
async fn delete_account(
    State(state): State<AppState>,
    Caller(principal): Caller,
    ApiPath(username): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let actor = state.service.require_platform_admin(&principal)?;
    state.service.delete_account(&actor, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a tenant's members
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/members", tag = "accounts", operation_id = "listMembers",
    params(("tenantId" = String, Path, description = "The tenant"), ListParams),
    responses((status = 200, description = "One page, in username order", body = MemberList)))]
async fn list_members(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<MemberList>, ApiError> {
    let page = PageRequest::new(params.limit, params.cursor)?;
    Ok(Json(
        state.service.list_members(&access, &page).await?.into(),
    ))
}

/// Get a tenant's member
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/members/{username}", tag = "accounts", operation_id = "getMember",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("username" = String, Path, description = "The account")),
    responses((status = 200, description = "The member", body = Member)))]
async fn get_member(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<Member>, ApiError> {
    Ok(Json(state.service.get_member(&access, &path.1).await?))
}

/// Give an account a role in a tenant
///
/// Owners of the tenant and platform admins only. `If-None-Match: *` adds only a new member.
#[utoipa::path(put, path = "/v1/tenants/{tenantId}/members/{username}", tag = "accounts", operation_id = "putMember",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("username" = String, Path, description = "The account"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: only if not a member yet")),
    request_body = MemberIn,
    responses(
        (status = 200, description = "Role changed", body = Member),
        (status = 201, description = "Member added", body = Member)))]
async fn put_member(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
    Preconditions(precondition): Preconditions,
    ApiJson(member): ApiJson<MemberIn>,
) -> Result<Response, ApiError> {
    let username = path.1;
    if member.username.as_deref().is_some_and(|u| u != username) {
        return Err(ServiceError::Invalid(vec![crate::service::FieldError::new(
            "username",
            "must be the username of the path, or absent",
        )])
        .into());
    }
    let (member, created, revision) = state
        .service
        .put_member(&access, &username, member.role, precondition)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_revision(
        (status, Json(member)).into_response(),
        revision,
    ))
}

/// Remove an account from a tenant
#[utoipa::path(delete, path = "/v1/tenants/{tenantId}/members/{username}", tag = "accounts", operation_id = "deleteMember",
    params(("tenantId" = String, Path, description = "The tenant"),
        ("username" = String, Path, description = "The account")),
    responses((status = 200, description = "Removed; the tenant's new revision", body = super::Revision)))]
async fn delete_member(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let revision = state.service.remove_member(&access, &path.1).await?;
    Ok(deleted(revision))
}

/// The account and membership routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account, list_accounts))
        .routes(routes!(get_account, update_account, delete_account))
        .routes(routes!(list_members))
        .routes(routes!(get_member, put_member, delete_member))
}
