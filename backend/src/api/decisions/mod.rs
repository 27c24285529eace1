//! The decision endpoints: check, batch check and the Authress-style permission URL
//! (`check.rs`), the OpenID AuthZEN evaluation API (`authzen.rs`), and the lookups
//! (`lookups.rs`). All need the `check` scope; every answer names the revision it was
//! computed at (`revision`, and the `Portcullis-Revision` header).
//!
//! A requested user, resource or permission that is malformed, or a resource or permission
//! containing `*`, is a 400 `invalid_check` naming the field.

mod authzen;
mod authzen_search;
mod check;
mod lookups;
mod me;

use axum::http::{HeaderMap, StatusCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use std::collections::HashMap;

use super::{ApiError, AppState};
use crate::domain::{Action, ResourcePattern, TenantId, UserId};
use crate::service::{CheckQuery, FieldError};

/// The most checks in one batch.
pub const MAX_BATCH: usize = 1000;

pub(super) fn parse_user(user: &str, field: impl std::fmt::Display) -> Result<UserId, FieldError> {
    UserId::parse(user).map_err(|e| FieldError::new(field.to_string(), e.0))
}

pub(super) fn parse_resource(
    resource: &str,
    field: impl std::fmt::Display,
) -> Result<ResourcePattern, FieldError> {
    match ResourcePattern::parse(resource) {
        Ok(r) if r.is_wildcard() => Err(FieldError::new(
            field.to_string(),
            "a resource asked about is concrete: no `*` segments",
        )),
        Ok(r) => Ok(r),
        Err(e) => Err(FieldError::new(field.to_string(), e.0)),
    }
}

pub(super) fn parse_permission(
    permission: &str,
    field: impl std::fmt::Display,
) -> Result<Action, FieldError> {
    match Action::parse(permission) {
        Ok(p) if p.is_wildcard() => Err(FieldError::new(
            field.to_string(),
            "a permission asked about is concrete: no `*` segments",
        )),
        Ok(p) => Ok(p),
        Err(e) => Err(FieldError::new(field.to_string(), e.0)),
    }
}

/// The header that carries a user's identity token on the GET decisions (the permission
/// URL and the user lookups), whose path then names the user [`TOKEN_USER`].
pub(super) const USER_TOKEN_HEADER: &str = "portcullis-user-token";

/// The userId a GET decision's path gives to say "the subject of the identity token in the
/// [`USER_TOKEN_HEADER`] header": no userId begins with `@`, so it names no user of its
/// own. A token is a credential, kept out of URLs (and so out of access logs and
/// browser histories).
pub(super) const TOKEN_USER: &str = "@token";

/// The users decision requests name by `userId` or by `userToken`: each token verified once
/// per request (a batch for one user sends the same token many times).
pub(super) struct Users<'s> {
    state: &'s AppState,
    tenant: &'s TenantId,
    verified: HashMap<String, String>,
}

impl<'s> Users<'s> {
    pub(super) fn new(state: &'s AppState, tenant: &'s TenantId) -> Self {
        Self {
            state,
            tenant,
            verified: HashMap::new(),
        }
    }

    /// The subject of `token`, verified once per request; a refused token is the
    /// request's 401, naming `field`.
    pub(super) async fn verified(&mut self, token: &str, field: &str) -> Result<String, ApiError> {
        if let Some(user) = self.verified.get(token) {
            return Ok(user.clone());
        }
        let user = self
            .state
            .service
            .verify_user_token(self.tenant, token)
            .await
            .map_err(|error| {
                let error = ApiError::from(error);
                let detail = error.problem().detail.clone();
                error.with_errors(vec![FieldError::new(field, detail)])
            })?
            .to_string();
        self.verified.insert(token.to_owned(), user.clone());
        Ok(user)
    }

