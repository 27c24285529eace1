//! Checks: every answer reflects every write acknowledged before it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, TestApp};

on_both_databases!(
    checks_reflect_every_write_at_once,
    explanations_name_the_grant_or_the_reasons,
    malformed_checks_are_refused,
    batch_authress_and_authzen_forms,
    decisions_need_the_check_scope_and_stay_in_the_tenant,
    min_revision_is_honoured,
    replicas_sharing_a_database_never_answer_stale,
    lookups_answer_who_can_do_what_where,
);

async fn setup(app: &TestApp) -> String {
    app.tenant("acme").await;
    app.put(
        "/v1/tenants/acme/roles/editor",
        json!({"name": "Editor", "permissions": [{"action": "documents:*"}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    app.key("acme", &["check"]).await
}

fn ask(user: &str, resource: &str, permission: &str) -> Value {
    json!({"userId": user, "resourceUri": resource, "permission": permission})
}

async fn checks_reflect_every_write_at_once(app: TestApp) {
    let key = setup(&app).await;
    let read = ask("ada", "/orgs/acme/documents/d1", "documents:read");
    assert_eq!(
        app.check("acme", &key, read.clone()).await["allowed"],
        false
    );

    let written = app
        .put("/v1/tenants/acme/records/r1", json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/orgs/acme"]}]}))
        .await
        .expect(201);
    let answer = app.check("acme", &key, read.clone()).await;
    assert_eq!(answer["allowed"], true);
    assert_eq!(
        answer["revision"],
        written.revision(),
        "the answer names the revision it reflects"
    );
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("ada", "/orgs/acme/documents/d1", "documents:write")
        )
        .await["allowed"],
        false
    );
    assert_eq!(
        app.check("acme", &key, ask("ada", "/orgs/other", "documents:read"))
            .await["allowed"],
        false
    );

    // Editing the role changes the record at once.
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:*"}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("ada", "/orgs/acme/documents/d1", "documents:write")
        )
        .await["allowed"],
        true
    );

    // Disabling, expiring, deleting: each revokes for the very next request.
    app.put("/v1/tenants/acme/records/r1", json!({"name": "R", "status": "disabled", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/orgs/acme"]}]}))
        .await
        .expect(200);
    assert_eq!(
        app.check("acme", &key, read.clone()).await["allowed"],
        false
    );
    app.put("/v1/tenants/acme/records/r1", json!({"name": "R", "expiresAt": "2020-01-01T00:00:00Z", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/orgs/acme"]}]}))
        .await
        .expect(200);
    assert_eq!(
        app.check("acme", &key, read.clone()).await["allowed"],
        false
    );

    // Through a group: joining grants, leaving revokes.
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["bob"]}),
    )
    .await
    .expect(201);
    app.put("/v1/tenants/acme/records/r2", json!({"name": "Team", "groups": ["team"], "statements": [{"roles": ["editor"], "resources": ["/orgs/*/documents"]}]}))
        .await
        .expect(201);
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("bob", "/orgs/acme/documents/d1", "documents:delete")
        )
        .await["allowed"],
        true
    );
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("ada", "/orgs/acme/documents/d1", "documents:delete")
        )
        .await["allowed"],
        false
    );
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["ada"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("bob", "/orgs/acme/documents/d1", "documents:delete")
        )
        .await["allowed"],
        false
    );
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("ada", "/orgs/acme/documents/d1", "documents:delete")
        )
        .await["allowed"],
        true
    );
    app.delete("/v1/tenants/acme/records/r2").await.expect(200);
    assert_eq!(
        app.check(
            "acme",
            &key,
            ask("ada", "/orgs/acme/documents/d1", "documents:delete")
        )
        .await["allowed"],
        false
    );
}

