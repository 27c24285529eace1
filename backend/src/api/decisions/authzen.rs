//! The OpenID AuthZEN Authorization API 1.0: each tenant is a Policy Decision Point at
//! `/v1/tenants/{tenantId}`, with `access/v1/evaluation`, `access/v1/evaluations` and its
//! metadata at `/.well-known/authzen-configuration/{tenantId}`.
//!
//! # How AuthZEN entities map onto Portcullis
//!
//! - **Resource** `(type, id)`: an `id` that is a concrete Portcullis resource URI
//!   (`/orgs/acme/docs/d1`) is that URI, whatever the type. Any other id maps to the
//!   two-segment URI `/{type}/{id}`, each part escaped: bytes outside the segment alphabet
//!   (`A-Z a-z 0-9 _ . : @ -`) and `~` itself become `~XX` (two upper-case hex digits of
//!   the UTF-8 byte), and a part that is `.` or `..` has its dots escaped. So
//!   `(todo, "7240d0db-8ff0")` is `/todo/7240d0db-8ff0`, `(route, "/users/{userId}")` is
//!   `/route/~2Fusers~2F~7BuserId~7D`, and `(user, "beth@the-smiths.com")` is
//!   `/user/beth@the-smiths.com`. The escaping is reversible, so distinct `(type, id)`
//!   pairs never share a URI unless one of them is a URI already. A part longer than a
//!   segment may be (128 characters, escaped) is refused.
//! - **Subject** `(type, id)`: type `user` is the userId `id`; type `identity_token` is a
//!   user's identity token (a JWT of one of the tenant's trusted issuers), and the subject
//!   is its verified `sub` (a refused token is a 401, or the item's own error in a batch);
//!   any other type `t` is the userId `t:id` (`(identity, "CiRm…")` is `identity:CiRm…`).
//! - **Action** `name` is the permission, which Portcullis reads case-insensitively.
//! - `properties` of any entity and `context` are accepted and not evaluated: a decision
//!   rests on the tenant's roles and records only. The metadata's `capabilities` say so.
//!
//! `evaluations` takes its top-level `subject`, `resource` and `action` as each item's
//! defaults, answers in request order, honours `options.evaluations_semantic`, and answers
//! a malformed item with `decision: false` and a `context.error` of its own (the other
//! items are still evaluated); all items are decided at one revision. Without an
//! `evaluations` array the request is one evaluation and gets one decision. A request that
//! is not JSON, not sent as JSON, or not of the AuthZEN shape is a 400, as AuthZEN asks.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_api::{
    AuthzenAction, AuthzenContext, AuthzenDecision, AuthzenDecisions, AuthzenEntity, AuthzenError,
    AuthzenEvaluation, AuthzenEvaluations, AuthzenEvaluationsResponse, AuthzenMetadata,
    AuthzenSemantic,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::super::extract::{Access, ApiJson, Check};
use super::super::{ApiError, AppState, with_revision};
use super::{MAX_BATCH, Users, invalid, parse_permission, parse_resource, parse_user, too_many};

use crate::domain::ResourcePattern;
use crate::service::{CheckQuery, Consistency, FieldError, TenantAccess};

/// The capabilities a tenant's metadata declares: what it does not evaluate.
pub const CAPABILITIES: [&str; 2] = [
    "urn:portcullis:authzen:properties-not-evaluated",
    "urn:portcullis:authzen:context-not-evaluated",
];

/// The escape character of an id in a resource URI segment.
const ESCAPE: char = '~';

fn in_segment_alphabet(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b':' | b'@' | b'-')
}

/// An AuthZEN type or id as one resource URI segment (see the module documentation).
pub fn escape_segment(text: &str) -> String {
    if text == "." || text == ".." {
        return "~2E".repeat(text.len());
    }
    let mut segment = String::with_capacity(text.len());
    for byte in text.bytes() {
        if in_segment_alphabet(byte) {
            segment.push(char::from(byte));
        } else {
            segment.push(ESCAPE);
            segment.push_str(&format!("{byte:02X}"));
        }
    }
    segment
}

