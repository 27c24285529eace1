//! Hostile input against every operation of the committed OpenAPI spec, on both databases:
//! each path parameter, each query parameter and each text field of each request body in
//! turn gets a hostile string (NUL and other control characters, a lone surrogate escaped
//! in JSON, right-to-left marks, a Kelvin sign, 10,000 characters…) plus strings generated
//! by proptest. Whatever the answer, it is never a 5xx; an error is always a problem
//! document with a `code`; a refused request leaves the tenant's revision where it was;
//! and text holding a control character is always refused (SPEC §1).
//!
//! The operations come from `openapi/openapi.json` (the spec test keeps it equal to the
//! code), so a new endpoint is swept without being listed here; a new request body needs a
//! valid example in [`base_body`], or the test says so.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, TestApp};

on_both_databases!(hostile_input_is_refused_cleanly_everywhere);

/// A JSON body text standing for a lone surrogate, which no Rust string can hold.
const LONE_SURROGATE: &str = "\u{e000}lone-surrogate\u{e000}";

/// The fixed corpus: each class of hostile text once.
fn corpus() -> Vec<String> {
    vec![
        "a\u{0}b".into(),
        "\u{0}".into(),
        "tab\there".into(),
        "line\nbreak".into(),
        "\u{7f}".into(),
        "c1\u{85}".into(),
        "\u{200f}admin\u{202e}".into(),
        "\u{212a}eys:read".into(),
        "x".repeat(10_000),
        "é".repeat(300),
        "😀/../%00".into(),
        "' OR 1=1; --".into(),
        "/orgs/acme/*".into(),
        "".into(),
        LONE_SURROGATE.into(),
    ]
}

