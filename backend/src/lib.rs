//! Portcullis: a multi-tenant authorization service.
//!
//! The layers, each depending only on those after it: [`api`] (HTTP) → [`service`]
//! (use-cases) → [`store`] (SQLite / PostgreSQL) and [`engine`] (decisions in memory) →
//! [`domain`] (vocabulary, no I/O).
//! [`App`] puts them together behind a TCP listener.

// The console's server-side rendering is compiled in this crate: its Leptos views are
// deeply nested types whose layout (computed when code is generated, so `cargo check` and
// clippy pass without it) overflows the default limit of 128.
#![recursion_limit = "512"]

pub mod api;
pub mod auth;
pub mod config;
pub mod console;
pub mod domain;
pub mod engine;
pub mod identity;
pub mod service;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::api::{ApiError, AppState, MetricsPolicy, SessionPolicy, Shared};
use crate::auth::{DatabaseSessions, Secret, new_admin_token, secret_hash};
use crate::config::Config;
use crate::domain::Limits;
use crate::service::Service;
use crate::store::{Store, StoreError};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("cannot create data directory `{path}`: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration cannot be used (a token that could never authenticate).
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The first account could not be created.
    #[error("cannot create the first console account: {0}")]
    Account(service::ServiceError),
    /// The address could not be bound.
    #[error("cannot listen on `{address}`: {source}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A server, bound and ready to run.
#[derive(Debug)]
pub struct App {
    listener: TcpListener,
    /// The routes; [`App::run_until_stopped`] puts the layers around them.
    routes: axum::Router,
    sessions: SessionManagerLayer<DatabaseSessions>,
    store: Store,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The platform admin token this start generated, to be shown once; `None` when one
    /// was configured or already existed.
    pub new_admin_token: Option<Secret>,
    /// The console account this start created (username, password), to be shown once:
    /// the first start of an empty database creates a platform admin account `admin`.
    pub new_admin_account: Option<(String, Secret)>,
}

/// The console account the first start creates.
pub const FIRST_ACCOUNT: &str = "admin";

/// How often sessions past their expiry are deleted from the database.
const SESSION_SWEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Opens the store the configuration names, creating the SQLite data directory if needed.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
    }
    Ok(Store::connect(&config.database_url()).await?)
}

impl App {
    /// Opens and migrates the database, settles the admin token and binds the listener
    /// (port 0 picks a free port: see [`App::local_addr`]).
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        config.validate()?;
        let store = open_store(config).await?;
        let mut generated = None;
        let admin_token_hash = match &config.admin_token {
            Some(token) => {
                let hash = secret_hash(token.expose());
                store.set_admin_token_hash(&hash).await?;
                hash
            }
            None => match store.admin_token_hash().await? {
                Some(hash) => hash,
                None => {
                    let token = new_admin_token();
                    let hash = secret_hash(token.expose());
                    store.set_admin_token_hash(&hash).await?;
                    generated = Some(token);
                    hash
                }
            },
        };
        let service = Arc::new(Service::new(
            store.clone(),
            Some(admin_token_hash.clone()),
            config.cluster,
        ));
        let new_admin_account = if service.has_accounts().await.map_err(StartError::Account)? {
            None
        } else {
            let password = Secret::new(auth::random_hex(12));
            service
                .create_account(portcullis_api::AccountIn {
                    username: FIRST_ACCOUNT.into(),
                    password: password.expose().to_owned(),
                    platform_admin: true,
                })
                .await
                .map_err(StartError::Account)?;
            Some((FIRST_ACCOUNT.to_owned(), password))
        };
        let mut tasks = Vec::new();
        // Checks are answered while this runs (a tenant's index is built on its first
        // check if the loader has not reached it); `/readyz` says when it is done.
        tasks.push(tokio::spawn(service.clone().load_indexes()));
        if config.cluster {
            tasks.push(tokio::spawn(service.clone().follow_changes()));
        }
        tasks.push(tokio::spawn(sweep_sessions(store.clone())));
        let sessions = SessionManagerLayer::new(DatabaseSessions(store.clone()))
            .with_name(SESSION_COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Strict)
            .with_secure(config.secure_cookies)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::minutes(i64::from(
                config.session_idle_minutes,
            ))));
        let routes = api::app(AppState::new(Shared {
            service,
            limiter: api::rate_limiter(config.rate_limit_per_second),
            sessions: SessionPolicy::new(
                std::time::Duration::from_secs(u64::from(config.session_max_hours) * 3600),
                config.login_attempts_per_minute,
            ),
            metrics: Arc::new(MetricsPolicy {
                per_tenant: config.metrics_per_tenant,
                token_hashes: std::iter::once(admin_token_hash)
                    .chain(
                        config
                            .metrics_token
                            .as_ref()
                            .map(|t| secret_hash(t.expose())),
                    )
                    .collect(),
            }),
        }))
        .merge(console::router(&config.console_dir));
        let listener =
            TcpListener::bind(&config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    address: config.listen.clone(),
                    source,
                })?;
        Ok(Self {
            listener,
            routes,
            sessions,
            store,
            tasks,
            new_admin_token: generated,
            new_admin_account,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and closes
    /// the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // Outermost first: a panic becomes a 500 problem; the request's trace span; the
        // body limit; then the text rule on path and query, and the routes, behind the
        // session layer only when a session can be used.
        let service = tower::ServiceBuilder::new()
            .map_response(axum::response::IntoResponse::into_response)
            .layer(CatchPanicLayer::custom(
                |_panic: Box<dyn std::any::Any + Send>| {
                    use axum::response::IntoResponse;
                    tracing::error!("a request handler panicked");
                    ApiError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "internal_error",
                        "the server could not complete the request; it has been logged",
                    )
                    .into_response()
                },
            ))
            .layer(TraceLayer::new_for_http())
            .layer(DefaultBodyLimit::max(Limits::BODY_BYTES))
            .service(with_sessions_when_needed(self.routes, self.sessions));
        // The peer address feeds the per-address sign-in throttle.
        axum::serve(
            api::ProblemListener(self.listener),
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                api::PeerAddr,
            >(service),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        for task in self.tasks {
            task.abort();
        }
        self.store.close().await;
        Ok(())
    }
}

