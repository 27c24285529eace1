//! Extractors. Each turns a malformed request into a problem document (never axum's plain
//! text), and [`Access`] makes a tenant-scoped handler impossible to reach without a
//! credential authorized for that tenant and scope.

use std::marker::PhantomData;

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::ApiError;
use crate::domain::{Scope, UserId, text};
use crate::service::{FieldError, Precondition, Principal, TenantAccess};

/// A JSON body. Syntax errors are 400 `malformed_json`; a body of the wrong shape (types,
/// missing or unknown fields, ill-formed ids) is 422 `validation_failed` naming the field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(is_json)
            .unwrap_or(false);
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON, sent with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection: BytesRejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!(
                            "the body is larger than the limit of {} bytes",
                            crate::domain::Limits::BODY_BYTES
                        ),
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_body",
                        rejection.body_text(),
                    )
                }
            })?;
        let malformed = |error: serde_json::Error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {error}"),
            )
        };
        // Every body of this API is an object; serde would also read a struct from an array.
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            serde_json::from_slice::<serde_json::Value>(&bytes).map_err(malformed)?;
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "the request is not valid",
            )
            .with_errors(vec![FieldError::new("", "the body must be a JSON object")]));
        }
        reject_control_characters(&bytes)?;
        // The common case, a body that reads, without tracking where the reader is; only a
        // body that fails is read again to name the field (the same reader, the same error).
        if let Ok(value) = serde_json::from_slice(&bytes) {
            return Ok(ApiJson(value));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => value,
            Err(error) => {
                let path = error.path().to_string();
                let inner = error.into_inner();
                if !inner.is_data() {
                    return Err(malformed(inner));
                }
                let field = if path == "." { String::new() } else { path };
                // serde's message ends with the position; the field says where already.
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "the request is not valid",
                )
                .with_errors(vec![FieldError::new(field, message)]));
            }
        };
        deserializer.end().map_err(malformed)?;
        Ok(ApiJson(value))
    }
}

/// Whether a media type (without parameters) is JSON: `application/json` or
/// `application/…+json`, in any case (compared without lowercasing a copy).
fn is_json(media_type: &str) -> bool {
    let v = media_type.trim();
    let part = |range: Option<&str>, expected: &str| {
        range.is_some_and(|p| p.eq_ignore_ascii_case(expected))
    };
    v.eq_ignore_ascii_case("application/json")
        || (part(v.get(..12), "application/") && part(v.get(v.len().saturating_sub(5)..), "+json"))
}

/// The text rule (SPEC.md §1, [`crate::domain::text`]) on a JSON body: 422
/// `validation_failed` naming every field that holds a control character, before the body
/// is read into its type. Bodies that cannot hold one skip the walk.
fn reject_control_characters(bytes: &[u8]) -> Result<(), ApiError> {
    if !text::json_may_hold_control(bytes) {
        return Ok(());
    }
    // Syntax errors are reported by the typed read that follows.
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    let fields = text::control_fields(&document);
    if fields.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "the request is not valid",
    )
    .with_errors(
        fields
            .into_iter()
            .map(|(field, c)| FieldError::new(field, text::control_message(c)))
            .collect(),
    ))
}

/// The text rule on the request line, in front of every route: a percent-decoded path
/// segment or query parameter holding a control character is 400 (`invalid_path` or
/// `invalid_parameter`) naming it, before any handler, extractor or database sees it.
/// A URI without `%` cannot hold one (hyper refuses raw control characters), so it
/// costs nothing on the common path. A plain function the server's outermost service
/// calls (not a middleware of its own: that would box every request's future once more).
pub fn control_in_uri(uri: &axum::http::Uri) -> Option<ApiError> {
    if uri.path().contains('%') {
        for (i, segment) in uri.path().split('/').enumerate().skip(1) {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            if let Some(c) = text::first_control(&decoded) {
                return Some(
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_path",
                        format!("path segment {i} {}", text::control_message(c)),
                    )
                    .with_errors(vec![FieldError::new(
                        format!("path[{i}]"),
                        text::control_message(c),
                    )]),
                );
            }
        }
    }
    if let Some(query) = uri.query().filter(|q| q.contains('%')) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let errors: Vec<FieldError> = pairs
            .iter()
            .filter_map(|(name, value)| {
                let c = text::first_control(name).or_else(|| text::first_control(value))?;
                Some(FieldError::new(name.clone(), text::control_message(c)))
            })
            .collect();
        if !errors.is_empty() {
            return Some(
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameter",
                    "a query parameter holds a control character",
                )
                .with_errors(errors),
            );
        }
    }
    None
}

