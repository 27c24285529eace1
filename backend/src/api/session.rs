//! `/v1/session`: console sign-in, the signed-in account, and sign-out.
//!
//! Sessions are tower-sessions records in the server's database; the cookie
//! (`portcullis_session`) is `HttpOnly`, `SameSite=Strict`, and `Secure` when
//! `PORTCULLIS_SECURE_COOKIES` is set (serve over TLS, directly or behind a proxy). Signing
//! in rotates the session id. A session ends when idle for the idle timeout, at the latest
//! the absolute timeout after sign-in, and at sign-out (the record is deleted, so a copied
//! cookie is worthless afterwards). A new password or a deleted account ends every session
//! of the account.
//!
//! CSRF: every state-changing request authenticated by the cookie must carry the session's
//! token in `X-CSRF-Token` (the synchronizer-token pattern); the token is returned at sign-in
//! and by `GET /v1/session`, never put in a cookie. Signing in itself needs no token: it
//! takes a JSON body, which a cross-site form cannot send without a CORS preflight this
//! server never grants, and the cookie is `SameSite=Strict`.
//!
//! Sign-in attempts are throttled per username and per client address (the TCP peer;
//! `X-Forwarded-For` is not trusted): over the limit, 429 `too_many_attempts` with
//! `Retry-After`, before any password is checked.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use governor::clock::Clock;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::ApiJson;
use super::{ApiError, AppState, RateLimiter};
use crate::auth::{ACCOUNT_KEY, Secret, random_hex, same_secret};
use crate::domain::now;
use portcullis_api::{SessionInfo, SignIn};

use crate::service::Principal;

/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
const CSRF_KEY: &str = "csrf";
const SIGNED_IN_KEY: &str = "signedInAt";
const SEEN_KEY: &str = "seenAt";
/// How stale the last-seen mark may get before a request refreshes it (and with it the
/// idle expiry): one write per minute of activity, not one per request.
const SEEN_RESOLUTION_MS: i64 = 60_000;

/// How console sessions behave.
#[derive(Debug)]
pub struct SessionPolicy {
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
    /// Sign-in attempts per username.
    pub by_account: RateLimiter,
    /// Sign-in attempts per client address.
    pub by_address: RateLimiter,
}

impl SessionPolicy {
    /// A policy allowing `attempts_per_minute` sign-ins per username and five times as many
    /// per client address (one office behind one address).
    pub fn new(absolute: Duration, attempts_per_minute: u32) -> Arc<Self> {
        let per_account = NonZeroU32::new(attempts_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_address = per_account.saturating_mul(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN));
        Arc::new(Self {
            absolute,
            by_account: governor::RateLimiter::keyed(governor::Quota::per_minute(per_account)),
            by_address: governor::RateLimiter::keyed(governor::Quota::per_minute(per_address)),
        })
    }
}

fn session_failure(error: tower_sessions::session::Error) -> ApiError {
    tracing::error!(%error, "session store failure");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "the server could not complete the request; it has been logged",
    )
}

fn signed_out() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "not signed in, or the session has ended: sign in again",
    )
}

fn session_of(parts: &Parts) -> Option<Session> {
    parts.extensions.get::<Session>().cloned()
}

/// The username of the session's account, after enforcing the absolute and idle limits.
/// `None` without a live session.
async fn signed_in(session: &Session, policy: &SessionPolicy) -> Result<Option<String>, ApiError> {
    let Some(username) = session
        .get::<String>(ACCOUNT_KEY)
        .await
        .map_err(session_failure)?
    else {
        return Ok(None);
    };
    let at = now().millis();
    let since = session
        .get::<i64>(SIGNED_IN_KEY)
        .await
        .map_err(session_failure)?
        .unwrap_or(0);
    if at - since > policy.absolute.as_millis() as i64 {
        session.flush().await.map_err(session_failure)?;
        return Ok(None);
    }
    let seen = session
        .get::<i64>(SEEN_KEY)
        .await
        .map_err(session_failure)?
        .unwrap_or(0);
    if at - seen >= SEEN_RESOLUTION_MS {
        // Modifying the session makes tower-sessions save it with a fresh idle expiry.
        session
            .insert(SEEN_KEY, at)
            .await
            .map_err(session_failure)?;
    }
    Ok(Some(username))
}

fn check_csrf(
    method: &Method,
    headers: &HeaderMap,
    expected: Option<&str>,
) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (sent, expected) {
        (Some(sent), Some(expected)) if same_secret(sent, expected) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "a request signed in with the console session must carry the session's CSRF token \
             in `X-CSRF-Token`",
        )),
    }
}