/// The text rule on the request line ([`api::control_in_uri`]), then the routes, behind
/// the console's session layer only for requests that can use a session: those carrying
/// the session cookie, and `/v1/session` (sign-in creates one). Every other request (an
/// app's API key, the admin token, a page without a cookie) would only pay for a session
/// it cannot have, so it goes to the routes directly.
fn with_sessions_when_needed<S>(
    app: axum::Router,
    sessions: SessionManagerLayer<S>,
) -> impl tower::Service<
    axum::extract::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static
where
    S: tower_sessions::SessionStore + Clone,
{
    use tower::{Layer, ServiceExt};
    let with_sessions = sessions.layer(app.clone());
    tower::service_fn(move |request: axum::extract::Request| {
        let refused = api::control_in_uri(request.uri());
        let needs_session = request.uri().path().starts_with("/v1/session")
            || request
                .headers()
                .get_all(axum::http::header::COOKIE)
                .iter()
                .any(|v| {
                    let name = SESSION_COOKIE.as_bytes();
                    v.as_bytes()
                        .windows(name.len() + 1)
                        .any(|w| w.starts_with(name) && w.ends_with(b"="))
                });
        // Only the routes this request takes are cloned (tower's `oneshot` consumes them).
        let target = if let Some(problem) = refused {
            Target::Refused(problem)
        } else if needs_session {
            Target::WithSessions(with_sessions.clone())
        } else {
            Target::Plain(app.clone())
        };
        async move {
            match target {
                Target::Refused(problem) => {
                    Ok(axum::response::IntoResponse::into_response(problem))
                }
                Target::WithSessions(routes) => routes.oneshot(request).await,
                Target::Plain(routes) => routes.oneshot(request).await,
            }
        }
    })
}

/// Where one request goes: refused for its request line, or to the routes behind the
/// session layer, or not.
enum Target<S> {
    Refused(ApiError),
    WithSessions(S),
    Plain(axum::Router),
}

/// The console session cookie's name.
const SESSION_COOKIE: &str = "portcullis_session";

/// Deletes expired console sessions now and then (an expired one is already refused; this
/// only keeps the table small).
async fn sweep_sessions(store: Store) {
    loop {
        match store.delete_expired_sessions().await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "expired console sessions deleted"),
            Err(error) => tracing::warn!(%error, "could not delete expired console sessions"),
        }
        tokio::time::sleep(SESSION_SWEEP).await;
    }
}
