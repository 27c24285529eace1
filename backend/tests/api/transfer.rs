//! Bulk import and export: a lossless round trip, one revision and one audit event per
//! import, decisions in force at once, and every kind of bad input refused with nothing
//! changed, on both databases.

use std::io::{Read, Write};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, TestApp, fields};

on_both_databases!(
    export_import_export_is_lossless_and_in_force_at_once,
    a_bad_import_is_refused_whole_and_changes_nothing,
    import_and_export_stay_inside_the_credentials_tenant,
);

async fn export(app: &TestApp, tenant: &str, token: &str) -> (u16, i64, String) {
    let response = app
        .client
        .get(format!("{}/v1/tenants/{tenant}/export", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let revision = response
        .headers()
        .get("portcullis-revision")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    if status == 200 {
        assert_eq!(
            response.headers()["content-type"],
            "application/x-ndjson",
            "export media type"
        );
    }
    (status, revision, response.text().await.unwrap())
}

async fn import(app: &TestApp, tenant: &str, token: &str, body: String) -> (u16, Value) {
    import_as(app, tenant, token, "application/x-ndjson", body).await
}

async fn import_as(
    app: &TestApp,
    tenant: &str,
    token: &str,
    media: &str,
    body: String,
) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/v1/tenants/{tenant}/import", app.base))
        .bearer_auth(token)
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status >= 400 {
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A small document-management tenant with every feature a record can have.
async fn model(app: &TestApp, tenant: &str) {
    app.tenant(tenant).await;
    let t = format!("/v1/tenants/{tenant}");
    app.put(
        &format!("{t}/roles/viewer"),
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("{t}/roles/owner"),
        json!({"name": "Owner", "description": "all of it", "permissions": [
            {"action": "documents"}, {"action": "documents:share", "allow": false, "grant": true, "delegate": true}]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("{t}/groups/team"),
        json!({"name": "Team", "users": ["ada", "bob"]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("{t}/users/ada"),
        json!({"name": "Ada Lovelace", "email": "ada@example.com",
            "tokensNotBefore": "2026-12-01T08:00:00.000Z"}),
    )
    .await
    // Registered already: the group names her.
    .expect(200);
    app.put(
        &format!("{t}/users/bob"),
        json!({"status": "suspended", "statusReason": "on leave"}),
    )
    .await
    .expect(200);
    app.put(
        &format!("{t}/resources/%2Forgs%2Facme"),
        json!({"name": "Acme", "metadata": {"tier": "gold"}}),
    )
    .await
    .expect(201);
    for (id, body) in [
        (
            "rec-team",
            json!({"name": "Team reads", "groups": ["team"], "tags": {"source": "hr"},
                "statements": [{"roles": ["viewer"], "resources": ["/orgs/acme/*/docs"]}]}),
        ),
        (
            "rec-owner",
            json!({"name": "Owner", "users": ["cyd"],
                "statements": [{"roles": ["owner", "viewer"], "resources": ["/orgs/acme", "/orgs/beta"]}]}),
        ),
        (
            "rec-off",
            json!({"name": "Off", "users": ["dan"], "status": "disabled",
                "statements": [{"roles": ["owner"], "resources": ["/*"]}]}),
        ),
        (
            "rec-old",
            json!({"name": "Old", "users": ["eve"], "expiresAt": "2020-01-01T00:00:00Z",
                "statements": [{"roles": ["owner"], "resources": ["/*"]}]}),
        ),
    ] {
        app.put(&format!("{t}/records/{id}"), body)
            .await
            .expect(201);
    }
}

async fn allowed(app: &TestApp, tenant: &str, user: &str, resource: &str) -> bool {
    let response = app
        .call(
            Method::POST,
            &format!("/v1/tenants/{tenant}/check"),
            Some(ADMIN),
            Some(json!({"userId": user, "resourceUri": resource, "permission": "documents:read"})),
        )
        .await
        .expect(200);
    response.body["allowed"].as_bool().unwrap()
}

async fn export_import_export_is_lossless_and_in_force_at_once(app: TestApp) {
    model(&app, "src").await;
    let revision = app.revision("src").await;
    let (status, exported_at, document) = export(&app, "src", ADMIN).await;
    assert_eq!(status, 200);
    assert_eq!(exported_at, revision);
    let lines: Vec<Value> = document
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0], json!({"kind": "portcullis-export", "version": 1}));
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    // 2 roles, 1 group, 1 resource, 5 users (ada, bob, cyd, dan, eve), 4 records.
    assert_eq!(
        kinds,
        [
            "role", "role", "group", "resource", "user", "user", "user", "user", "user", "record",
            "record", "record", "record"
        ]
    );
    assert_eq!(lines[5]["userId"], "ada");
    assert_eq!(lines[5]["name"], "Ada Lovelace");

    // Into an empty tenant whose index is loaded: the import is in force for the next check.
    app.tenant("dst").await;
    assert!(!allowed(&app, "dst", "ada", "/orgs/acme/p1/docs/d1").await);
    let before = app.revision("dst").await;
    let (status, result) = import(&app, "dst", ADMIN, document.clone()).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["revision"], before + 1, "one revision");
    assert_eq!(
        result["counts"],
        json!({"role": 2, "group": 1, "resource": 1, "user": 5, "record": 4})
    );
    assert!(allowed(&app, "dst", "ada", "/orgs/acme/p1/docs/d1").await);
    // Bob is in the same group, and suspended in the document.
    assert!(!allowed(&app, "dst", "bob", "/orgs/acme/p1/docs/d1").await);
    assert!(allowed(&app, "dst", "cyd", "/orgs/beta/x").await);
    assert!(!allowed(&app, "dst", "dan", "/orgs/acme").await);
    assert!(!allowed(&app, "dst", "eve", "/orgs/acme").await);
    let audit = app.get("/v1/tenants/dst/audit?limit=5").await.expect(200);
    let newest = &audit.body["items"][0];
    assert_eq!(newest["action"], "tenant.import");
    assert_eq!(newest["revision"], before + 1);
    assert_eq!(audit.body["items"][1]["action"], "tenant.create");

    let (_, _, again) = export(&app, "dst", ADMIN).await;
    assert_eq!(
        again, document,
        "export → import → export changed the document"
    );

    // Importing the same document again replaces everything with itself: still lossless.
    let (status, _) = import(&app, "dst", ADMIN, document.clone()).await;
    assert_eq!(status, 200);
    let (_, _, third) = export(&app, "dst", ADMIN).await;
    assert_eq!(third, document);
    // The objects it wrote are ordinary objects: the single-object API sees them.
    let record = app
        .get("/v1/tenants/dst/records/rec-team")
        .await
        .expect(200);
    assert_eq!(record.body["tags"], json!({"source": "hr"}));
    // And referential integrity holds for them.
    app.delete("/v1/tenants/dst/roles/viewer")
        .await
        .expect_problem(409, "in_use");
}

/// A document whose line `line` is replaced by `text`.
fn with_line(document: &str, line: usize, text: &str) -> String {
    let mut lines: Vec<&str> = document.lines().collect();
    lines[line - 1] = text;
    lines.join("\n")
}

async fn a_bad_import_is_refused_whole_and_changes_nothing(app: TestApp) {
    model(&app, "src").await;
    let (_, _, document) = export(&app, "src", ADMIN).await;
    app.tenant("dst").await;
    app.put(
        "/v1/tenants/dst/roles/viewer",
        json!({"name": "Kept", "permissions": [{"action": "x:y"}]}),
    )
    .await
    .expect(201);
    let (_, revision, before) = export(&app, "dst", ADMIN).await;

    let record = r#"{"kind":"record","recordId":"r9","name":"n","users":["u"],"statements":[{"roles":["viewer"],"resources":["/a"]}]}"#;
    let cases: Vec<(String, &str, &str)> = vec![
        (
            with_line(&document, 3, "{not json"),
            "validation_failed",
            "lines[3]",
        ),
        (
            with_line(&document, 3, r#"{"kind":"gizmo","gizmoId":"g"}"#),
            "validation_failed",
            "lines[3].kind",
        ),
        (
            with_line(&document, 3, r#"{"roleId":"r"}"#),
            "validation_failed",
            "lines[3].kind",
        ),
        (
            format!(
                "{document}{}",
                record.replace("[\"viewer\"]", "[\"ghost\"]")
            ),
            "validation_failed",
            "lines[15].statements[0].roles[0]",
        ),
        (
            format!(
                "{document}{}",
                record.replace(r#""users":["u"]"#, r#""groups":["nobody"]"#)
            ),
            "validation_failed",
            "lines[15].groups[0]",
        ),
        (
            format!("{document}{}", record.replace(r#""recordId":"r9","#, "")),
            "validation_failed",
            "lines[15].recordId",
        ),
        (
            format!("{document}{}", record.replace("r9", "rec-team")),
            "validation_failed",
            "lines[15].recordId",
        ),
        (
            format!(
                "{document}{}",
                record.replace(r#""name":"n""#, r#""name":"a\u0000b""#)
            ),
            "validation_failed",
            "lines[15].name",
        ),
        (
            format!("{document}{}", record.replace(r#""u""#, r#""u\u0007""#)),
            "validation_failed",
            "lines[15].users[0]",
        ),
        (
            format!("{document}{}", record.replace("/a", "no-slash")),
            "validation_failed",
            "lines[15].statements[0].resources[0]",
        ),
        (
            with_line(&document, 1, r#"{"kind":"portcullis-export","version":99}"#),
            "validation_failed",
            "lines[1].version",
        ),
        (String::new(), "validation_failed", "lines"),
    ];
    for (body, code, field) in cases {
        let (status, problem) = import(&app, "dst", ADMIN, body).await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["code"], code, "{field}: {problem}");
        let fields = fields(&problem);
        assert!(fields.contains(&field), "{field} not in {fields:?}");
        assert_eq!(
            app.revision("dst").await,
            revision,
            "{field} changed the tenant"
        );
    }

    // Problems in the document's order, whichever check found them.
    let body = format!(
        "{}\n{}",
        record.replace("[\"viewer\"]", "[\"ghost\"]"),
        record.replace(r#""recordId":"r9","#, "")
    );
    let (status, problem) = import(&app, "dst", ADMIN, body).await;
    assert_eq!(status, 422);
    let fields = fields(&problem);
    assert_eq!(
        fields,
        ["lines[1].statements[0].roles[0]", "lines[2].recordId"]
    );

    // At most 100 problems, each by its line.
    let many: String = (0..150)
        .map(|i| format!("{{\"kind\":\"x{i}\"}}\n"))
        .collect();
    let (status, problem) = import(&app, "dst", ADMIN, many).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 100);
    assert_eq!(problem["errors"][99]["field"], "lines[100].kind");

    // Not UTF-8, a line over 1 MiB, the wrong media type.
    let (status, problem) = app_raw_import(
        &app,
        b"{\"kind\":\"portcullis-export\",\"version\":1}\n\xff\xfe\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "lines[2]");
    // Just over the limit, so the whole body is sent before the server stops reading.
    let long = format!(
        "{{\"kind\":\"role\",\"name\":\"{}\"}}",
        "a".repeat((1 << 20) + 64)
    );
    let (status, problem) = import(&app, "dst", ADMIN, long).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    let (status, problem) =
        import_as(&app, "dst", ADMIN, "application/json", document.clone()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    // A body announced as 2 GB is refused before it is read.
    let (status, problem) = announced_body(&app, 2_000_000_000);
    assert_eq!(
        (status, problem["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    let (_, after_revision, after) = export(&app, "dst", ADMIN).await;
    assert_eq!(after_revision, revision);
    assert_eq!(after, before, "a refused import changed the tenant");
}

async fn app_raw_import(app: &TestApp, body: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/v1/tenants/dst/import", app.base))
        .bearer_auth(ADMIN)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Sends an import announcing `length` bytes, then only a few, and reads the answer.
fn announced_body(app: &TestApp, length: u64) -> (u16, Value) {
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /v1/tenants/dst/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{{}}\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let _ = stream.read_to_string(&mut answer);
    let status: u16 = answer[9..12].parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn import_and_export_stay_inside_the_credentials_tenant(app: TestApp) {
    model(&app, "acme").await;
    app.tenant("other").await;
    let (_, _, document) = export(&app, "acme", ADMIN).await;
    let other_writer = app.key("other", &["read", "write"]).await;
    let acme_reader = app.key("acme", &["read"]).await;
    let acme_checker = app.key("acme", &["check"]).await;
    let acme_writer = app.key("acme", &["write"]).await;
    let revision = app.revision("acme").await;
    let other_revision = app.revision("other").await;

    // Another tenant's key: as if the tenant did not exist.
    let (status, problem) = import(&app, "acme", &other_writer, document.clone()).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("not_found")));
    let (status, _, _) = export(&app, "acme", &other_writer).await;
    assert_eq!(status, 404);
    // Scopes: export reads, import writes.
    let (status, _) = import(&app, "acme", &acme_reader, document.clone()).await;
    assert_eq!(status, 403);
    let (status, _, _) = export(&app, "acme", &acme_checker).await;
    assert_eq!(status, 403);
    let (status, _, _) = export(&app, "acme", &acme_reader).await;
    assert_eq!(status, 200);
    assert_eq!(app.revision("acme").await, revision);
    // Its own write key imports into its own tenant only.
    let (status, _) = import(&app, "acme", &acme_writer, document).await;
    assert_eq!(status, 200);
    assert_eq!(app.revision("acme").await, revision + 1);
    assert_eq!(app.revision("other").await, other_revision);
}
