//! Serves the admin console (crate `portcullis-console`) from this binary, on the API's
//! origin: its pages are rendered here, and its compiled assets (`pkg/`: the wasm, its
//! JavaScript glue and the stylesheet, built by `scripts/build-console.sh`) are files read from
//! the console directory (`PORTCULLIS_CONSOLE_DIR`, default `target/site`).
//!
//! Its pages may not be framed by other sites (`X-Frame-Options: DENY`, against
//! clickjacking), are not sniffed, and send no referrer elsewhere. Nothing is fetched from
//! another origin at run time. Each page carries a Content-Security-Policy whose only
//! inline scripts are those with the page's own nonce (Leptos makes one per response and
//! puts it on the hydration scripts it writes): no `unsafe-inline`, no `unsafe-eval`
//! (`wasm-unsafe-eval` lets the console's wasm compile), styles and everything else from
//! this origin only, no framing, no `<base>`, forms posting only here. Without the built assets the pages
//! still render, but stay static; the server logs a warning at start.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Redirect;
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The console's name in `target/site/pkg/<name>.{js,wasm,css}`, as
/// `scripts/build-console.sh` writes them (and `LEPTOS_OUTPUT_NAME` in .cargo/config.toml).
const OUTPUT_NAME: &str = "portcullis-console";

/// Sets the page's Content-Security-Policy, naming the nonce Leptos made for this response
/// (run by `leptos_axum` after it provided the nonce and the response options).
fn content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    // The nonce is base64: always a valid header value.
    if let (Ok(value), Some(response)) = (
        HeaderValue::from_str(&policy),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The console's routes: `/console/…` pages, `/pkg/…` assets, `/favicon.ico`, and `/`
/// sending people to the console.
pub fn router(site_root: &Path) -> Router {
    let pkg = site_root.join("pkg");
    if !pkg.join(format!("{OUTPUT_NAME}.wasm")).exists() {
        tracing::warn!(
            dir = %pkg.display(),
            "the console's compiled assets are missing: run `scripts/build-console.sh release` (see README)"
        );
    }
    let options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .env(Env::PROD)
        .build();
    portcullis_console::server::pages(options, content_security_policy)
        .route("/", get(|| async { Redirect::to("/console") }))
        .nest_service("/pkg", ServeDir::new(pkg))
        .route_service(
            "/favicon.ico",
            ServeFile::new(site_root.join("favicon.ico")),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