async fn explanations_name_the_grant_or_the_reasons(app: TestApp) {
    let key = setup(&app).await;
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["ada"]}),
    )
    .await
    .expect(201);
    app.put("/v1/tenants/acme/records/a-docs", json!({"name": "A", "users": ["ada"], "statements": [
        {"roles": ["viewer"], "resources": ["/orgs/other"]},
        {"roles": ["viewer", "editor"], "resources": ["/orgs/acme/billing", "/orgs/acme/documents"]}]}))
        .await
        .expect(201);
    app.put("/v1/tenants/acme/records/b-off", json!({"name": "B", "status": "disabled", "groups": ["team"], "statements": [{"roles": ["editor"], "resources": ["/orgs"]}]}))
        .await
        .expect(201);
    app.put("/v1/tenants/acme/records/c-old", json!({"name": "C", "users": ["ada"], "expiresAt": "2020-01-01T00:00:00Z", "statements": [{"roles": ["editor"], "resources": ["/orgs"]}]}))
        .await
        .expect(201);

    let mut request = ask("ada", "/orgs/acme/documents/d1", "documents:write");
    request["explain"] = json!(true);
    let allowed = app.check("acme", &key, request).await;
    assert_eq!(allowed["allowed"], true);
    assert_eq!(
        allowed["explanation"]["grantedBy"],
        json!({"recordId": "a-docs", "via": {"kind": "user", "id": "ada"}, "statement": 1, "resource": "/orgs/acme/documents",
               "roleId": "editor", "permission": {"action": "documents:*", "allow": true, "grant": false, "delegate": false}})
    );

    let mut request = ask("ada", "/orgs/acme/billing", "billing:pay");
    request["explain"] = json!(true);
    let denied = app.check("acme", &key, request).await;
    assert_eq!(denied["allowed"], false);
    assert_eq!(
        denied["explanation"]["notApplied"],
        json!([
            {"recordId": "a-docs", "via": {"kind": "user", "id": "ada"}, "reason": "noRoleAllows"},
            {"recordId": "b-off", "via": {"kind": "group", "id": "team"}, "reason": "disabled"},
            {"recordId": "c-old", "via": {"kind": "user", "id": "ada"}, "reason": "expired"},
        ])
    );
    let mut request = ask("ada", "/somewhere/else", "documents:read");
    request["explain"] = json!(true);
    let denied = app.check("acme", &key, request).await;
    assert_eq!(
        denied["explanation"]["notApplied"][0]["reason"],
        "resourceNotCovered"
    );
    let mut request = ask("nobody", "/orgs/acme", "documents:read");
    request["explain"] = json!(true);
    assert_eq!(
        app.check("acme", &key, request).await["explanation"]["notApplied"],
        json!([])
    );
}

async fn malformed_checks_are_refused(app: TestApp) {
    let key = setup(&app).await;
    let path = "/v1/tenants/acme/check";
    for (body, field) in [
        (ask("ada", "/orgs/*", "documents:read"), "resourceUri"),
        (ask("ada", "/orgs/acme", "documents:*"), "permission"),
        (ask("ada", "orgs", "documents:read"), "resourceUri"),
        (ask("ada", "/orgs/acme", "documents::read"), "permission"),
        (ask("", "/orgs/acme", "documents:read"), "userId"),
    ] {
        let refused = app
            .call(Method::POST, path, Some(&key), Some(body))
            .await
            .expect_problem(400, "invalid_check");
        assert_eq!(refused.body["errors"][0]["field"], field);
    }
    app.call(
        Method::POST,
        path,
        Some(&key),
        Some(json!({"userId": "ada"})),
    )
    .await
    .expect_problem(422, "validation_failed");

    let checks: Vec<Value> = (0..1001).map(|_| ask("ada", "/a", "b")).collect();
    app.call(
        Method::POST,
        "/v1/tenants/acme/check/batch",
        Some(&key),
        Some(json!({"checks": checks})),
    )
    .await
    .expect_problem(422, "limit_exceeded");
    let refused = app
        .call(
            Method::POST,
            "/v1/tenants/acme/check/batch",
            Some(&key),
            Some(json!({"checks": [ask("ada", "/a", "b"), ask("ada", "/a", "*")]})),
        )
        .await
        .expect_problem(400, "invalid_check");
    assert_eq!(refused.body["errors"][0]["field"], "checks[1].permission");
    app.call(
        Method::GET,
        "/v1/tenants/acme/users/ada/resources/%2Forgs%2F*/permissions/documents:read",
        Some(&key),
        None,
    )
    .await
    .expect_problem(400, "invalid_check");
    let refused = app
        .call(
            Method::POST,
            "/v1/tenants/acme/access/v1/evaluation",
            Some(&key),
            Some(json!({"subject": {"type": "user", "id": "ada"}, "action": {"name": "x"}})),
        )
        .await
        .expect_problem(400, "invalid_check");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["resource.type", "resource.id"]);
}

