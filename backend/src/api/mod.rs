//! The HTTP API: axum handlers registered together with their OpenAPI description
//! (`utoipa_axum::routes!`), so the spec cannot drift from the routes.

mod accounts;
mod api_keys;
mod audit;
mod decisions;
mod error;
mod extract;
mod health;
mod issuers;
mod metrics;
mod objects;
mod session;
mod tenants;
mod transfer;
mod transport;
mod wire;

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

pub use error::{ApiError, Problem};
pub use extract::control_in_uri;
pub use metrics::MetricsPolicy;
pub use session::{CSRF_HEADER, SessionPolicy};
pub use transport::{PeerAddr, ProblemListener};

use crate::service::{Page, Service, Written};

/// The response header carrying the tenant revision a write produced.
pub const REVISION_HEADER: HeaderName = HeaderName::from_static("portcullis-revision");

/// What every handler can reach: one shared value, so a request that takes the state
/// (every handler does) counts one reference instead of one per part.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state of an application made of these parts.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// The use-cases.
    pub service: Arc<Service>,
    /// Requests per credential, when limited.
    pub limiter: Option<Arc<RateLimiter>>,
    /// Console session limits and sign-in throttling.
    pub sessions: Arc<SessionPolicy>,
    /// What `/metrics` shows, and to whom.
    pub metrics: Arc<MetricsPolicy>,
}

/// The per-credential rate limiter.
pub type RateLimiter = governor::DefaultKeyedRateLimiter<String>;

/// A limiter allowing `per_second` requests per credential, in bursts of as many; `None`
/// for 0 (no limit).
pub fn rate_limiter(per_second: u32) -> Option<Arc<RateLimiter>> {
    let rate = std::num::NonZeroU32::new(per_second)?;
    Some(Arc::new(governor::RateLimiter::keyed(
        governor::Quota::per_second(rate),
    )))
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A service page as the list type of its items (the wire crate's concrete list types, whose
/// items `$ref` the same schema as the single object).
macro_rules! list_from_page {
    ($($list:ident of $item:ident;)*) => {$(
        impl From<Page<portcullis_api::$item>> for portcullis_api::$list {
            fn from(page: Page<portcullis_api::$item>) -> Self {
                Self {
                    items: page.items,
                    next_cursor: page.next_cursor,
                }
            }
        }
    )*};
}

list_from_page! {
    AccountList of Account;
    MemberList of Member;
    AuditEventList of AuditEvent;
    TenantList of Tenant;
}

/// The answer to a delete: the tenant's new revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    /// The tenant revision the write produced.
    pub revision: i64,
}

fn etag(revision: i64) -> HeaderValue {
    // INVARIANT: a quoted decimal number is always a valid header value.
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// Adds the `Portcullis-Revision` header: the tenant revision a write produced or an
/// answer was computed at.
pub(crate) fn with_revision(mut response: Response, revision: i64) -> Response {
    response
        .headers_mut()
        .insert(REVISION_HEADER, HeaderValue::from(revision));
    response
}

/// An object with its `ETag`.
pub(crate) fn single<T: Serialize>(object: T, revision: Option<i64>) -> Response {
    let mut response = Json(object).into_response();
    if let Some(revision) = revision {
        response.headers_mut().insert(header::ETAG, etag(revision));
    }
    response
}

/// The answer to a create or replace: 201 or 200, the object, its `ETag` and the revision.
pub(crate) fn written<K: wire::Wire>(written: Written<K>) -> Response {
    let status = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(written.object.show())).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(written.revision));
    with_revision(response, written.revision)
}