/// The text a segment made by [`escape_segment`] holds; `None` for a segment it cannot
/// have made. The searches map resources back with it.
pub fn unescape_segment(segment: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(segment.len());
    let mut rest = segment.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == ESCAPE as u8 {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            if hex.bytes().any(|b| b.is_ascii_lowercase()) {
                return None;
            }
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// The resource URI of an AuthZEN resource (see the module documentation).
pub fn resource_uri(kind: &str, id: &str) -> Result<ResourcePattern, String> {
    if let Ok(uri) = ResourcePattern::parse(id)
        && !uri.is_wildcard()
    {
        return Ok(uri);
    }
    ResourcePattern::parse(&format!("/{}/{}", escape_segment(kind), escape_segment(id)))
        .map_err(|e| format!("the resource cannot be named in Portcullis: {}", e.0))
}

/// The resource an AuthZEN resource names, as a check asks about it; the error names `field`.
pub(super) fn mapped_resource(
    kind: &str,
    id: &str,
    field: &str,
) -> Result<ResourcePattern, FieldError> {
    resource_uri(kind, id)
        .map_err(|message| FieldError::new(field, message))
        .and_then(|uri| parse_resource(uri.as_str(), field))
}

/// The subject type whose id is a user's identity token.
pub const TOKEN_SUBJECT: &str = "identity_token";

/// `subject`, with an identity token (type [`TOKEN_SUBJECT`]) replaced by the user it
/// names, once verified (type `user`, id its `sub`); a refused token is an error naming
/// `field`. Any other subject, or none, as it is.
pub(super) async fn verified_subject(
    users: &mut Users<'_>,
    subject: Option<&AuthzenEntity>,
    field: &str,
) -> Result<Option<AuthzenEntity>, ApiError> {
    let token = subject
        .filter(|s| s.kind.as_deref() == Some(TOKEN_SUBJECT))
        .and_then(|s| s.id.as_deref())
        .filter(|token| !token.is_empty());
    match (subject, token) {
        (Some(subject), Some(token)) => Ok(Some(AuthzenEntity {
            kind: Some("user".into()),
            id: Some(users.verified(token, field).await?),
            properties: subject.properties,
        })),
        (subject, _) => Ok(subject.cloned()),
    }
}

/// The userId of an AuthZEN subject (see the module documentation).
pub fn subject_user(kind: &str, id: &str) -> String {
    if kind == "user" {
        id.to_owned()
    } else {
        format!("{kind}:{id}")
    }
}

/// The check an evaluation asks for, each part its own or the default; the field errors
/// (named from `prefix`) when a part is missing or malformed.
fn query_of(
    subject: Option<&AuthzenEntity>,
    resource: Option<&AuthzenEntity>,
    action: Option<&AuthzenAction>,
    prefix: &str,
) -> Result<CheckQuery, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut required = |value: Option<&String>, field: &str| {
        let value = value.filter(|v| !v.is_empty()).cloned();
        if value.is_none() {
            errors.push(FieldError::new(format!("{prefix}{field}"), "is required"));
        }
        value
    };
    let subject_type = required(subject.and_then(|s| s.kind.as_ref()), "subject.type");
    let subject_id = required(subject.and_then(|s| s.id.as_ref()), "subject.id");
    let resource_type = required(resource.and_then(|r| r.kind.as_ref()), "resource.type");
    let resource_id = required(resource.and_then(|r| r.id.as_ref()), "resource.id");
    let name = required(action.and_then(|a| a.name.as_ref()), "action.name");
    let user = subject_type.zip(subject_id).map(|(kind, id)| {
        parse_user(
            &subject_user(&kind, &id),
            format_args!("{prefix}subject.id"),
        )
    });
    let resource = resource_type
        .zip(resource_id)
        .map(|(kind, id)| mapped_resource(&kind, &id, &format!("{prefix}resource.id")));
    let permission = name.map(|name| parse_permission(&name, format_args!("{prefix}action.name")));
    match (user, resource, permission) {
        (Some(Ok(user)), Some(Ok(resource)), Some(Ok(permission))) if errors.is_empty() => {
            Ok(CheckQuery {
                user,
                resource,
                permission,
                explain: false,
            })
        }
        (user, resource, permission) => {
            errors.extend(
                [
                    user.and_then(Result::err),
                    resource.and_then(Result::err),
                    permission.and_then(Result::err),
                ]
                .into_iter()
                .flatten(),
            );
            Err(errors)
        }
    }
}

/// A JSON body on an AuthZEN endpoint: as [`ApiJson`], except that a body that is not JSON,
/// not sent as JSON or not of the expected shape is a 400, as AuthZEN's transport asks.
#[derive(Debug)]
pub(super) struct AuthzenJson<T>(pub(super) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AuthzenJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match ApiJson::<T>::from_request(request, state).await {
            Ok(ApiJson(body)) => Ok(Self(body)),
            Err(error)
                if matches!(
                    error.status(),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY
                ) =>
            {
                Err(error.with_status(StatusCode::BAD_REQUEST))
            }
            Err(error) => Err(error),
        }
    }
}