async fn batch_authress_and_authzen_forms(app: TestApp) {
    let key = setup(&app).await;
    let record = app
        .put("/v1/tenants/acme/records/r", json!({"name": "R", "users": ["auth0|ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}))
        .await
        .expect(201);
    let batch = app
        .call(Method::POST, "/v1/tenants/acme/check/batch", Some(&key), Some(json!({"checks": [
            ask("auth0|ada", "/docs/1", "documents:read"),
            ask("auth0|ada", "/docs/1", "documents:write"),
            ask("bob", "/docs/1", "documents:read"),
            {"userId": "auth0|ada", "resourceUri": "/docs", "permission": "documents:read", "explain": true},
        ]})))
        .await
        .expect(200);
    let allowed: Vec<bool> = batch.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["allowed"].as_bool().unwrap())
        .collect();
    assert_eq!(allowed, [true, false, false, true]);
    assert!(batch.body["results"][0].get("explanation").is_none());
    assert_eq!(
        batch.body["results"][3]["explanation"]["grantedBy"]["recordId"],
        "r"
    );
    assert_eq!(batch.body["revision"], record.revision());

    let yes = app
        .call(
            Method::GET,
            "/v1/tenants/acme/users/auth0%7Cada/resources/%2Fdocs%2F1/permissions/documents:read",
            Some(&key),
            None,
        )
        .await
        .expect(200);
    assert_eq!(yes.body["allowed"], true);
    assert_eq!(yes.revision(), record.revision());
    let no = app
        .call(
            Method::GET,
            "/v1/tenants/acme/users/auth0%7Cada/resources/%2Fdocs%2F1/permissions/documents:write",
            Some(&key),
            None,
        )
        .await
        .expect_problem(404, "not_allowed");
    assert_eq!(no.revision(), record.revision());

    let evaluation = app
        .call(
            Method::POST,
            "/v1/tenants/acme/access/v1/evaluation",
            Some(&key),
            Some(json!({
            "subject": {"type": "user", "id": "auth0|ada", "properties": {"department": "x"}},
            "resource": {"type": "document", "id": "/docs/1"},
            "action": {"name": "documents:read"},
            "context": {"time": "now"}})),
        )
        .await
        .expect(200);
    assert_eq!(evaluation.body["decision"], true);
    let evaluations = app
        .call(Method::POST, "/v1/tenants/acme/access/v1/evaluations", Some(&key), Some(json!({
            "subject": {"type": "user", "id": "auth0|ada"},
            "action": {"name": "documents:read"},
            "evaluations": [
                {"resource": {"type": "document", "id": "/docs/1"}},
                {"resource": {"type": "document", "id": "/elsewhere"}},
                {"resource": {"type": "document", "id": "/docs/2"}, "action": {"name": "documents:write"}}]})))
        .await
        .expect(200);
    let decisions: Vec<bool> = evaluations.body["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["decision"].as_bool().unwrap())
        .collect();
    assert_eq!(decisions, [true, false, false]);
}

async fn decisions_need_the_check_scope_and_stay_in_the_tenant(app: TestApp) {
    let key = setup(&app).await;
    app.put("/v1/tenants/acme/records/r", json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}))
        .await
        .expect(201);
    let reader = app.key("acme", &["read", "write"]).await;
    app.call(
        Method::POST,
        "/v1/tenants/acme/check",
        Some(&reader),
        Some(ask("ada", "/docs", "documents:read")),
    )
    .await
    .expect_problem(403, "forbidden");
    app.call(
        Method::POST,
        "/v1/tenants/acme/check",
        None,
        Some(ask("ada", "/docs", "documents:read")),
    )
    .await
    .expect_problem(401, "unauthenticated");
    assert_eq!(
        app.check("acme", &key, ask("ada", "/docs", "documents:read"))
            .await["allowed"],
        true
    );
    // The platform admin may check any tenant.
    let admin = app
        .check("acme", ADMIN, ask("ada", "/docs", "documents:read"))
        .await;
    assert_eq!(admin["allowed"], true);

    app.tenant("other").await;
    let other = app.key("other", &["check"]).await;
    for path in [
        "/v1/tenants/acme/check",
        "/v1/tenants/acme/check/batch",
        "/v1/tenants/acme/access/v1/evaluation",
        "/v1/tenants/acme/access/v1/evaluations",
        "/v1/tenants/nonexistent/check",
    ] {
        let body = json!({"checks": [], "evaluations": []});
        let refused = app
            .call(Method::POST, path, Some(&other), Some(body))
            .await
            .expect_problem(404, "not_found");
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .starts_with("tenant `")
        );
    }
    app.call(
        Method::GET,
        "/v1/tenants/acme/users/ada/resources/%2Fdocs/permissions/documents:read",
        Some(&other),
        None,
    )
    .await
    .expect_problem(404, "not_found");
    // The other tenant's own checks see nothing of acme's.
    assert_eq!(
        app.check("other", &other, ask("ada", "/docs", "documents:read"))
            .await["allowed"],
        false
    );
}

async fn min_revision_is_honoured(app: TestApp) {
    let key = setup(&app).await;
    let written = app
        .put("/v1/tenants/acme/records/r", json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}))
        .await
        .expect(201);
    let mut request = ask("ada", "/docs", "documents:read");
    request["minRevision"] = json!(written.revision());
    assert_eq!(
        app.check("acme", &key, request.clone()).await["allowed"],
        true
    );
    // A revision the tenant never committed is the caller's mistake, said at once on every
    // endpoint that takes `minRevision`.
    let ahead = written.revision() + 100;
    request["minRevision"] = json!(ahead);
    let started = std::time::Instant::now();
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/v1/tenants/acme/check".into(),
            Some(request.clone()),
        ),
        (
            Method::POST,
            "/v1/tenants/acme/check/batch".into(),
            Some(json!({"checks": [ask("ada", "/docs", "documents:read")], "minRevision": ahead})),
        ),
        (
            Method::GET,
            format!("/v1/tenants/acme/users/ada/resources/%2Fdocs/permissions?minRevision={ahead}"),
            None,
        ),
        (
            Method::GET,
            format!(
                "/v1/tenants/acme/users/ada/resources?permission=documents:read&minRevision={ahead}"
            ),
            None,
        ),
        (
            Method::GET,
            format!(
                "/v1/tenants/acme/resources/%2Fdocs/users?permission=documents:read&minRevision={ahead}"
            ),
            None,
        ),
    ];
    for (method, path, body) in calls {
        let refused = app
            .call(method, &path, Some(&key), body)
            .await
            .expect_problem(400, "revision_not_reached");
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains(&written.revision().to_string()),
            "{path}: the detail names the newest revision: {}",
            refused.body
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "none of them waited for the revision"
    );
}