/// Arbitrary strings from proptest (any Unicode, control characters included),
/// deterministic so a failure repeats.
fn generated(count: usize) -> Vec<String> {
    let mut runner = TestRunner::new(ProptestConfig {
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..ProptestConfig::default()
    });
    let strategy = proptest::prop_oneof![
        proptest::arbitrary::any::<String>(),
        proptest::string::string_regex("[a-z\u{0}-\u{1f}\u{7f}-\u{9f}\u{200e}\u{200f}]{1,24}")
            .unwrap(),
    ];
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Every byte but the unreserved ones percent-encoded; the lone surrogate as the bytes of
/// its (invalid) UTF-8.
fn encode(text: &str) -> String {
    if text == LONE_SURROGATE {
        return "%ED%A0%80".into();
    }
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A valid body for each request schema of the spec, with the ids the setup created.
fn base_body(schema: &str) -> Option<Value> {
    Some(match schema {
        "AccountIn" => json!({"username": "fuzz-new", "password": "a long enough password"}),
        "AccountPatch" => json!({"password": "another long password"}),
        "SignIn" => json!({"username": "fuzz", "password": "a long enough password"}),
        "TenantIn" => json!({"tenantId": "fuzz-tenant", "name": "Fuzz"}),
        "TenantPatch" => json!({"name": "Acme"}),
        "AuthzenEvaluation" => json!({"subject": {"type": "user", "id": "ada"},
            "resource": {"type": "doc", "id": "/docs/d1"}, "action": {"name": "documents:read"}}),
        "AuthzenEvaluations" => json!({"subject": {"type": "user", "id": "ada"},
            "evaluations": [{"resource": {"type": "doc", "id": "/docs/d1"}, "action": {"name": "documents:read"}}]}),
        // One body serves the three searches: each ignores the id of what it searches for.
        "AuthzenSearch" => json!({"subject": {"type": "user", "id": "ada"},
            "resource": {"type": "doc", "id": "d1"}, "action": {"name": "documents:read"},
            "page": {"limit": 10}}),
        "ApiKeyIn" => json!({"name": "fuzz key", "scopes": ["read"]}),
        "IssuerIn" => json!({"name": "Fuzz IdP", "issuer": "https://idp.fuzz.example/",
            "audiences": ["app"], "jwksUrl": "https://idp.fuzz.example/jwks.json",
            "algorithms": ["RS256"]}),
        "MeCheckRequest" => json!({"resourceUri": "/docs/d1", "permission": "documents:read"}),
        "CheckRequest" => {
            json!({"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"})
        }
        "BatchRequest" => {
            json!({"checks": [{"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"}]})
        }
        "GroupIn" => json!({"name": "Team", "description": "d", "users": ["ada"]}),
        "MemberIn" => json!({"role": "viewer"}),
        "RecordIn" => {
            json!({"name": "R", "description": "d", "users": ["ada"], "groups": ["team"],
            "statements": [{"roles": ["viewer"], "resources": ["/docs"]}], "tags": {"env": "prod"}})
        }
        "ResourceIn" => json!({"name": "Docs", "description": "d", "metadata": {"k": "v"}}),
        "RoleIn" => {
            json!({"name": "Viewer", "description": "d", "permissions": [{"action": "documents:read"}]})
        }
        "UserIn" => json!({"name": "Ada", "email": "ada@example.com"}),
        _ => return None,
    })
}

/// The JSON pointers of the string leaves of `value`.
fn string_leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(pointer),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_leaves(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                string_leaves(item, format!("{pointer}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// A valid value for each path parameter: the objects the setup created.
fn valid_param(name: &str) -> &'static str {
    match name {
        "tenantId" => "acme",
        "roleId" => "viewer",
        "groupId" => "team",
        "recordId" => "rec",
        "userId" => "ada",
        "resourceUri" => "%2Fdocs",
        "keyId" => "fuzz-key",
        "username" => "fuzz",
        "permission" => "documents:read",
        _ => "x",
    }
}

struct Sweep<'a> {
    app: &'a TestApp,
    requests: usize,
}

impl Sweep<'_> {
    /// Sends one request and holds its answer to the rules.
    async fn send(
        &mut self,
        method: &Method,
        path: &str,
        body: Option<String>,
        hostile: &str,
        what: &str,
    ) {
        self.requests += 1;
        let writes = *method != Method::GET;
        let before = if writes {
            Some(self.app.revision("acme").await)
        } else {
            None
        };
        let mut request = self
            .app
            .client
            .request(method.clone(), format!("{}{path}", self.app.base))
            .bearer_auth(ADMIN);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.unwrap();
        let shown: String = hostile.chars().take(40).collect();
        assert!(status < 500, "{what} with {shown:?}: {status} {text}");
        if status >= 400 {
            assert_eq!(
                content_type, "application/problem+json",
                "{what} with {shown:?}: {text}"
            );
            let problem: Value = serde_json::from_str(&text).unwrap();
            assert!(
                problem["code"].as_str().is_some_and(|c| !c.is_empty()),
                "{what} with {shown:?}: {text}"
            );
            if let Some(before) = before {
                assert_eq!(
                    self.app.revision("acme").await,
                    before,
                    "{what} with {shown:?} was refused but changed the tenant"
                );
            }
        } else if has_control(hostile) {
            panic!("{what} accepted {shown:?} ({status}), which holds a control character");
        }
    }
}

async fn hostile_input_is_refused_cleanly_everywhere(app: TestApp) {
    app.tenant("acme").await;
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["ada"]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/records/rec",
        json!({"name": "R", "users": ["ada"],
        "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}),
    )
    .await
    .expect(201);
    app.account("fuzz", "a long enough password", Some(("acme", "admin")))
        .await;

    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../openapi/openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut strings = corpus();
    strings.extend(generated(24));
    let mut sweep = Sweep {
        app: &app,
        requests: 0,
    };
    let mut missing_bodies = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method_name, operation) in item.as_object().unwrap() {
            let method = match method_name.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let parameters: Vec<(String, String)> = operation["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap().to_owned(),
                                p["in"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let path_with = |hostile_param: Option<(&str, &str)>| {
                let mut path = template.clone();
                for (name, place) in &parameters {
                    if place == "path" {
                        let value = match hostile_param {
                            Some((p, v)) if p == name => v.to_owned(),
                            _ => valid_param(name).to_owned(),
                        };
                        path = path.replace(&format!("{{{name}}}"), &value);
                    }
                }
                path
            };
            let schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .map(|r| r.rsplit('/').next().unwrap().to_owned());
            let base = match &schema {
                Some(name) => match base_body(name) {
                    Some(body) => Some(body),
                    None => {
                        missing_bodies.push(format!("{method_name} {template}: {name}"));
                        continue;
                    }
                },
                None => None,
            };
            let base_text = base.as_ref().map(|b| b.to_string());
            let what = format!("{method_name} {template}");
            for hostile in &strings {
                for (name, place) in &parameters {
                    let encoded = encode(hostile);
                    let path = match place.as_str() {
                        "path" => path_with(Some((name, &encoded))),
                        "query" => format!("{}?{name}={encoded}", path_with(None)),
                        _ => continue,
                    };
                    let what = format!("{what} {place} {name}");
                    sweep
                        .send(&method, &path, base_text.clone(), hostile, &what)
                        .await;
                }
                if let Some(base) = &base {
                    let mut leaves = Vec::new();
                    string_leaves(base, String::new(), &mut leaves);
                    for leaf in leaves {
                        let mut body = base.clone();
                        *body.pointer_mut(&leaf).unwrap() = Value::String(hostile.clone());
                        let text = body
                            .to_string()
                            .replace(&format!("\"{LONE_SURROGATE}\""), "\"\\ud800\"");
                        sweep
                            .send(
                                &method,
                                &path_with(None),
                                Some(text),
                                hostile,
                                &format!("{what} body {leaf}"),
                            )
                            .await;
                    }
                }
            }
        }
    }
    assert!(
        missing_bodies.is_empty(),
        "request bodies without an example in base_body: {missing_bodies:?}"
    );
    eprintln!("hostile sweep: {} requests", sweep.requests);
    assert!(
        sweep.requests > 1000,
        "the sweep sent only {} requests",
        sweep.requests
    );
}
