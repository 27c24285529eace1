//! Credentials, scopes and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

on_both_databases!(
    credentials_are_required,
    scopes_are_enforced,
    keys_expire_and_are_revoked,
    tenants_are_isolated
);

async fn credentials_are_required(app: TestApp) {
    app.tenant("acme").await;
    let none = app
        .call(Method::GET, "/v1/tenants/acme/roles", None, None)
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    for token in ["nonsense", "pc_0000", "pcadmin_wrong", ""] {
        app.call(Method::GET, "/v1/tenants/acme/roles", Some(token), None)
            .await
            .expect_problem(401, "unauthenticated");
    }
    let basic = app
        .client
        .get(format!("{}/v1/tenants/acme/roles", app.base))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    // Unauthenticated writes change nothing.
    let before = app.revision("acme").await;
    app.call(
        Method::POST,
        "/v1/tenants/acme/roles",
        None,
        Some(json!({"name": "x"})),
    )
    .await
    .expect_problem(401, "unauthenticated");
    assert_eq!(app.revision("acme").await, before);
}

async fn scopes_are_enforced(app: TestApp) {
    app.tenant("acme").await;
    let check = app.key("acme", &["check"]).await;
    let read = app.key("acme", &["read"]).await;
    let write = app.key("acme", &["write"]).await;
    let role = json!({"roleId": "viewer", "name": "Viewer", "permissions": [{"action": "documents:read"}]});

    app.call(Method::GET, "/v1/tenants/acme/roles", Some(&check), None)
        .await
        .expect_problem(403, "forbidden");
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(&read), None)
        .await
        .expect(200);
    app.call(
        Method::POST,
        "/v1/tenants/acme/roles",
        Some(&read),
        Some(role.clone()),
    )
    .await
    .expect_problem(403, "forbidden");
    let created = app
        .call(
            Method::POST,
            "/v1/tenants/acme/roles",
            Some(&write),
            Some(role),
        )
        .await
        .expect(201);
    // `write` implies `read`.
    app.call(
        Method::GET,
        "/v1/tenants/acme/roles/viewer",
        Some(&write),
        None,
    )
    .await
    .expect(200);

    // The audit log names the key that wrote.
    let audit = app
        .get("/v1/tenants/acme/audit?action=role.create")
        .await
        .expect(200);
    assert_eq!(audit.body["items"][0]["actor"]["kind"], "apiKey");
    assert!(
        audit.body["items"][0]["actor"]["id"]
            .as_str()
            .unwrap()
            .starts_with("key_")
    );
    assert_eq!(audit.body["items"][0]["revision"], created.revision());

    // A key cannot mint a key with a scope it lacks.
    app.call(
        Method::POST,
        "/v1/tenants/acme/api-keys",
        Some(&write),
        Some(json!({"name": "k", "scopes": ["check"]})),
    )
    .await
    .expect_problem(403, "forbidden");
    app.call(
        Method::POST,
        "/v1/tenants/acme/api-keys",
        Some(&write),
        Some(json!({"name": "k", "scopes": ["read"]})),
    )
    .await
    .expect(201);
}

async fn keys_expire_and_are_revoked(app: TestApp) {
    app.tenant("acme").await;
    let expired = app
        .post(
            "/v1/tenants/acme/api-keys",
            json!({"name": "old", "scopes": ["read"], "expiresAt": "2020-01-01T00:00:00Z"}),
        )
        .await
        .expect(201);
    let secret = expired.body["secret"].as_str().unwrap();
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect_problem(401, "unauthenticated");

    let key = app
        .post(
            "/v1/tenants/acme/api-keys",
            json!({"name": "live", "scopes": ["read"]}),
        )
        .await
        .expect(201);
    let key_id = key.body["keyId"].as_str().unwrap();
    let secret = key.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("pc_"));
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect(200);

    // The secret is never shown again, and the key's use is recorded.
    let mut last_used = None;
    for _ in 0..50 {
        let got = app
            .get(&format!("/v1/tenants/acme/api-keys/{key_id}"))
            .await
            .expect(200);
        assert!(got.body.get("secret").is_none());
        if let Some(at) = got.body.get("lastUsedAt") {
            last_used = Some(at.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(last_used.is_some(), "lastUsedAt was never recorded");
    let listed = app.get("/v1/tenants/acme/api-keys").await.expect(200);
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("secret").is_none())
    );

    // Renaming keeps the secret working; revoking ends it at once.
    app.put(
        &format!("/v1/tenants/acme/api-keys/{key_id}"),
        json!({"name": "renamed", "scopes": ["read"]}),
    )
    .await
    .expect(200);
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect(200);
    // A change of scopes is in force for the very next request.
    let with_scopes = |scopes: Value| json!({"name": "renamed", "scopes": scopes});
    app.put(
        &format!("/v1/tenants/acme/api-keys/{key_id}"),
        with_scopes(json!(["check"])),
    )
    .await
    .expect(200);
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect_problem(403, "forbidden");
    app.put(
        &format!("/v1/tenants/acme/api-keys/{key_id}"),
        with_scopes(json!(["read"])),
    )
    .await
    .expect(200);
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect(200);
    app.put(
        "/v1/tenants/acme/api-keys/key_unknown",
        json!({"name": "x", "scopes": ["read"]}),
    )
    .await
    .expect_problem(404, "not_found");
    let revoked = app
        .delete(&format!("/v1/tenants/acme/api-keys/{key_id}"))
        .await
        .expect(200);
    assert_eq!(revoked.body["revision"], revoked.revision());
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(secret), None)
        .await
        .expect_problem(401, "unauthenticated");
    let audit = app
        .get("/v1/tenants/acme/audit?targetKind=apiKey")
        .await
        .expect(200);
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "apiKey.delete",
            "apiKey.update",
            "apiKey.update",
            "apiKey.update",
            "apiKey.create",
            "apiKey.create"
        ]
    );
    // The secret never enters the audit log.
    assert!(!audit.body.to_string().contains("pc_"));
}

