//! `/metrics` in the Prometheus text format: request counts and latency histograms by
//! method, route (the path template, never the concrete path) and status; decisions by
//! result; the decision indexes in all (`portcullis_engine_tenants`,
//! `portcullis_engine_records`).
//!
//! Nothing here names a tenant or counts one tenant's data (SPEC §5) unless per-tenant
//! series are switched on (`metrics_per_tenant`): then `portcullis_tenant_engine_records`
//! and `portcullis_tenant_engine_revision` are added, labelled by tenant, and `/metrics`
//! needs `Authorization: Bearer` with the admin token or the configured metrics token
//! (401 otherwise), so an unauthenticated scrape cannot learn which tenants exist.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock, RwLock};
use std::time::Instant;

use std::fmt::Write as _;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::ApiError;
use crate::auth::secret_hash;
use crate::service::EngineStats;

/// Who may read `/metrics`, and what it shows.
#[derive(Debug, Clone, Default)]
pub struct MetricsPolicy {
    /// Whether per-tenant series are shown (and a credential demanded).
    pub per_tenant: bool,
    /// The SHA-256 of each token that may read them: the admin token, the metrics token.
    pub token_hashes: Vec<String>,
}

impl MetricsPolicy {
    /// Whether the request carries one of the tokens.
    fn admits(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|token| secret_hash(token.trim()))
            .is_some_and(|hash| self.token_hashes.contains(&hash))
    }
}

/// Latency buckets, in seconds: from 100 µs (a check) to 10 s.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 10.0,
];

/// The process-wide recorder (metrics are per process, as Prometheus scrapes them); `None`
/// if another recorder was installed first.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(&BUCKETS).ok()?;
            builder.install_recorder().ok()
        })
        .as_ref()
}

/// Installs the recorder, so the first requests are counted too.
pub fn install() {
    let _ = handle();
}

/// The counter and histogram of one method, status and route, registered once.
type Handles = (metrics::Counter, metrics::Histogram);

/// A per-tenant series: its name and how to read it off an index.
type TenantSeries = (&'static str, fn(&EngineStats) -> i64);

/// The handles of each route, for one method and status.
type ByRoute = HashMap<String, Handles>;

/// Every request's series handles, by (method, status) then route: a request looks its
/// handles up instead of building label strings and registering them again.
static HANDLES: LazyLock<RwLock<HashMap<(Method, u16), ByRoute>>> = LazyLock::new(Default::default);

fn handles(method: &Method, status: u16, route: &str) -> Handles {
    let key = (method.clone(), status);
    if let Some(found) = HANDLES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .and_then(|routes| routes.get(route))
    {
        return found.clone();
    }
    let labels = [
        ("method", method.to_string()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    let made = (
        metrics::counter!("portcullis_http_requests_total", &labels),
        metrics::histogram!("portcullis_http_request_duration_seconds", &labels),
    );
    HANDLES
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_default()
        .insert(route.to_owned(), made.clone());
    made
}

/// Counts each request and records its latency, labelled by its route template: a layer
/// on every route (`route_layer`, where the template is known). Its own service rather
/// than `axum::middleware::from_fn`, which clones and boxes the routes behind it on every
/// request; this boxes one future.
#[derive(Debug, Clone, Copy)]
pub struct TrackLayer;

impl<S> tower::Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track { inner }
    }
}

/// The service of [`TrackLayer`].
#[derive(Debug, Clone)]
pub struct Track<S> {
    inner: S,
}

impl<S> tower::Service<Request> for Track<S>
where
    S: tower::Service<Request, Response = Response> + Send,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Response, S::Error>> + Send + 'static>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let method = request.method().clone();
        let matched = request.extensions().get::<MatchedPath>().cloned();
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
            let (counter, histogram) = handles(&method, response.status().as_u16(), route);
            counter.increment(1);
            histogram.record(started.elapsed().as_secs_f64());
            Ok(response)
        })
    }
}

/// Prometheus metrics
///
/// Per-tenant series appear only when the server runs with `metrics_per_tenant`; then this
/// needs the admin token or the metrics token as bearer credential.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "metrics",
    responses((status = 200, description = "Metrics in the Prometheus text format", body = String, content_type = "text/plain",
        example = "portcullis_http_requests_total{method=\"GET\",route=\"/v1/tenants/{tenantId}/roles\",status=\"200\"} 12"),
        (status = 401, description = "Per-tenant series are on and no admin or metrics token was sent", body = super::Problem, content_type = "application/problem+json")))]
async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let policy = &state.metrics;
    if policy.per_tenant && !policy.admits(&headers) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "per-tenant metrics are on: send the admin token or the metrics token as `Authorization: Bearer <token>`",
        )
        .into_response();
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not available").into_response();
    };
    let mut stats = state.service.engine_stats();
    metrics::gauge!("portcullis_engine_tenants").set(stats.len() as f64);
    metrics::gauge!("portcullis_engine_records")
        .set(stats.iter().map(|s| s.records).sum::<usize>() as f64);
    let mut text = handle.render();
    if policy.per_tenant {
        // Written here, from the indexes as they are now, so a deleted tenant leaves no
        // stale series. Tenant ids are slugs: nothing in them needs escaping.
        stats.sort_by(|a, b| a.tenant.cmp(&b.tenant));
        let series: [TenantSeries; 2] = [
            ("portcullis_tenant_engine_records", |s| s.records as i64),
            ("portcullis_tenant_engine_revision", |s| s.revision),
        ];
        for (name, value) in series {
            let _ = writeln!(text, "# TYPE {name} gauge");
            for s in &stats {
                let _ = writeln!(text, "{name}{{tenant=\"{}\"}} {}", s.tenant, value(s));
            }
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// The metrics route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(render))
}