/// Path parameters; undecodable ones are 400 `invalid_path`.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|rejection: PathRejection| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_path",
                    rejection.body_text(),
                )
            })
    }
}

/// Query parameters; unknown or ill-typed ones are 400 `invalid_parameter`, naming the
/// parameter in `errors` (`{"field": "from", "message": "`yesterday` is not an RFC 3339
/// timestamp …"}`) as a body's field errors do. Decoded as axum's `Query` decodes them.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                let (detail, field) = if field == "." {
                    (
                        "the query string is not well formed".to_owned(),
                        String::new(),
                    )
                } else {
                    (format!("the query parameter `{field}` is not valid"), field)
                };
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", detail)
                    .with_errors(vec![FieldError::new(field, message)])
            })
    }
}

/// The authenticated caller: `Authorization: Bearer …` (the admin token or an API key), or
/// else a console session cookie, which on state-changing methods must come with the
/// session's CSRF token in `X-CSRF-Token`. 401 without a valid credential, 403
/// `csrf_failed` without the token, 429 (with `Retry-After`) when the credential is over
/// its rate limit.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(Caller(principal.clone()));
        }
        let principal = match parts.headers.get(header::AUTHORIZATION) {
            Some(_) => {
                let token = bearer(parts).ok_or_else(no_credential)?;
                state.service.authenticate(token).await?
            }
            None => super::session::principal(parts, state)
                .await?
                .ok_or_else(no_credential)?,
        };
        rate_limit(state, &principal)?;
        parts.extensions.insert(principal.clone());
        Ok(Caller(principal))
    }
}

/// The token of `Authorization: Bearer <token>`, if the request sends one.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// 429 (with `Retry-After`) when `principal` is over its rate limit; each principal has
/// its own bucket.
fn rate_limit(state: &AppState, principal: &Principal) -> Result<(), ApiError> {
    let Some(limiter) = &state.limiter else {
        return Ok(());
    };
    static PLATFORM: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| "platform".to_owned());
    let account_key;
    let key: &String = match principal {
        Principal::PlatformAdmin => &PLATFORM,
        Principal::ApiKey(key) => &key.limit_key,
        Principal::EndUser(user) => &user.limit_key,
        Principal::Account(account) => {
            account_key = format!("account/{}", account.username);
            &account_key
        }
    };
    limiter.check_key(key).map_err(|not_until| {
        use governor::clock::Clock;
        ApiError::rate_limited(
            not_until.wait_time_from(governor::clock::DefaultClock::default().now()),
        )
    })
}

fn no_credential() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "send a credential as `Authorization: Bearer <token>`, or sign in to the console",
    )
}

/// The bearer of a user's identity token, verified for the `{tenantId}` of the path (the
/// `/me` endpoints, SPEC §6): 401 with a `token_…` code saying which check failed, 503
/// `issuer_unreachable` when the issuer's keys cannot be had. API keys, the admin token and
/// console sessions are not identity tokens, and are refused here with 401.
#[derive(Debug)]
pub struct EndUser {
    /// The access of the token's user to the tenant.
    pub access: TenantAccess,
    /// The user: the token's `sub`.
    pub user: UserId,
}