/// A decision, with the revision it was made at and the Portcullis names it was asked in.
fn decided(decision: bool, revision: Option<i64>, query: &CheckQuery) -> AuthzenDecision {
    AuthzenDecision {
        decision,
        context: AuthzenContext {
            revision,
            user_id: Some(query.user.to_string()),
            resource_uri: Some(query.resource.to_string()),
            ..AuthzenContext::default()
        },
    }
}

/// Evaluate access (OpenID AuthZEN 1.0)
///
/// May the subject perform the action on the resource? See the AuthZEN section of the
/// README for how `(type, id)` maps onto userIds and resource URIs.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/evaluation", tag = "authzen", operation_id = "authzenEvaluation",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    request_body = AuthzenEvaluation,
    responses((status = 200, description = "The decision", body = AuthzenDecision)))]
pub(super) async fn authzen_evaluation(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    AuthzenJson(request): AuthzenJson<AuthzenEvaluation>,
) -> Result<Response, ApiError> {
    let (body, revision) = evaluate_one(
        &state,
        &access,
        request.subject.as_ref(),
        request.resource.as_ref(),
        request.action.as_ref(),
    )
    .await?;
    Ok(with_revision(Json(body).into_response(), revision))
}

/// One evaluation: its decision and the revision it was made at; a 400 naming every
/// missing or malformed part.
async fn evaluate_one(
    state: &AppState,
    access: &TenantAccess,
    subject: Option<&AuthzenEntity>,
    resource: Option<&AuthzenEntity>,
    action: Option<&AuthzenAction>,
) -> Result<(AuthzenDecision, i64), ApiError> {
    let subject = verified_subject(
        &mut Users::new(state, &access.tenant),
        subject,
        "subject.id",
    )
    .await?;
    let query = query_of(subject.as_ref(), resource, action, "").map_err(invalid)?;
    let (decisions, revision) = state
        .service
        .check(
            access,
            std::slice::from_ref(&query),
            None,
            Consistency::default(),
        )
        .await?;
    let allowed = decisions.first().is_some_and(|d| d.allowed);
    Ok((decided(allowed, Some(revision), &query), revision))
}

/// Evaluate many accesses (OpenID AuthZEN 1.0)
///
/// Each item of `evaluations` takes the top-level `subject`, `resource` and `action` as
/// defaults; the decisions come in request order, all at one revision, ending early under
/// `deny_on_first_deny` or `permit_on_first_permit`. A malformed item is answered with
/// `decision: false` and `context.error`. Without `evaluations`, the request is one
/// evaluation of its top level and gets one decision.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/access/v1/evaluations", tag = "authzen", operation_id = "authzenEvaluations",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    request_body = AuthzenEvaluations,
    responses((status = 200, description = "The decisions, in request order (or one decision, without `evaluations`)", body = AuthzenEvaluationsResponse)))]