/// The answer to a delete.
pub(crate) fn deleted(revision: i64) -> Response {
    with_revision(Json(Revision { revision }).into_response(), revision)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis",
        description = "Multi-tenant authorization: tenants define roles, groups and access records; \
            applications ask whether a user may do something on a resource.\n\n\
            Authenticate with `Authorization: Bearer <token>`: the platform admin token, or a tenant API key (`pc_…`). \
            The web console uses the same API with a session cookie from `POST /v1/session`, and sends the session's \
            CSRF token as `X-CSRF-Token` on every request that changes something.\n\n\
            Errors are RFC 9457 problem documents with a stable `code`. Lists page with `limit` and an opaque `cursor`. \
            Every write answers with the tenant's new revision (field `revision`, header `Portcullis-Revision`); \
            single objects carry an `ETag` honoured by `If-Match` on `PUT`, `PATCH` and `DELETE`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&Security),
    components(schemas(Problem, Revision)),
    tags(
        (name = "decisions", description = "Checks: may a user do something on a resource?"),
        (name = "authzen", description = "OpenID AuthZEN 1.0: each tenant as a Policy Decision Point (see the README for how types and ids map)"),
        (name = "tenants", description = "Tenants: the unit of isolation (platform admin)"),
        (name = "roles", description = "Roles: named sets of permission entries"),
        (name = "groups", description = "Groups of users"),
        (name = "records", description = "Access records: who gets which roles on which resources"),
        (name = "resources", description = "Resource configs: names and metadata for resource URIs"),
        (name = "users", description = "Users named in records and groups"),
        (name = "api-keys", description = "API keys of a tenant"),
        (name = "issuers", description = "Identity providers whose tokens a tenant trusts to say who a user is"),
        (name = "me", description = "Decisions for the bearer of a user's identity token"),
        (name = "audit", description = "The audit log of a tenant"),
        (name = "transfer", description = "Bulk import and export of a tenant as NDJSON"),
        (name = "accounts", description = "Console accounts and their tenant memberships"),
        (name = "session", description = "Console sign-in and sign-out"),
        (name = "operations", description = "Health and the API description")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The platform admin token, or a tenant API key (`pc_…`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "identityToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A user's identity token (a JWT) from an issuer the tenant registered under `/issuers`: only for the `/me` endpoints.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "portcullis_session",
                "A console session from `POST /v1/session`; requests that change something \
                 also send the session's CSRF token as `X-CSRF-Token`.",
            ))),
        );
    }
}

/// The error answers an operation can give, by method; one mechanism for every `/v1`
/// operation, so none lacks its errors in the spec.
fn problem_statuses(method: &str, path: &str) -> Vec<(u16, &'static str, &'static str)> {
    let mut statuses = vec![
        (
            400,
            "malformed_json",
            "The request is malformed: a bad id, parameter, cursor or JSON syntax.",
        ),
        (
            401,
            "unauthenticated",
            "No credential, or one that is unknown or expired.",
        ),
        (
            403,
            "forbidden",
            "The credential lacks the scope this operation needs.",
        ),
        (
            404,
            "not_found",
            "No such object, or none the credential may know of.",
        ),
    ];
    if method != "get" {
        if method != "delete" {
            if path.ends_with("/import") {
                statuses.push((
                    413,
                    "payload_too_large",
                    "The body is larger than 1 GiB, or a line larger than 1 MiB.",
                ));
                statuses.push((
                    415,
                    "unsupported_media_type",
                    "The body is not sent as NDJSON.",
                ));
            } else {
                statuses.push((413, "payload_too_large", "The body is larger than 1 MiB."));
                statuses.push((
                    415,
                    "unsupported_media_type",
                    "The body is not sent as JSON.",
                ));
            }
            statuses.push((
                422,
                "validation_failed",
                "The body is not valid: see `errors`.",
            ));
        }
        statuses.push(if path.starts_with("/v1/accounts/") {
            (
                409,
                "last_platform_admin",
                "The account is the only platform admin: deleting or demoting it would leave \
                 nobody to manage tenants and accounts.",
            )
        } else {
            (
                409,
                "already_exists",
                "A conflict: the object exists already, or is still in use.",
            )
        });
        if method != "post" {
            statuses.push((
                412,
                "precondition_failed",
                "`If-Match` named another revision.",
            ));
        }
    }
    if path == "/v1/tenants" && method == "post" {
        statuses.retain(|(status, _, _)| *status != 412);
    }
    if path.contains("/access/v1/") {
        // AuthZEN's transport: every malformed request is a 400; nothing is written.
        statuses.retain(|(status, _, _)| matches!(status, 401 | 403 | 404 | 413));
        statuses.insert(
            0,
            (
                400,
                "invalid_check",
                "Not JSON, not sent as JSON or not of the AuthZEN shape (`malformed_json`, \
                 `unsupported_media_type`, `validation_failed`), or a `type`, `id` or `name` \
                 missing or malformed (`invalid_check`, naming the field).",
            ),
        );
        if path.ends_with("/evaluations") {
            statuses.push((
                422,
                "limit_exceeded",
                "More than 1,000 items in `evaluations`.",
            ));
        }
    }
    statuses
}

/// The operations that take `minRevision` (SPEC §1): a revision never committed is 400
/// `revision_not_reached` at once; one committed that this replica cannot reach in time is
/// 503 `revision_unavailable` with `Retry-After`.
const TAKE_MIN_REVISION: [&str; 8] = [
    "check",
    "checkBatch",
    "effectivePermissions",
    "userResources",
    "resourceUsers",
    "meCheck",
    "mePermissions",
    "meResources",
];

