//! `/healthz` (the process answers) and `/readyz` (the database answers and the decision
//! indexes are loaded).

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Liveness: the process is up
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "healthz",
    responses((status = 200, description = "The process answers", body = String, example = "ok")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database is reachable and the decision indexes of the tenants that
/// existed at start are loaded
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "readyz",
    responses((status = 200, description = "Ready to serve", body = String, example = "ready"),
        (status = 503, description = "The database does not answer, or the decision indexes are still loading", body = String)))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !state.service.indexes_loaded() {
        return (StatusCode::SERVICE_UNAVAILABLE, "loading decision indexes");
    }
    match state.service.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// The health routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}