pub(super) async fn authzen_evaluations(
    State(state): State<AppState>,
    Access(access, ..): Access<Check>,
    AuthzenJson(request): AuthzenJson<AuthzenEvaluations>,
) -> Result<Response, ApiError> {
    let Some(items) = &request.evaluations else {
        let (body, revision) = evaluate_one(
            &state,
            &access,
            request.defaults.subject.as_ref(),
            request.defaults.resource.as_ref(),
            request.defaults.action.as_ref(),
        )
        .await?;
        let body = AuthzenEvaluationsResponse::One(body);
        return Ok(with_revision(Json(body).into_response(), revision));
    };
    if items.len() > MAX_BATCH {
        return Err(too_many("evaluations", items.len()));
    }
    // Each item read on its own: a malformed one (or one whose identity token is refused)
    // is its own error, not the batch's.
    let mut users = Users::new(&state, &access.tenant);
    let mut asked: Vec<Result<CheckQuery, AuthzenError>> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("evaluations[{i}].");
        let malformed = |message: String| AuthzenError {
            status: StatusCode::BAD_REQUEST.as_u16(),
            message,
        };
        let item = match AuthzenEvaluation::deserialize(item) {
            Ok(item) => item,
            Err(e) => {
                let field = prefix.trim_end_matches('.');
                asked.push(Err(malformed(format!("{field}: {e}"))));
                continue;
            }
        };
        let subject = item.subject.as_ref().or(request.defaults.subject.as_ref());
        let field = format!("{prefix}subject.id");
        let subject = match verified_subject(&mut users, subject, &field).await {
            Ok(subject) => subject,
            Err(refused) => {
                asked.push(Err(AuthzenError {
                    status: refused.status().as_u16(),
                    message: format!("{field}: {}", refused.problem().detail),
                }));
                continue;
            }
        };
        asked.push(
            query_of(
                subject.as_ref(),
                item.resource
                    .as_ref()
                    .or(request.defaults.resource.as_ref()),
                item.action.as_ref().or(request.defaults.action.as_ref()),
                &prefix,
            )
            .map_err(|errors| {
                malformed(
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }),
        );
    }
    let queries: Vec<CheckQuery> = asked
        .iter()
        .filter_map(|a| a.as_ref().ok())
        .cloned()
        .collect();
    let (mut decisions, revision) = if queries.is_empty() {
        (Vec::new().into_iter(), None)
    } else {
        let (decisions, revision) = state
            .service
            .check(&access, &queries, None, Consistency::default())
            .await?;
        (decisions.into_iter(), Some(revision))
    };
    let semantic = request
        .options
        .as_ref()
        .and_then(|o| o.evaluations_semantic)
        .unwrap_or_default();
    let mut evaluations = Vec::with_capacity(asked.len());
    for asked in asked {
        let mut answer = match asked {
            Ok(query) => decided(
                decisions.next().is_some_and(|d| d.allowed),
                revision,
                &query,
            ),
            Err(error) => AuthzenDecision {
                decision: false,
                context: AuthzenContext {
                    revision,
                    error: Some(error),
                    ..AuthzenContext::default()
                },
            },
        };
        let stop = match semantic {
            AuthzenSemantic::ExecuteAll => None,
            AuthzenSemantic::DenyOnFirstDeny => (!answer.decision).then_some("deny_on_first_deny"),
            AuthzenSemantic::PermitOnFirstPermit => {
                answer.decision.then_some("permit_on_first_permit")
            }
        };
        if let Some(reason) = stop {
            answer.context.code = Some("200".into());
            answer.context.reason = Some(reason.into());
        }
        evaluations.push(answer);
        if stop.is_some() {
            break;
        }
    }
    let response = Json(AuthzenEvaluationsResponse::Many(AuthzenDecisions {
        evaluations,
    }))
    .into_response();
    Ok(match revision {
        Some(revision) => with_revision(response, revision),
        None => response,
    })
}

