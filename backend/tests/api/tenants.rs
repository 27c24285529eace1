//! `/v1/tenants`.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ADMIN, TestApp};

on_both_databases!(
    tenant_lifecycle,
    tenant_validation,
    tenants_are_for_the_platform_admin,
    tenant_pagination
);

async fn tenant_lifecycle(app: TestApp) {
    let created = app
        .post("/v1/tenants", json!({"tenantId": "acme", "name": "Acme"}))
        .await
        .expect(201);
    assert_eq!(created.body["revision"], 1);
    assert_eq!(created.revision(), 1);
    assert_eq!(created.header("etag"), Some("\"1\""));

    app.post("/v1/tenants", json!({"tenantId": "acme", "name": "Again"}))
        .await
        .expect_problem(409, "already_exists");

    let got = app.get("/v1/tenants/acme").await.expect(200);
    assert_eq!(got.body["name"], "Acme");
    assert_eq!(got.header("etag"), Some("\"1\""));

    let stale = app
        .call_with(
            Method::PATCH,
            "/v1/tenants/acme",
            Some(ADMIN),
            Some(json!({"name": "Acme Inc."})),
            &[("if-match", "\"7\"")],
        )
        .await
        .expect_problem(412, "precondition_failed");
    assert_eq!(stale.body["currentRevision"], 1);

    let renamed = app
        .call_with(
            Method::PATCH,
            "/v1/tenants/acme",
            Some(ADMIN),
            Some(json!({"name": "Acme Inc."})),
            &[("if-match", "\"1\"")],
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["name"], "Acme Inc.");
    assert_eq!(renamed.revision(), 2);

    let audit = app.get("/v1/tenants/acme/audit").await.expect(200);
    let events = audit.body["items"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "tenant.update");
    assert_eq!(events[0]["before"]["name"], "Acme");
    assert_eq!(events[0]["after"]["name"], "Acme Inc.");
    assert_eq!(events[1]["action"], "tenant.create");

    app.tenant("other").await;
    app.post(
        "/v1/tenants/acme/roles",
        json!({"roleId": "viewer", "name": "Viewer"}),
    )
    .await
    .expect(201);
    app.delete("/v1/tenants/acme").await.expect(204);
    app.get("/v1/tenants/acme")
        .await
        .expect_problem(404, "not_found");
    app.get("/v1/tenants/acme/roles/viewer")
        .await
        .expect_problem(404, "not_found");
    app.get("/v1/tenants/other").await.expect(200);

    // The id is free again, and the new tenant starts empty.
    app.tenant("acme").await;
    let roles = app.get("/v1/tenants/acme/roles").await.expect(200);
    assert_eq!(roles.body["items"], json!([]));
}

async fn tenant_validation(app: TestApp) {
    let bad_id = app
        .post(
            "/v1/tenants",
            json!({"tenantId": "Not A Slug", "name": "x"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad_id.body["errors"][0]["field"], "tenantId");

    let no_name = app
        .post("/v1/tenants", json!({"tenantId": "acme"}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(no_name.body["errors"][0]["field"], "");
    assert!(
        no_name.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );

    let blank = app
        .post("/v1/tenants", json!({"tenantId": "acme", "name": "  "}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(blank.body["errors"][0]["field"], "name");

    // Every ill-formed field is named in one answer.
    let both = app
        .post(
            "/v1/tenants",
            json!({"tenantId": "Not A Slug", "name": " "}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let fields: Vec<&str> = both.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tenantId", "name"]);

    // What a GET answered can be sent back: the server-set fields are ignored.
    app.post(
        "/v1/tenants",
        json!({"tenantId": "copied", "name": "Copied", "createdAt": "2020-01-01T00:00:00.000Z",
            "updatedAt": "2020-01-01T00:00:00.000Z", "revision": 9}),
    )
    .await
    .expect(201);
    app.delete("/v1/tenants/copied").await.expect(204);

    app.post(
        "/v1/tenants",
        json!({"tenantId": "acme", "name": "x", "plan": "gold"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post("/v1/tenants", json!({"tenantId": 7, "name": "x"}))
        .await
        .expect_problem(422, "validation_failed");

    let raw = app
        .client
        .post(format!("{}/v1/tenants", app.base))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body("{\"tenantId\": \"acme\",")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);

    let text = app
        .client
        .post(format!("{}/v1/tenants", app.base))
        .bearer_auth(ADMIN)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);

    let huge = json!({"tenantId": "acme", "name": "x".repeat(1024 * 1024 + 1)});
    app.post("/v1/tenants", huge)
        .await
        .expect_problem(413, "payload_too_large");

    // Nothing of the refused requests was created.
    let list = app.get("/v1/tenants").await.expect(200);
    assert_eq!(list.body["items"], json!([]));
}

async fn tenants_are_for_the_platform_admin(app: TestApp) {
    app.tenant("acme").await;
    let key = app.key("acme", &["read", "write", "check"]).await;
    app.call(Method::GET, "/v1/tenants", Some(&key), None)
        .await
        .expect_problem(403, "forbidden");
    app.call(
        Method::POST,
        "/v1/tenants",
        Some(&key),
        Some(json!({"tenantId": "mine", "name": "x"})),
    )
    .await
    .expect_problem(403, "forbidden");
    app.call(Method::DELETE, "/v1/tenants/acme", Some(&key), None)
        .await
        .expect_problem(403, "forbidden");
    app.call(
        Method::PATCH,
        "/v1/tenants/acme",
        Some(&key),
        Some(json!({"name": "x"})),
    )
    .await
    .expect_problem(403, "forbidden");
    // Its own tenant it may read.
    let own = app
        .call(Method::GET, "/v1/tenants/acme", Some(&key), None)
        .await
        .expect(200);
    assert_eq!(own.body["tenantId"], "acme");
    app.call(Method::GET, "/v1/tenants", None, None)
        .await
        .expect_problem(401, "unauthenticated");
}

async fn tenant_pagination(app: TestApp) {
    for i in 0..5 {
        app.tenant(&format!("t{i}")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tenants?limit=2&cursor={c}"),
            None => "/v1/tenants?limit=2".into(),
        };
        let page = app.get(&path).await.expect(200);
        pages += 1;
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["tenantId"].as_str().unwrap().to_owned());
        }
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["t0", "t1", "t2", "t3", "t4"]);
    app.get("/v1/tenants?limit=0")
        .await
        .expect_problem(400, "invalid_parameter");
    app.get("/v1/tenants?limit=1001")
        .await
        .expect_problem(400, "invalid_parameter");
    app.get("/v1/tenants?cursor=!!")
        .await
        .expect_problem(400, "invalid_cursor");
    app.get("/v1/tenants?colour=red")
        .await
        .expect_problem(400, "invalid_parameter");
}
