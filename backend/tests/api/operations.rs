//! Health, readiness, metrics, the served spec and docs, and per-credential rate limits.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Db, TestApp};

#[tokio::test]
async fn health_docs_and_spec_are_served() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let health = app
        .call(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    assert_eq!(health.body, "ok");
    app.call(Method::GET, "/readyz", None, None)
        .await
        .expect(200);

    let spec = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    let generated: Value = serde_json::from_str(&portcullis::api::openapi_json().unwrap()).unwrap();
    assert_eq!(spec.body, generated);

    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("swagger-ui"),
        "the interactive docs page is served"
    );
    // Its assets come from the binary, not from a CDN.
    assert!(
        !html.contains("https://"),
        "the docs page loads nothing from the network"
    );
    let initializer = app
        .client
        .get(format!("{}/docs/swagger-initializer.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), 200);
    assert!(initializer.text().await.unwrap().contains("/openapi.json"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    app.tenant("acme").await;
    app.get("/v1/tenants/acme/roles").await.expect(200);
    app.get("/v1/tenants/acme/roles/missing").await.expect(404);
    let check = serde_json::json!({"userId": "ada", "resourceUri": "/docs", "permission": "documents:read"});
    app.call(
        Method::POST,
        "/v1/tenants/acme/check",
        Some(crate::helpers::ADMIN),
        Some(check),
    )
    .await
    .expect(200);
    let metrics = app
        .call(Method::GET, "/metrics", None, None)
        .await
        .expect(200);
    let text = metrics.body.as_str().unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("portcullis_http_requests_total")
                && l.contains("route=\"/v1/tenants/{tenantId}/roles/{roleId}\"")
                && l.contains("status=\"404\"")
        })
        .unwrap_or_else(|| panic!("no counter for the 404 in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0);
    assert!(text.contains("portcullis_http_request_duration_seconds_bucket"));
    assert!(
        text.contains("portcullis_decisions_total{result=\"denied\"}"),
        "{text}"
    );
    assert!(
        text.contains("portcullis_engine_revision{tenant=\"acme\"}"),
        "{text}"
    );
    // Concrete ids never become labels.
    assert!(!text.contains("missing"));
}

#[tokio::test]
async fn rate_limits_are_per_credential() {
    let app = TestApp::spawn_with(Db::Sqlite, |config| config.rate_limit_per_second = 5)
        .await
        .unwrap();
    app.tenant("acme").await;
    let busy = app.key("acme", &["read"]).await;
    let quiet = app.key("acme", &["read"]).await;
    let mut limited = None;
    for _ in 0..20 {
        let got = app
            .call(Method::GET, "/v1/tenants/acme/roles", Some(&busy), None)
            .await;
        if got.status == 429 {
            limited = Some(got);
            break;
        }
        assert_eq!(got.status, 200);
    }
    let limited = limited
        .expect("20 requests at once exceed 5 per second")
        .expect_problem(429, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    // Another credential of the same tenant is not slowed down.
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(&quiet), None)
        .await
        .expect(200);
}
