//! The benchmark's ceiling: an axum server that reads a check body exactly as Portcullis
//! receives it (JSON into the same fields, unknown ones refused) and answers a constant
//! decision, with no credential, engine or database. `bench/http.sh` runs it beside the
//! real server, so the check path is measured as a share of what axum + serde can do on
//! the same machine in the same run.
//!
//! `cargo run --release -p portcullis --example ceiling -- 127.0.0.1:PORT`

#![allow(clippy::print_stdout)]

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

/// The fields of `POST /v1/tenants/{t}/check`.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CheckRequest {
    user_id: String,
    resource_uri: String,
    permission: String,
    #[serde(default)]
    explain: bool,
    min_revision: Option<i64>,
    consistency: Option<String>,
}

async fn check(body: Bytes) -> impl IntoResponse {
    match serde_json::from_slice::<CheckRequest>(&body) {
        Ok(_) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"allowed":true,"revision":1}"#,
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/problem+json")],
            r#"{"code":"malformed_json"}"#,
        ),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("ceiling listening on {}", listener.local_addr()?);
    axum::serve(listener, Router::new().fallback(check)).await
}
