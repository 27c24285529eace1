//! The console's client of the `/v1` REST API: the same endpoints integrators use,
//! authenticated by the session cookie, with the session's CSRF token on every request that
//! changes something. Errors are the API's problem documents, kept whole so forms can show
//! each field's message beside the field.
//!
//! Requests run in the browser only (feature `hydrate`): the server renders each page's
//! frame and loading state, and the browser fetches the data.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use portcullis_api::{FieldError, Problem, Reference};

/// A failure that is not an answer of the API (status 0: the request did not reach the
/// server, or its answer could not be read).
pub fn local_problem(detail: impl Into<String>) -> Problem {
    Problem {
        problem_type: "about:blank".into(),
        title: "Network error".into(),
        status: 0,
        detail: detail.into(),
        code: "network_error".into(),
        errors: Vec::new(),
        referrers: Vec::new(),
        current_revision: None,
    }
}

/// One page of a list: the shape of every list answer of the API (`RoleList`,
/// `HolderPage` …), over the item type the list holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// The revision of a lookup's answer.
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A kind of tenant object the console lists and edits, with the wire types of
/// `portcullis-api`.
pub trait Object: DeserializeOwned + Clone + Send + Sync + 'static {
    /// The API collection (`roles`).
    const SECTION: &'static str;
    /// Its id.
    fn id(&self) -> &str;
    /// The revision of its last change.
    fn revision(&self) -> i64;
}

macro_rules! object {
    ($type:ty, $section:literal, $id:ident) => {
        impl Object for $type {
            const SECTION: &'static str = $section;
            fn id(&self) -> &str {
                &self.$id
            }
            fn revision(&self) -> i64 {
                self.revision
            }
        }
    };
}

object!(portcullis_api::Role, "roles", role_id);
object!(portcullis_api::Group, "groups", group_id);
object!(portcullis_api::Record, "records", record_id);
object!(portcullis_api::Resource, "resources", resource_uri);
object!(portcullis_api::User, "users", user_id);
object!(portcullis_api::Issuer, "issuers", issuer_id);

/// Percent-encodes a path segment or query value (everything but RFC 3986's unreserved
/// characters).
pub fn enc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query string (`?a=1&b=2`) of the non-empty pairs; empty when there are none.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", enc(value)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `/v1/tenants/{tenant}{rest}`.
pub fn tenant_path(tenant: &str, rest: &str) -> String {
    format!("/v1/tenants/{}{rest}", enc(tenant))
}

#[cfg(feature = "hydrate")]
mod transport {
    use std::cell::RefCell;

    use gloo_net::http::{Method, RequestBuilder};

    use super::Problem;

    thread_local! {
        static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
    }

    pub fn set_csrf(token: &str) {
        CSRF.with(|csrf| *csrf.borrow_mut() = token.to_owned());
    }

    /// The answer's text (empty for none).
    pub async fn request(
        method: &str,
        path: &str,
        body: Option<String>,
        if_match: Option<i64>,
    ) -> Result<String, Problem> {
        let method = match method {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            _ => Method::DELETE,
        };
        let mut builder = RequestBuilder::new(path).method(method.clone());
        if method != Method::GET {
            let token = CSRF.with(|csrf| csrf.borrow().clone());
            builder = builder.header("x-csrf-token", &token);
        }
        if let Some(revision) = if_match {
            builder = builder.header("if-match", &format!("\"{revision}\""));
        }
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(body),
            None => builder.build(),
        }
        .map_err(|e| super::local_problem(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| super::local_problem(format!("the server could not be reached: {e}")))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status >= 400 {
            let mut problem: Problem = serde_json::from_str(&text).unwrap_or_else(|_| {
                super::local_problem(format!(
                    "the server answered {status} without a problem document"
                ))
            });
            problem.status = status;
            return Err(problem);
        }
        Ok(text)
    }
}

#[cfg(not(feature = "hydrate"))]
mod transport {
    use super::Problem;

    pub fn set_csrf(_token: &str) {}

    pub async fn request(
        _method: &str,
        _path: &str,
        _body: Option<String>,
        _if_match: Option<i64>,
    ) -> Result<String, Problem> {
        Err(super::local_problem(
            "the API is called from the browser only",
        ))
    }
}

/// Remembers the session's CSRF token for later requests.
pub fn set_csrf(token: &str) {
    transport::set_csrf(token);
}

/// An answer's text as `T` (an empty answer as JSON `null`, which `()` reads).
fn decode<T: DeserializeOwned>(text: &str) -> Result<T, Problem> {
    let text = if text.is_empty() { "null" } else { text };
    serde_json::from_str(text).map_err(|e| local_problem(format!("unexpected answer: {e}")))
}

/// `GET path`, decoded.
pub async fn get<T: DeserializeOwned>(path: String) -> Result<T, Problem> {
    decode(&transport::request("GET", &path, None, None).await?)
}

/// A request with a JSON body, its answer decoded.
pub async fn send<T: DeserializeOwned>(
    method: &'static str,
    path: String,
    body: &impl Serialize,
) -> Result<T, Problem> {
    send_at(method, path, body, None).await
}

/// A request with a JSON body that applies only while the object is at `revision`
/// (`If-Match`; 412 `precondition_failed` once someone else changed it), its answer decoded.
pub async fn send_at<T: DeserializeOwned>(
    method: &'static str,
    path: String,
    body: &impl Serialize,
    revision: Option<i64>,
) -> Result<T, Problem> {
    let body = serde_json::to_string(body)
        .map_err(|e| local_problem(format!("the request could not be written: {e}")))?;
    decode(&transport::request(method, &path, Some(body), revision).await?)
}

/// `DELETE path`.
pub async fn delete(path: String) -> Result<(), Problem> {
    delete_at(path, None).await
}

/// `DELETE path` while the object is at `revision` (`If-Match`).
pub async fn delete_at(path: String, revision: Option<i64>) -> Result<(), Problem> {
    transport::request("DELETE", &path, None, revision)
        .await
        .map(drop)
}
