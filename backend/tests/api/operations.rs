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
    // Ready once the decision indexes are loaded (at once here: the database is empty).
    let mut ready = app.call(Method::GET, "/readyz", None, None).await;
    for _ in 0..100 {
        if ready.status == 200 {
            break;
        }
        assert_eq!(ready.body, "loading decision indexes");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        ready = app.call(Method::GET, "/readyz", None, None).await;
    }
    ready.expect(200);

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
    app.check("acme", crate::helpers::ADMIN, check).await;
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
    assert!(text.contains("portcullis_engine_tenants 1"), "{text}");
    assert!(text.contains("portcullis_engine_records 0"), "{text}");
    // Concrete ids never become labels, and no tenant is named (SPEC §5).
    assert!(!text.contains("missing"));
    assert!(!text.contains("tenant="), "{text}");
    assert!(!text.contains("acme"), "{text}");
}

#[tokio::test]
async fn per_tenant_metrics_need_a_credential() {
    let metrics_token = "metrics-token-0123456789abcdef0123456789";
    let app = TestApp::spawn_with(Db::Sqlite, |config| {
        config.metrics_per_tenant = true;
        config.metrics_token = Some(portcullis::auth::Secret::new(metrics_token.into()));
    })
    .await
    .unwrap();
    app.tenant("acme").await;
    let check = serde_json::json!({"userId": "ada", "resourceUri": "/docs", "permission": "documents:read"});
    app.check("acme", crate::helpers::ADMIN, check).await;
    for token in [None, Some("wrong-token"), Some("pc_0000")] {
        let refused = app
            .call(Method::GET, "/metrics", token, None)
            .await
            .expect_problem(401, "unauthenticated");
        assert!(!refused.body.to_string().contains("acme"));
    }
    let key = app.key("acme", &["read", "check"]).await;
    app.call(Method::GET, "/metrics", Some(&key), None)
        .await
        .expect_problem(401, "unauthenticated");
    for token in [crate::helpers::ADMIN, metrics_token] {
        let metrics = app
            .call(Method::GET, "/metrics", Some(token), None)
            .await
            .expect(200);
        let text = metrics.body.as_str().unwrap();
        assert!(
            text.contains("portcullis_tenant_engine_revision{tenant=\"acme\"}"),
            "{text}"
        );
        assert!(
            text.contains("portcullis_tenant_engine_records{tenant=\"acme\"} 0"),
            "{text}"
        );
    }
}

/// Requests hyper refuses before the router (an unparsable header, a URI over 64 KiB, too
/// many headers) are answered with problem documents too, over a raw connection.
#[tokio::test]
async fn http_layer_rejections_are_problem_documents() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let address = app.base.trim_start_matches("http://").to_owned();
    let many_headers: String = (0..300).map(|i| format!("x-h{i}: v\r\n")).collect();
    let long_path = format!("/v1/tenants/{}", "a".repeat(70_000));
    let cases = [
        (
            "GET /healthz HTTP/1.1\r\nhost: x\r\nx-bad: a\0b\r\n\r\n".to_owned(),
            400,
            "malformed_request",
        ),
        (
            format!("GET {long_path} HTTP/1.1\r\nhost: x\r\n\r\n"),
            414,
            "uri_too_long",
        ),
        (
            format!("GET /healthz HTTP/1.1\r\nhost: x\r\n{many_headers}\r\n"),
            431,
            "headers_too_large",
        ),
        ("GARBAGE\r\n\r\n".to_owned(), 400, "malformed_request"),
    ];
    for (request, status, code) in cases {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status} ")),
            "{code}: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{code}: {head}"
        );
        let problem: Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], code);
        assert_eq!(problem["status"], status);
    }
    // The server still answers normally afterwards.
    app.call(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
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