impl FromRequestParts<AppState> for EndUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).map(str::to_owned).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send the user's identity token as `Authorization: Bearer <token>`",
            )
        })?;
        if token.starts_with(crate::auth::API_KEY_PREFIX)
            || token.starts_with(crate::auth::ADMIN_TOKEN_PREFIX)
        {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the `/me` endpoints take a user's identity token (a JWT of an issuer the tenant trusts), not an API key",
            ));
        }
        let tenant = tenant_of(parts, state).await?;
        let (access, user) = state.service.end_user_access(&tenant, &token).await?;
        rate_limit(state, &access.principal)?;
        Ok(EndUser { access, user })
    }
}

/// The `{tenantId}` of the path.
async fn tenant_of(parts: &mut Parts, state: &AppState) -> Result<String, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|rejection| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                rejection.body_text(),
            )
        })?;
    params
        .iter()
        .find(|(name, _)| *name == "tenantId")
        .map(|(_, value)| value.to_owned())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint"))
}

/// A scope an [`Access`] demands.
pub trait RequiredScope: Send + Sync {
    /// The scope.
    const SCOPE: Scope;
}

/// Demands the `check` scope.
#[derive(Debug)]
pub struct Check;
/// Demands the `read` scope.
#[derive(Debug)]
pub struct Read;
/// Demands the `write` scope.
#[derive(Debug)]
pub struct Write;

impl RequiredScope for Check {
    const SCOPE: Scope = Scope::Check;
}
impl RequiredScope for Read {
    const SCOPE: Scope = Scope::Read;
}
impl RequiredScope for Write {
    const SCOPE: Scope = Scope::Write;
}

/// The caller, authorized for the `{tenantId}` of the path with scope `S`: 401, 404 (also
/// for another tenant's data) or 403 otherwise. Checked before the body is read.
#[derive(Debug)]
pub struct Access<S>(pub TenantAccess, pub PhantomData<S>);

impl<S: RequiredScope> FromRequestParts<AppState> for Access<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        let tenant = tenant_of(parts, state).await?;
        let access = state
            .service
            .authorize(&principal, &tenant, S::SCOPE)
            .await?;
        Ok(Access(access, PhantomData))
    }
}

/// `If-Match` and `If-None-Match`, as a precondition on the object's revision.
#[derive(Debug, Clone, Copy)]
pub struct Preconditions(pub Precondition);

impl<S: Send + Sync> FromRequestParts<S> for Preconditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let header_text = |name: header::HeaderName| -> Result<Option<String>, ApiError> {
            parts
                .headers
                .get(&name)
                .map(|v| {
                    v.to_str().map(|s| s.trim().to_owned()).map_err(|_| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_header",
                            format!("`{name}` is not ASCII"),
                        )
                    })
                })
                .transpose()
        };
        let if_match = match header_text(header::IF_MATCH)?.as_deref() {
            None => None,
            Some("*") => Some(None),
            Some(tag) => {
                let revision = tag
                    .strip_prefix("W/")
                    .unwrap_or(tag)
                    .trim_matches('"')
                    .parse::<i64>()
                    .map_err(|_| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_header",
                            format!("`If-Match` must be `*` or an ETag this server sent, such as `\"42\"`; got `{tag}`"),
                        )
                    })?;
                Some(Some(revision))
            }
        };
        let if_none_match_any = match header_text(header::IF_NONE_MATCH)?.as_deref() {
            None => false,
            Some("*") => true,
            Some(other) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_header",
                    format!("only `If-None-Match: *` is supported on writes; got `{other}`"),
                ));
            }
        };
        Ok(Preconditions(Precondition {
            if_match,
            if_none_match_any,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types() {
        for yes in [
            "application/json",
            " Application/JSON ",
            "application/merge-patch+json",
            "APPLICATION/PROBLEM+JSON",
        ] {
            assert!(is_json(yes), "{yes}");
        }
        for no in [
            "",
            "text/plain",
            "application/xml",
            "text/json",
            "application+json",
            "json",
            "application/jsonx",
            "application/x+jso",
        ] {
            assert!(!is_json(no), "{no}");
        }
    }
}