/// The operations outside `/me` that verify a user's identity token (SPEC §6): `userToken`
/// in check and batch. Every `/me` operation takes one as its credential.
const TAKE_USER_TOKEN: [&str; 2] = ["check", "checkBatch"];

fn add_problem_responses(openapi: &mut OpenApiDoc) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        if !path.starts_with("/v1") && !path.starts_with("/.well-known/") {
            continue;
        }
        let operations = [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            // Either credential (alternatives); `/me` takes a user's identity token only.
            let me = path.contains("/me/");
            let schemes: &[&str] = if me {
                &["identityToken"]
            } else {
                &["bearer", "session"]
            };
            operation.security = Some(
                schemes
                    .iter()
                    .copied()
                    .map(|scheme| {
                        utoipa::openapi::security::SecurityRequirement::new(
                            scheme,
                            Vec::<String>::new(),
                        )
                    })
                    .collect(),
            );
            let mut statuses = problem_statuses(method, path);
            if operation
                .operation_id
                .as_deref()
                .is_some_and(|id| TAKE_MIN_REVISION.contains(&id))
            {
                statuses[0].2 = "The request is malformed: a bad id, parameter or JSON syntax; \
                    or `minRevision` names a revision the tenant has not committed \
                    (`revision_not_reached`, answered at once).";
                statuses.push((
                    503,
                    "revision_unavailable",
                    "`minRevision` names a committed revision this replica could not reach \
                     within 2 s; retry after `Retry-After` seconds.",
                ));
            }
            if me
                || operation
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| TAKE_USER_TOKEN.contains(&id))
            {
                for status in statuses.iter_mut() {
                    match status.0 {
                        401 => {
                            status.2 = "No credential, or one that is unknown or expired; or \
                                the user's identity token was refused, `code` naming the check \
                                that failed: `token_malformed`, `token_issuer_untrusted`, \
                                `token_algorithm_refused`, `token_key_unknown`, \
                                `token_signature_invalid`, `token_expired`, \
                                `token_not_yet_valid`, `token_audience_refused`, \
                                `token_claim_missing`, `token_subject_invalid`, `token_revoked`."
                        }
                        503 => {
                            status.2 = "`minRevision` names a committed revision this replica \
                                could not reach within 2 s (`revision_unavailable`), or the \
                                token's issuer's keys cannot be fetched and none are cached \
                                (`issuer_unreachable`); retry after `Retry-After` seconds."
                        }
                        _ => {}
                    }
                }
            }
            if operation.operation_id.as_deref() == Some("meCreateRecord") {
                for status in statuses.iter_mut().filter(|s| s.0 == 403) {
                    status.1 = "delegation_exceeded";
                    status.2 = "The record gives more than you may give: `errors` names each \
                        statement's role or resource and the right it needs.";
                }
            }
            for (status, code, description) in statuses {
                let example = serde_json::json!({
                    "type": format!("https://portcullis.dev/problems/{code}"),
                    "title": StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error"),
                    "status": status,
                    "detail": description,
                    "code": code,
                });
                let response = ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .example(Some(example))
                            .build(),
                    )
                    .build();
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert(response.into());
            }
        }
    }
}

/// The routes and their OpenAPI description, before state is attached.
fn router() -> (axum::Router<AppState>, OpenApiDoc) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(metrics::routes())
        .merge(tenants::routes())
        .merge(objects::routes())
        .merge(api_keys::routes())
        .merge(issuers::routes())
        .merge(audit::routes())
        .merge(transfer::routes())
        .merge(decisions::routes())
        .merge(accounts::routes())
        .merge(session::routes())
        .split_for_parts();
    add_problem_responses(&mut openapi);
    (router, openapi)
}

/// The OpenAPI description of the API, as committed in `openapi/openapi.json`.
pub fn openapi() -> OpenApiDoc {
    router().1
}

/// The whole HTTP application.
pub fn app(state: AppState) -> axum::Router {
    metrics::install();
    let (router, openapi) = router();
    router
        .route_layer(metrics::TrackLayer)
        // Serves the spec at /openapi.json and the interactive docs, from assets built into
        // the binary, at /docs.
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        // A caller's `X-Request-ID` comes back on the answer, whatever it is (AuthZEN asks
        // it of a PDP; every client tracing its calls is served by it).
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .with_state(state)
}

/// The OpenAPI description as committed: pretty JSON with a final newline.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    let mut json = openapi().to_pretty_json()?;
    json.push('\n');
    Ok(json)
}