/// Two server processes on one database: a revocation acknowledged by one is in force on
/// the other for the very next request.
async fn replicas_sharing_a_database_never_answer_stale(first: TestApp) {
    let a = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    let b = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    drop(first);
    let key = setup(&a).await;
    let mut stale = 0;
    for trial in 0..15 {
        let path = format!("/v1/tenants/acme/records/r{trial}");
        let record = json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": [format!("/docs/{trial}")]}]});
        a.put(&path, record).await.expect(201);
        let resource = format!("/docs/{trial}/x");
        assert_eq!(
            b.check("acme", &key, ask("ada", &resource, "documents:read"))
                .await["allowed"],
            true,
            "grant on A seen on B"
        );
        a.delete(&path).await.expect(200);
        if b.check("acme", &key, ask("ada", &resource, "documents:read"))
            .await["allowed"]
            == true
        {
            stale += 1;
        }
    }
    assert_eq!(stale, 0, "stale allows after revocation");
    // `minimizeLatency` answers from what the replica has, without reading the database.
    let mut request = ask("ada", "/docs/0/x", "documents:read");
    request["consistency"] = json!("minimizeLatency");
    assert_eq!(b.check("acme", &key, request).await["allowed"], false);

    // Even `minimizeLatency` answers catch up soon: replicas follow the change feed by
    // themselves (woken by NOTIFY on PostgreSQL, polling on SQLite).
    a.put("/v1/tenants/acme/records/late", json!({"name": "L", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/late"]}]}))
        .await
        .expect(201);
    let started = std::time::Instant::now();
    let mut lazy = ask("ada", "/late", "documents:read");
    lazy["consistency"] = json!("minimizeLatency");
    while b.check("acme", &key, lazy.clone()).await["allowed"] != true {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "replica B never caught up by itself"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // A key revoked through one replica stops working on the other within a second.
    let keys = a.get("/v1/tenants/acme/api-keys").await.expect(200);
    let key_id = keys.body["items"][0]["keyId"].as_str().unwrap().to_owned();
    a.delete(&format!("/v1/tenants/acme/api-keys/{key_id}"))
        .await
        .expect(200);
    let started = std::time::Instant::now();
    let check = ask("ada", "/docs", "documents:read");
    loop {
        let got = b
            .call(
                Method::POST,
                "/v1/tenants/acme/check",
                Some(&key),
                Some(check.clone()),
            )
            .await;
        if got.status == 401 {
            break;
        }
        assert_eq!(got.status, 200);
        let waited = started.elapsed();
        assert!(
            waited < std::time::Duration::from_secs(3),
            "the revoked key still works on the other replica"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A tenant deleted through one replica, and created again with the same id, starts
    // empty on the other: nothing of the old tenant's grants survives there.
    a.put("/v1/tenants/acme/records/kept", json!({"name": "K", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/kept"]}]}))
        .await
        .expect(201);
    assert_eq!(
        b.check("acme", ADMIN, ask("ada", "/kept", "documents:read"))
            .await["allowed"],
        true
    );
    a.delete("/v1/tenants/acme").await.expect(204);
    b.call(
        Method::POST,
        "/v1/tenants/acme/check",
        Some(ADMIN),
        Some(ask("ada", "/kept", "documents:read")),
    )
    .await
    .expect_problem(404, "not_found");
    a.tenant("acme").await;
    for i in 0..40 {
        a.put(
            &format!("/v1/tenants/acme/roles/r{i}"),
            json!({"name": "R"}),
        )
        .await
        .expect(201);
    }
    assert_eq!(
        b.check("acme", ADMIN, ask("ada", "/kept", "documents:read"))
            .await["allowed"],
        false
    );
}

async fn lookups_answer_who_can_do_what_where(app: TestApp) {
    let key = setup(&app).await;
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["bob", "carol"]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/records/ada",
        json!({"name": "A", "users": ["ada"], "statements": [
        {"roles": ["viewer"], "resources": ["/orgs/acme/docs", "/orgs/beta/docs/d9"]},
        {"roles": ["editor"], "resources": ["/orgs/*/drafts"]}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/records/team",
        json!({"name": "T", "groups": ["team"], "users": ["dave"], "statements": [
        {"roles": ["editor"], "resources": ["/orgs/acme"]}]}),
    )
    .await
    .expect(201);
    let last = app
        .put(
            "/v1/tenants/acme/records/off",
            json!({"name": "Off", "status": "disabled", "users": ["erin"], "statements": [
            {"roles": ["editor"], "resources": ["/orgs"]}]}),
        )
        .await
        .expect(201);
    let get = |path: String| {
        let app = &app;
        let key = key.clone();
        async move { app.call(Method::GET, &path, Some(&key), None).await }
    };

    let effective =
        get("/v1/tenants/acme/users/ada/resources/%2Forgs%2Facme%2Fdrafts%2Fd1/permissions".into())
            .await
            .expect(200);
    assert_eq!(
        effective.body["permissions"],
        json!([{"action": "documents:*", "allow": true, "grant": false, "delegate": false,
            "grants": [{"recordId": "ada", "via": {"kind": "user", "id": "ada"}, "roleId": "editor"}]}])
    );
    // Held through a group: the record, the group and the role say where it comes from.
    let through_group =
        get("/v1/tenants/acme/users/bob/resources/%2Forgs%2Facme%2Fdocs/permissions".into())
            .await
            .expect(200);
    for permission in through_group.body["permissions"].as_array().unwrap() {
        assert_eq!(
            permission["grants"],
            json!([{"recordId": "team", "via": {"kind": "group", "id": "team"}, "roleId": "editor"}])
        );
    }
    assert_eq!(effective.body["revision"], last.revision());
    let effective =
        get("/v1/tenants/acme/users/ada/resources/%2Forgs%2Facme%2Fdocs/permissions".into())
            .await
            .expect(200);
    assert_eq!(effective.body["permissions"][0]["action"], "documents:read");
    let none = get("/v1/tenants/acme/users/erin/resources/%2Forgs/permissions".into())
        .await
        .expect(200);
    assert_eq!(none.body["permissions"], json!([]));

    let resources = get("/v1/tenants/acme/users/ada/resources?permission=documents:read".into())
        .await
        .expect(200);
    let uris: Vec<&str> = resources.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resourceUri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        ["/orgs/*/drafts", "/orgs/acme/docs", "/orgs/beta/docs/d9"]
    );
    let under = get(
        "/v1/tenants/acme/users/ada/resources?permission=documents:read&under=/orgs/beta".into(),
    )
    .await
    .expect(200);
    let uris: Vec<&str> = under.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resourceUri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["/orgs/beta/docs/d9", "/orgs/beta/drafts"]);
    let writable = get("/v1/tenants/acme/users/ada/resources?permission=documents:write".into())
        .await
        .expect(200);
    assert_eq!(
        writable.body["items"],
        json!([{"resourceUri": "/orgs/*/drafts",
            "grants": [{"recordId": "ada", "via": {"kind": "user", "id": "ada"}}]}])
    );
    let dave = get("/v1/tenants/acme/users/dave/resources?permission=documents:write".into())
        .await
        .expect(200);
    assert_eq!(
        dave.body["items"],
        json!([{"resourceUri": "/orgs/acme",
            "grants": [{"recordId": "team", "via": {"kind": "user", "id": "dave"}}]}])
    );

    let users = get(
        "/v1/tenants/acme/resources/%2Forgs%2Facme%2Fdocs%2Fd1/users?permission=documents:read"
            .into(),
    )
    .await
    .expect(200);
    assert_eq!(users.body["revision"], last.revision());
    assert_eq!(
        users.body["items"],
        json!([
            {"userId": "ada", "grants": [{"recordId": "ada", "via": {"kind": "user", "id": "ada"}}]},
            {"userId": "bob", "grants": [{"recordId": "team", "via": {"kind": "group", "id": "team"}}]},
            {"userId": "carol", "grants": [{"recordId": "team", "via": {"kind": "group", "id": "team"}}]},
            {"userId": "dave", "grants": [{"recordId": "team", "via": {"kind": "user", "id": "dave"}}]},
        ])
    );
    // Paging through gives every user once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = get(format!("/v1/tenants/acme/resources/%2Forgs%2Facme%2Fdocs%2Fd1/users?permission=documents:read&limit=3{cursor}"))
            .await
            .expect(200);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["userId"].as_str().unwrap().to_owned()),
        );
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["ada", "bob", "carol", "dave"]);
    // A lookup's later pages are answered at its first page's revision: a change made in
    // between shows in the next lookup, not in the middle of this one.
    let path = "/v1/tenants/acme/resources/%2Forgs%2Facme%2Fdocs%2Fd1/users?permission=documents:read&limit=3";
    let first = get(path.into()).await.expect(200);
    let at = first.body["revision"].as_i64().unwrap();
    let next = first.body["nextCursor"].as_str().unwrap().to_owned();
    let enabled = app
        .put(
            "/v1/tenants/acme/records/off",
            json!({"name": "Off", "users": ["erin"], "statements": [
            {"roles": ["editor"], "resources": ["/orgs"]}]}),
        )
        .await
        .expect(200);
    let user_ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userId"].as_str().unwrap().to_owned())
            .collect()
    };
    let second = get(format!("{path}&cursor={next}")).await.expect(200);
    assert_eq!(second.body["revision"], at);
    assert_eq!(user_ids(&second.body), ["dave"]);
    let again = get(path.into()).await.expect(200);
    assert_eq!(again.body["revision"], enabled.revision());
    let next = again.body["nextCursor"].as_str().unwrap().to_owned();
    let second = get(format!("{path}&cursor={next}")).await.expect(200);
    assert_eq!(second.body["revision"], enabled.revision());
    assert_eq!(user_ids(&second.body), ["dave", "erin"]);
    // Asked with a `minRevision` above the cursor's, the page is the fresher one.
    let fresher = get(format!(
        "{path}&cursor={}&minRevision={}",
        first.body["nextCursor"].as_str().unwrap(),
        enabled.revision()
    ))
    .await
    .expect(200);
    assert_eq!(user_ids(&fresher.body), ["dave", "erin"]);
    // A cursor this server did not issue.
    get(format!("{path}&cursor=eHl6"))
        .await
        .expect_problem(400, "invalid_cursor");
    app.put(
        "/v1/tenants/acme/records/off",
        json!({"name": "Off", "status": "disabled", "users": ["erin"], "statements": [
        {"roles": ["editor"], "resources": ["/orgs"]}]}),
    )
    .await
    .expect(200);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = get(format!(
            "/v1/tenants/acme/users/ada/resources?permission=documents:read&limit=2{cursor}"
        ))
        .await
        .expect(200);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["resourceUri"].as_str().unwrap().to_owned()),
        );
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);

    get("/v1/tenants/acme/users/ada/resources?permission=documents:*".into())
        .await
        .expect_problem(400, "invalid_check");
    get("/v1/tenants/acme/users/ada/resources".into())
        .await
        .expect_problem(400, "invalid_parameter");
    get("/v1/tenants/acme/users/ada/resources?permission=a&under=/x/*".into())
        .await
        .expect_problem(400, "invalid_check");
    get("/v1/tenants/acme/resources/%2Forgs%2F*/users?permission=a".into())
        .await
        .expect_problem(400, "invalid_check");
    let reader = app.key("acme", &["read"]).await;
    app.call(
        Method::GET,
        "/v1/tenants/acme/users/ada/resources?permission=a",
        Some(&reader),
        None,
    )
    .await
    .expect_problem(403, "forbidden");
    app.tenant("other").await;
    let other = app.key("other", &["check"]).await;
    for path in [
        "/v1/tenants/acme/users/ada/resources?permission=documents:read",
        "/v1/tenants/acme/users/ada/resources/%2Forgs/permissions",
        "/v1/tenants/acme/resources/%2Forgs/users?permission=documents:read",
    ] {
        app.call(Method::GET, path, Some(&other), None)
            .await
            .expect_problem(404, "not_found");
    }
}