/// The principal of the request's console session, if it has a live one; state-changing
/// methods must carry its CSRF token.
pub(super) async fn principal(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<Principal>, ApiError> {
    let Some(session) = session_of(parts) else {
        return Ok(None);
    };
    let Some(username) = signed_in(&session, &state.sessions).await? else {
        return Ok(None);
    };
    let expected = session
        .get::<String>(CSRF_KEY)
        .await
        .map_err(session_failure)?;
    check_csrf(&parts.method, &parts.headers, expected.as_deref())?;
    match state.service.account_principal(&username).await? {
        Some(principal) => Ok(Some(principal)),
        None => {
            // The account was deleted while signed in.
            session.flush().await.map_err(session_failure)?;
            Ok(None)
        }
    }
}

/// The request's session (present on every request the server's layer wraps).
#[derive(Debug, Clone)]
pub struct ConsoleSession(Session);

impl<S: Send + Sync> FromRequestParts<S> for ConsoleSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        session_of(parts).map(ConsoleSession).ok_or_else(|| {
            tracing::error!("the session layer is missing");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the server could not complete the request; it has been logged",
            )
        })
    }
}

/// The TCP peer's IP address (`unknown` when the server runs without connect info).
#[derive(Debug, Clone)]
pub struct ClientAddress(String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<super::PeerAddr>>()
                .map(|ConnectInfo(super::PeerAddr(peer))| peer.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

fn throttle(limiter: &RateLimiter, key: String) -> Result<(), ApiError> {
    limiter.check_key(&key).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        ApiError::too_many(
            "too_many_attempts",
            "too many sign-in attempts for this account or from this address",
            wait,
        )
    })
}

/// Sign in to the console
///
/// Starts a session (a new session id, in the `portcullis_session` cookie) and returns the
/// CSRF token to send with its state-changing requests.
#[utoipa::path(post, path = "/v1/session", tag = "session", operation_id = "signIn",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in", body = SessionInfo),
        (status = 429, description = "Too many attempts for this account or from this address", body = super::Problem)))]
async fn sign_in(
    State(state): State<AppState>,
    ConsoleSession(session): ConsoleSession,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SessionInfo>, ApiError> {
    throttle(&state.sessions.by_address, address)?;
    throttle(
        &state.sessions.by_account,
        body.username.to_ascii_lowercase(),
    )?;
    let account = state
        .service
        .sign_in(&body.username, Secret::new(body.password))
        .await?;
    let csrf_token = random_hex(32);
    let at = now().millis();
    // A fresh id at every sign-in: a session id planted before sign-in is worthless.
    session.cycle_id().await.map_err(session_failure)?;
    session.clear().await;
    session
        .insert(ACCOUNT_KEY, &account.username)
        .await
        .map_err(session_failure)?;
    session
        .insert(CSRF_KEY, &csrf_token)
        .await
        .map_err(session_failure)?;
    session
        .insert(SIGNED_IN_KEY, at)
        .await
        .map_err(session_failure)?;
    session
        .insert(SEEN_KEY, at)
        .await
        .map_err(session_failure)?;
    tracing::info!(username = %account.username, "console sign-in");
    Ok(Json(SessionInfo {
        account,
        csrf_token,
    }))
}

/// The signed-in account
#[utoipa::path(get, path = "/v1/session", tag = "session", operation_id = "getSession",
    responses((status = 200, description = "The account and the session's CSRF token", body = SessionInfo)))]
async fn get_session(
    State(state): State<AppState>,
    ConsoleSession(session): ConsoleSession,
) -> Result<Json<SessionInfo>, ApiError> {
    let username = signed_in(&session, &state.sessions)
        .await?
        .ok_or_else(signed_out)?;
    let csrf_token = session
        .get::<String>(CSRF_KEY)
        .await
        .map_err(session_failure)?
        .ok_or_else(signed_out)?;
    let account = match state.service.get_account(&username).await {
        Ok(account) => account,
        Err(crate::service::ServiceError::NotFound(_)) => {
            session.flush().await.map_err(session_failure)?;
            return Err(signed_out());
        }
        Err(error) => return Err(error.into()),
    };
    Ok(Json(SessionInfo {
        account,
        csrf_token,
    }))
}

/// Sign out
///
/// Ends the session on the server (its record is deleted) and clears the cookie. Needs the
/// session's CSRF token.
#[utoipa::path(delete, path = "/v1/session", tag = "session", operation_id = "signOut",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Signed out")))]
async fn sign_out(
    State(state): State<AppState>,
    ConsoleSession(session): ConsoleSession,
    method: Method,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    signed_in(&session, &state.sessions)
        .await?
        .ok_or_else(signed_out)?;
    let expected = session
        .get::<String>(CSRF_KEY)
        .await
        .map_err(session_failure)?;
    check_csrf(&method, &headers, expected.as_deref())?;
    session.flush().await.map_err(session_failure)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The session routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, get_session, sign_out))
}
