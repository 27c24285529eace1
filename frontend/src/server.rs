//! The console's pages as the server serves them (feature `ssr`).
//!
//! [`pages`] is deliberately not generic: every page's view type is instantiated here, in
//! this crate, and compiled at this crate's optimisation level (`opt-level = 0` in the
//! release profile, see the workspace's Cargo.toml: a much shorter first build), not at the
//! server's `3`. A page is rendered once per navigation of an admin (in about 0.5 ms), where
//! the server's own code runs on every check.

use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::{App, shell};

/// Every page of the console (`/console/…`), rendered with `options`. `per_page` runs in
/// each page's reactive context before it renders (the server sets the page's headers
/// there, from `leptos_axum::ResponseOptions`).
pub fn pages(options: LeptosOptions, per_page: fn()) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes_with_context(&options, routes, per_page, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options)
}