    /// The user of one question: its `userId`, or the `sub` of its verified `userToken`
    /// (a refused token is the request's 401, naming the field). Neither or both is a
    /// field error, reported with the question's other mistakes.
    pub(super) async fn resolve(
        &mut self,
        user_id: Option<&str>,
        user_token: Option<&str>,
        prefix: &str,
    ) -> Result<Result<String, FieldError>, ApiError> {
        match (user_id, user_token) {
            (Some(user), None) => Ok(Ok(user.to_owned())),
            (None, Some(token)) => Ok(Ok(self
                .verified(token, &format!("{prefix}userToken"))
                .await?)),
            (user, _) => Ok(Err(FieldError::new(
                if user.is_some() {
                    format!("{prefix}userToken")
                } else {
                    format!("{prefix}userId")
                },
                "give exactly one of `userId` and `userToken`",
            ))),
        }
    }

    /// The user a GET decision's path names: its `userId`, or, for [`TOKEN_USER`], the
    /// `sub` of the verified identity token in the [`USER_TOKEN_HEADER`] header (a refused
    /// token is the request's 401). A token without `@token`, or `@token` without one, is
    /// a field error.
    pub(super) async fn of_path(
        &mut self,
        path_user: &str,
        headers: &HeaderMap,
    ) -> Result<Result<UserId, FieldError>, ApiError> {
        let token = match headers.get(USER_TOKEN_HEADER).map(|v| v.to_str()) {
            None => None,
            Some(Ok(token)) => Some(token),
            Some(Err(_)) => {
                return Ok(Err(FieldError::new(
                    USER_TOKEN_HEADER,
                    "an identity token is ASCII",
                )));
            }
        };
        Ok(match (path_user == TOKEN_USER, token) {
            (false, None) => parse_user(path_user, "userId"),
            (true, Some(token)) => {
                parse_user(&self.verified(token, USER_TOKEN_HEADER).await?, "userId")
            }
            (true, None) => Err(FieldError::new(
                USER_TOKEN_HEADER,
                format!(
                    "the path names the user `{TOKEN_USER}`: send their identity token in this header"
                ),
            )),
            (false, Some(_)) => Err(FieldError::new(
                USER_TOKEN_HEADER,
                format!(
                    "the path names a user: name them `{TOKEN_USER}` to be the token's subject, or send no token"
                ),
            )),
        })
    }
}

pub(super) fn parse_query(
    user: Result<&str, FieldError>,
    resource: &str,
    permission: &str,
    explain: bool,
    prefix: &str,
) -> Result<CheckQuery, Vec<FieldError>> {
    // Field names are only written out for an error: a check that parses allocates none.
    let user = user.and_then(|user| parse_user(user, format_args!("{prefix}userId")));
    let resource = parse_resource(resource, format_args!("{prefix}resourceUri"));
    let permission = parse_permission(permission, format_args!("{prefix}permission"));
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

pub(super) fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_check",
        "the check is not well formed",
    )
    .with_errors(errors)
}

/// Every query of a batch, or one 400 naming every field that is wrong.
pub(super) fn parse_all(
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
pub(super) fn too_many(field: &str, count: usize) -> ApiError {
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

/// The decision routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lookups::effective_permissions))
        .routes(routes!(lookups::user_resources))
        .routes(routes!(lookups::resource_users))
        .routes(routes!(me::me_check))
        .routes(routes!(me::me_permissions))
        .routes(routes!(me::me_resources))
        .routes(routes!(me::me_create_record, me::me_list_records))
        .routes(routes!(me::me_delete_record))
        .routes(routes!(check::check))
        .routes(routes!(check::check_batch))
        .routes(routes!(check::authorize_user))
        .routes(routes!(authzen::authzen_evaluation))
        .routes(routes!(authzen::authzen_evaluations))
        .routes(routes!(authzen::authzen_metadata))
        .routes(routes!(authzen::authzen_metadata_derived))
        .routes(routes!(authzen_search::search_subject))
        .routes(routes!(authzen_search::search_resource))
        .routes(routes!(authzen_search::search_action))
}
