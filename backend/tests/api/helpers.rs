//! A server per test, on a fresh database, and a small client for it.

use std::sync::atomic::{AtomicBool, Ordering};

use portcullis::App;
use portcullis::auth::Secret;
use portcullis::config::Config;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sqlx::Connection;

/// The variable naming the PostgreSQL server the PostgreSQL half of the tests runs on.
pub const POSTGRES_URL_VAR: &str = "PORTCULLIS_TEST_DATABASE_URL";

/// The admin token every test server is configured with.
pub const ADMIN: &str = "pcadmin_test_0123456789abcdef0123456789abcdef";

/// Runs each named test function on SQLite and on PostgreSQL.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(crate::helpers::TestApp::spawn(crate::helpers::Db::Sqlite).await.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = crate::helpers::TestApp::spawn(crate::helpers::Db::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database for one test; the SQLite file is removed with it.
#[derive(Clone)]
pub struct TestDb {
    pub url: String,
    _dir: Option<std::sync::Arc<tempfile::TempDir>>,
}

static WARNED: AtomicBool = AtomicBool::new(false);

impl TestDb {
    /// A fresh, empty database; `None` (with a loud warning) when PostgreSQL is asked for
    /// and no server is configured.
    pub async fn create(db: Db) -> Option<TestDb> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(std::sync::Arc::new(dir)),
                })
            }
            Db::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
                    // CI must run both halves: a missing server there is a failure.
                    assert!(
                        std::env::var("CI").as_deref() != Ok("true"),
                        "CI=true but {POSTGRES_URL_VAR} is not set: the PostgreSQL half cannot be skipped in CI"
                    );
                    if !WARNED.swap(true, Ordering::SeqCst) {
                        eprintln!(
                            "\n!!! {POSTGRES_URL_VAR} is not set: the PostgreSQL half of the tests was SKIPPED.\n\
                             !!! Run ./scripts/test.sh, which starts a throwaway PostgreSQL, to run it.\n"
                        );
                    }
                    return None;
                };
                let name = format!("portcullis_test_{}", portcullis::auth::random_hex(8));
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                let (base, _) = admin_url
                    .rsplit_once('/')
                    .expect("the URL names a database");
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                })
            }
        }
    }
}

/// What a request answered.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Portcullis-Revision` header as a number.
    pub fn revision(&self) -> i64 {
        self.header("portcullis-revision")
            .expect("a revision header")
            .parse()
            .unwrap()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts an error status and code, and that the body is a problem document.
    #[track_caller]
    pub fn expect_problem(self, status: u16, code: &str) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["code"], code, "unexpected problem: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        self
    }
}

/// A server on a fresh database, bound on port 0.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    /// Starts a server on a fresh database of the kind asked for.
    pub async fn spawn(db: Db) -> Option<TestApp> {
        Self::spawn_with(db, |_| {}).await
    }

    /// Starts a server with a configuration changed by `configure`.
    pub async fn spawn_with(db: Db, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = TestDb::create(db).await?;
        Some(Self::spawn_on(db, configure).await)
    }

    /// Starts a server on an existing database (a second replica, say).
    pub async fn spawn_on(db: TestDb, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            database_url: Some(db.url.clone()),
            admin_token: Some(Secret::new(ADMIN.into())),
            ..Config::default()
        };
        configure(&mut config);
        let app = App::build(&config).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        TestApp {
            base,
            client: http().build().unwrap(),
            db,
            stop: Some(stop),
        }
    }

    /// Sends a request with a bearer token (or none) and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.call_with(method, path, token, body, &[]).await
    }

    /// Like [`TestApp::call`], with extra headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, Some(ADMIN), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(ADMIN), Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(ADMIN), Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, Some(ADMIN), None).await
    }

    /// Creates a tenant.
    pub async fn tenant(&self, id: &str) {
        self.post(
            "/v1/tenants",
            json!({"tenantId": id, "name": format!("Tenant {id}")}),
        )
        .await
        .expect(201);
    }

    /// Creates an API key with these scopes in a tenant; returns its secret.
    pub async fn key(&self, tenant: &str, scopes: &[&str]) -> String {
        let response = self
            .post(
                &format!("/v1/tenants/{tenant}/api-keys"),
                json!({"name": "test key", "scopes": scopes}),
            )
            .await
            .expect(201);
        response.body["secret"].as_str().unwrap().to_owned()
    }

    /// Asks a check with a key; returns the answer's body.
    pub async fn check(&self, tenant: &str, key: &str, body: Value) -> Value {
        let path = format!("/v1/tenants/{tenant}/check");
        let response = self
            .call(Method::POST, &path, Some(key), Some(body))
            .await
            .expect(200);
        assert_eq!(
            response.revision(),
            response.body["revision"].as_i64().unwrap()
        );
        response.body
    }

    /// The tenant's current revision.
    pub async fn revision(&self, tenant: &str) -> i64 {
        self.get(&format!("/v1/tenants/{tenant}"))
            .await
            .expect(200)
            .body["revision"]
            .as_i64()
            .unwrap()
    }
}

/// A browser-like client signed in to the console: it keeps cookies and knows the
/// session's CSRF token.
pub struct Console {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub account: Value,
}

impl TestApp {
    /// Creates a console account (as the platform admin) and, with `tenant`, makes it a
    /// member with `role`.
    pub async fn account(&self, username: &str, password: &str, member_of: Option<(&str, &str)>) {
        self.post(
            "/v1/accounts",
            json!({"username": username, "password": password}),
        )
        .await
        .expect(201);
        if let Some((tenant, role)) = member_of {
            self.put(
                &format!("/v1/tenants/{tenant}/members/{username}"),
                json!({"role": role}),
            )
            .await
            .expect(201);
        }
    }

    /// Signs in with a fresh cookie-keeping client; panics unless it succeeds.
    pub async fn sign_in(&self, username: &str, password: &str) -> Console {
        let client = http().cookie_store(true).build().unwrap();
        let response = client
            .post(format!("{}/v1/session", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in failed");
        let body: Value = response.json().await.unwrap();
        Console {
            client,
            base: self.base.clone(),
            csrf: body["csrfToken"].as_str().unwrap().to_owned(),
            account: body["account"].clone(),
        }
    }
}

impl Console {
    /// Sends a request with the session cookie, and the CSRF token when `csrf` is set.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>, csrf: bool) -> Resp {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if csrf {
            request = request.header("x-csrf-token", &self.csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Resp {
            status,
            headers,
            body: if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            },
        }
    }
}

/// The `field` of each error of a problem document, in its order.
pub fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

/// A builder of HTTP clients for the tests: rustls (under reqwest) needs the process's
/// crypto provider installed before the first client is built.
pub fn http() -> reqwest::ClientBuilder {
    portcullis::identity::jwks::install_crypto_providers();
    reqwest::Client::builder()
}