/// Every tenant-scoped endpoint answers a key of another tenant exactly as it answers for
/// a tenant that does not exist.
async fn tenants_are_isolated(app: TestApp) {
    app.tenant("alpha").await;
    app.tenant("beta").await;
    app.put("/v1/tenants/beta/roles/secret-role", json!({"name": "B"}))
        .await
        .expect(201);
    app.put(
        "/v1/tenants/beta/groups/g",
        json!({"name": "B", "users": ["bob"]}),
    )
    .await
    .expect(201);
    let record = json!({"recordId": "r", "name": "B", "users": ["bob"], "statements": [{"roles": ["secret-role"], "resources": ["/x"]}]});
    app.put("/v1/tenants/beta/records/r", record)
        .await
        .expect(201);
    app.put("/v1/tenants/beta/resources/%2Fx", json!({"name": "X"}))
        .await
        .expect(201);
    let beta_key = app
        .post(
            "/v1/tenants/beta/api-keys",
            json!({"name": "b", "scopes": ["read"]}),
        )
        .await
        .expect(201);
    let beta_key_id = beta_key.body["keyId"].as_str().unwrap().to_owned();
    app.put(
        "/v1/tenants/beta/issuers/idp",
        json!({"name": "B's IdP", "issuer": "https://idp.beta.example/", "audiences": ["beta"],
            "jwksUrl": "https://idp.beta.example/jwks.json", "algorithms": ["RS256"]}),
    )
    .await
    .expect(201);
    let beta_revision = app.revision("beta").await;

    let alpha = app.key("alpha", &["read", "write", "check"]).await;
    let paths = [
        "".to_owned(),
        "/roles".into(),
        "/roles/secret-role".into(),
        "/groups".into(),
        "/groups/g".into(),
        "/records".into(),
        "/records/r".into(),
        "/resources".into(),
        "/resources/%2Fx".into(),
        "/users".into(),
        "/users/bob".into(),
        "/api-keys".into(),
        format!("/api-keys/{beta_key_id}"),
        "/issuers".into(),
        "/issuers/idp".into(),
        "/audit".into(),
        "/summary".into(),
        "/members".into(),
        "/members/admin".into(),
    ];
    for path in &paths {
        for tenant in ["beta", "nonexistent"] {
            let url = format!("/v1/tenants/{tenant}{path}");
            let got = app
                .call(Method::GET, &url, Some(&alpha), None)
                .await
                .expect_problem(404, "not_found");
            assert_eq!(
                got.body["detail"],
                format!("tenant `{tenant}` does not exist"),
                "{url}"
            );
            // Writes: 404, or 405 where the path has no such method at all (collections
            // take no PUT, items no POST), which says nothing about the tenant either.
            let body = json!({"name": "hijack", "scopes": ["read"]});
            for method in [Method::PUT, Method::DELETE, Method::POST] {
                let got = app
                    .call(method.clone(), &url, Some(&alpha), Some(body.clone()))
                    .await;
                assert!(
                    matches!(got.status, 404 | 405),
                    "{method} {url}: {}",
                    got.status
                );
                assert_eq!(got.header("content-type"), Some("application/problem+json"));
            }
        }
    }
    // A malformed body to another tenant is still a 404: the body is never read.
    let raw = app
        .client
        .post(format!("{}/v1/tenants/beta/roles", app.base))
        .bearer_auth(&alpha)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 404);

    // Nothing in beta changed.
    assert_eq!(app.revision("beta").await, beta_revision);
    app.get("/v1/tenants/beta/roles/secret-role")
        .await
        .expect(200);
    // And alpha sees only its own.
    let own = app
        .call(Method::GET, "/v1/tenants/alpha/roles", Some(&alpha), None)
        .await
        .expect(200);
    assert_eq!(own.body["items"], json!([]));
}