/// AuthZEN PDP metadata
///
/// The tenant's Policy Decision Point metadata: its identifier, its endpoints, and what it
/// does not evaluate (`capabilities`). Needs the same credential as a decision, so that
/// nobody learns which tenants exist.
#[utoipa::path(get, path = "/.well-known/authzen-configuration/{tenantId}", tag = "authzen", operation_id = "authzenMetadata",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    responses((status = 200, description = "The metadata", body = AuthzenMetadata)))]
pub(super) async fn authzen_metadata(
    Access(access, ..): Access<Check>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    metadata(&access, &headers)
}

/// AuthZEN PDP metadata (RFC 8615 form)
///
/// The same metadata at the URL RFC 8615 derives from the PDP identifier
/// (`/.well-known/authzen-configuration` inserted before `/v1/tenants/{tenantId}`), for
/// clients that derive it themselves.
#[utoipa::path(get, path = "/.well-known/authzen-configuration/v1/tenants/{tenantId}", tag = "authzen", operation_id = "authzenMetadataDerived",
    params(("tenantId" = String, Path, description = "The tenant (the Policy Decision Point)")),
    responses((status = 200, description = "The metadata", body = AuthzenMetadata)))]
pub(super) async fn authzen_metadata_derived(
    Access(access, ..): Access<Check>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    metadata(&access, &headers)
}

fn metadata(access: &TenantAccess, headers: &axum::http::HeaderMap) -> Result<Response, ApiError> {
    // The identifier is the URL the caller reached this server at.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| matches!(*p, "http" | "https"))
        .unwrap_or("http");
    let pdp = format!("{scheme}://{host}/v1/tenants/{}", access.tenant.as_str());
    Ok(Json(AuthzenMetadata {
        access_evaluation_endpoint: format!("{pdp}/access/v1/evaluation"),
        access_evaluations_endpoint: format!("{pdp}/access/v1/evaluations"),
        search_subject_endpoint: format!("{pdp}/access/v1/search/subject"),
        search_resource_endpoint: format!("{pdp}/access/v1/search/resource"),
        search_action_endpoint: format!("{pdp}/access/v1/search/action"),
        policy_decision_point: pdp,
        capabilities: CAPABILITIES.iter().map(|c| (*c).to_owned()).collect(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_uris_and_back() {
        for (kind, id, uri) in [
            ("todo", "7240d0db-8ff0", "/todo/7240d0db-8ff0"),
            ("route", "/users/{userId}", "/route/~2Fusers~2F~7BuserId~7D"),
            ("user", "beth@the-smiths.com", "/user/beth@the-smiths.com"),
            ("document", "/orgs/acme/d1", "/orgs/acme/d1"),
            ("document", "/orgs/*", "/document/~2Forgs~2F~2A"),
            ("doc", "..", "/doc/~2E~2E"),
            ("doc", "a~b c", "/doc/a~7Eb~20c"),
            ("my type", "é", "/my~20type/~C3~A9"),
        ] {
            assert_eq!(resource_uri(kind, id).unwrap().as_str(), uri, "{kind} {id}");
        }
        for text in ["a~b", "/x/{y}", "..", ".", "é ü", "~7E", "plain-id_1.2:3@x"] {
            assert_eq!(
                unescape_segment(&escape_segment(text)).as_deref(),
                Some(text)
            );
        }
        assert_eq!(unescape_segment("~7e"), None);
        assert_eq!(unescape_segment("~4"), None);
        assert!(resource_uri("t", &"x".repeat(200)).is_err());
        assert_eq!(subject_user("user", "ada"), "ada");
        assert_eq!(subject_user("identity", "CiRm"), "identity:CiRm");
    }
}
