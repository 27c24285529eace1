//! Roles, groups, records, resources and users: the shared object behaviour, each kind's
//! rules, referential integrity and limits.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, TestApp};

on_both_databases!(
    every_kind_has_the_full_lifecycle,
    lists_page_through_every_kind,
    if_match_guards_writes,
    references_must_exist_and_block_deletion,
    limits_are_enforced,
    bad_input_is_refused_and_changes_nothing,
    generated_ids_and_users_named_in_records,
    every_mistake_of_a_write_is_named_at_once,
);

/// Each kind's collection path and a valid body for it, by id.
fn kinds() -> Vec<(&'static str, &'static str, Value, Value)> {
    vec![
        (
            "roles",
            "editor",
            json!({"name": "Editor", "permissions": [{"action": "documents:*"}]}),
            json!({"name": "Editor", "permissions": [{"action": "documents:read", "allow": true, "grant": false, "delegate": false}, {"action": "documents:share", "allow": false, "grant": true, "delegate": false}]}),
        ),
        (
            "groups",
            "support",
            json!({"name": "Support", "users": ["u1"]}),
            json!({"name": "Support", "users": ["u1", "u2"]}),
        ),
        (
            "records",
            "rec1",
            json!({"name": "R"}),
            json!({"name": "R", "status": "disabled", "expiresAt": "2030-01-01T00:00:00.000Z", "tags": {"team": "a"}}),
        ),
        (
            "resources",
            "%2Forgs%2Facme",
            json!({"name": "Acme"}),
            json!({"name": "Acme", "metadata": {"plan": "pro"}}),
        ),
        (
            "users",
            "user%7C42",
            json!({"name": "Ada"}),
            json!({"name": "Ada L.", "email": "ada@example.com"}),
        ),
    ]
}

async fn every_kind_has_the_full_lifecycle(app: TestApp) {
    app.tenant("acme").await;
    for (kind, id, body, changed) in kinds() {
        let base = format!("/v1/tenants/acme/{kind}");
        let item = format!("{base}/{id}");
        let before = app.revision("acme").await;

        let created = app.put(&item, body.clone()).await.expect(201);
        assert_eq!(
            created.revision(),
            before + 1,
            "{kind}: a write takes the next revision"
        );
        assert_eq!(created.body["revision"], before + 1);
        assert_eq!(
            created.header("etag"),
            Some(format!("\"{}\"", before + 1).as_str())
        );
        let created_at = created.body["createdAt"].clone();

        let got = app.get(&item).await.expect(200);
        assert_eq!(
            got.body, created.body,
            "{kind}: get returns what was written"
        );
        assert_eq!(got.header("etag"), created.header("etag"));

        let listed = app.get(&base).await.expect(200);
        assert!(
            listed.body["items"]
                .as_array()
                .unwrap()
                .contains(&created.body),
            "{kind}: listed"
        );

        let replaced = app.put(&item, changed.clone()).await.expect(200);
        assert_eq!(replaced.revision(), before + 2);
        assert_eq!(
            replaced.body["createdAt"], created_at,
            "{kind}: createdAt is kept"
        );
        for (field, value) in changed.as_object().unwrap() {
            assert_eq!(&replaced.body[field], value, "{kind}: {field} replaced");
        }

        // The audit log has both writes, with before and after.
        let audit = app.get("/v1/tenants/acme/audit?limit=2").await.expect(200);
        let events = audit.body["items"].as_array().unwrap();
        assert_eq!(events[0]["revision"], before + 2);
        assert!(
            events[0]["action"].as_str().unwrap().ends_with(".update"),
            "{kind}: {}",
            events[0]
        );
        assert_eq!(events[0]["before"], created.body);
        assert_eq!(events[0]["after"], replaced.body);
        assert!(events[1]["action"].as_str().unwrap().ends_with(".create"));
        assert_eq!(events[1]["before"], Value::Null);
        assert_eq!(events[1]["after"], created.body);

        let deleted = app.delete(&item).await.expect(200);
        assert_eq!(deleted.body["revision"], before + 3);
        assert_eq!(deleted.revision(), before + 3);
        app.get(&item).await.expect_problem(404, "not_found");
        app.delete(&item).await.expect_problem(404, "not_found");
        let audit = app.get("/v1/tenants/acme/audit?limit=1").await.expect(200);
        let event = &audit.body["items"][0];
        assert!(event["action"].as_str().unwrap().ends_with(".delete"));
        assert_eq!(event["before"], replaced.body);
        assert_eq!(event["after"], Value::Null);
    }
}

async fn lists_page_through_every_kind(app: TestApp) {
    app.tenant("acme").await;
    for (kind, _, body, _) in kinds() {
        let mut ids = Vec::new();
        for i in 0..5 {
            let id = if kind == "resources" {
                format!("%2Fdoc{i}")
            } else {
                format!("id{i}")
            };
            app.put(&format!("/v1/tenants/acme/{kind}/{id}"), body.clone())
                .await
                .expect(201);
            ids.push(id.replace("%2F", "/"));
        }
        let mut seen = Vec::new();
        let mut cursor = String::new();
        let mut pages = 0;
        loop {
            let page = app
                .get(&format!("/v1/tenants/acme/{kind}?limit=2{cursor}"))
                .await
                .expect(200);
            pages += 1;
            for item in page.body["items"].as_array().unwrap() {
                let id = item
                    .as_object()
                    .unwrap()
                    .iter()
                    .find(|(k, _)| k.ends_with("Id") || *k == "resourceUri")
                    .unwrap()
                    .1;
                seen.push(id.as_str().unwrap().to_owned());
            }
            match page.body["nextCursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        // Groups register their users as users, so the users list has more than five.
        if kind != "users" {
            assert_eq!(seen, ids, "{kind}: every item once, in id order");
            assert_eq!(pages, 3);
        } else {
            assert!(ids.iter().all(|id| seen.contains(id)));
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(seen, sorted);
        }
    }
}

async fn if_match_guards_writes(app: TestApp) {
    app.tenant("acme").await;
    let path = "/v1/tenants/acme/roles/editor";
    let role = json!({"name": "Editor"});
    let created = app.put(path, role.clone()).await.expect(201);
    let etag = created.header("etag").unwrap().to_owned();

    // Create-only.
    app.call_with(
        Method::PUT,
        path,
        Some(ADMIN),
        Some(role.clone()),
        &[("if-none-match", "*")],
    )
    .await
    .expect_problem(412, "precondition_failed");
    app.call_with(
        Method::PUT,
        "/v1/tenants/acme/roles/fresh",
        Some(ADMIN),
        Some(role.clone()),
        &[("if-none-match", "*")],
    )
    .await
    .expect(201);

    let stale = app
        .call_with(
            Method::PUT,
            path,
            Some(ADMIN),
            Some(json!({"name": "Stale"})),
            &[("if-match", "\"999\"")],
        )
        .await
        .expect_problem(412, "precondition_failed");
    assert_eq!(stale.body["currentRevision"], created.body["revision"]);
    app.call_with(
        Method::PUT,
        path,
        Some(ADMIN),
        Some(json!({"name": "Bad"})),
        &[("if-match", "yesterday")],
    )
    .await
    .expect_problem(400, "invalid_header");
    let updated = app
        .call_with(
            Method::PUT,
            path,
            Some(ADMIN),
            Some(json!({"name": "Editors"})),
            &[("if-match", &etag)],
        )
        .await
        .expect(200);
    // The old ETag is stale now, for replace and delete alike.
    app.call_with(
        Method::PUT,
        path,
        Some(ADMIN),
        Some(json!({"name": "Lost update"})),
        &[("if-match", &etag)],
    )
    .await
    .expect_problem(412, "precondition_failed");
    app.call_with(
        Method::DELETE,
        path,
        Some(ADMIN),
        None,
        &[("if-match", &etag)],
    )
    .await
    .expect_problem(412, "precondition_failed");
    assert_eq!(app.get(path).await.expect(200).body["name"], "Editors");
    // `*` asks only that it exists.
    app.call_with(
        Method::PUT,
        "/v1/tenants/acme/roles/ghost",
        Some(ADMIN),
        Some(role),
        &[("if-match", "*")],
    )
    .await
    .expect_problem(412, "precondition_failed");
    let new_etag = updated.header("etag").unwrap();
    app.call_with(
        Method::DELETE,
        path,
        Some(ADMIN),
        None,
        &[("if-match", new_etag)],
    )
    .await
    .expect(200);
}

async fn references_must_exist_and_block_deletion(app: TestApp) {
    app.tenant("acme").await;
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    let record = json!({
        "name": "R", "users": ["alice"], "groups": ["team", "viewer"],
        "statements": [{"roles": ["viewer", "ghost"], "resources": ["/docs"]}]
    });
    let refused = app
        .put("/v1/tenants/acme/records/r1", record)
        .await
        .expect_problem(422, "validation_failed");
    let mut fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    // `viewer` is a role, not a group: a reference must name an object of the right kind.
    assert_eq!(
        fields,
        ["groups[0]", "groups[1]", "statements[0].roles[1]"],
        "{}",
        refused.body
    );
    app.get("/v1/tenants/acme/records/r1")
        .await
        .expect_problem(404, "not_found");
    app.get("/v1/tenants/acme/users/alice")
        .await
        .expect_problem(404, "not_found");

    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["bob"]}),
    )
    .await
    .expect(201);
    let record = json!({"name": "R", "users": ["alice"], "groups": ["team"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]});
    app.put("/v1/tenants/acme/records/r1", record)
        .await
        .expect(201);

    for (path, kind) in [
        ("/v1/tenants/acme/roles/viewer", "record"),
        ("/v1/tenants/acme/groups/team", "record"),
        ("/v1/tenants/acme/users/alice", "record"),
        ("/v1/tenants/acme/users/bob", "group"),
    ] {
        let conflict = app.delete(path).await.expect_problem(409, "in_use");
        assert_eq!(conflict.body["referrers"][0]["kind"], kind, "{path}");
        app.get(path).await.expect(200);
    }
    let conflict = app
        .delete("/v1/tenants/acme/roles/viewer")
        .await
        .expect_problem(409, "in_use");
    assert_eq!(
        conflict.body["referrers"],
        json!([{"kind": "record", "id": "r1"}])
    );

    // Once the record lets go, the role can go.
    app.put("/v1/tenants/acme/records/r1", json!({"name": "R"}))
        .await
        .expect(200);
    app.delete("/v1/tenants/acme/roles/viewer")
        .await
        .expect(200);
    app.delete("/v1/tenants/acme/users/alice").await.expect(200);
    app.delete("/v1/tenants/acme/records/r1").await.expect(200);
    app.delete("/v1/tenants/acme/groups/team").await.expect(200);
    app.delete("/v1/tenants/acme/users/bob").await.expect(200);
}

async fn limits_are_enforced(app: TestApp) {
    app.tenant("acme").await;
    let before = app.revision("acme").await;
    let permissions: Vec<Value> = (0..201)
        .map(|i| json!({"action": format!("a{i}")}))
        .collect();
    let too_many = app
        .put(
            "/v1/tenants/acme/roles/big",
            json!({"name": "Big", "permissions": permissions}),
        )
        .await
        .expect_problem(422, "limit_exceeded");
    assert_eq!(too_many.body["errors"][0]["field"], "permissions");
    assert!(
        too_many.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("200")
    );
    let permissions: Vec<Value> = (0..200)
        .map(|i| json!({"action": format!("a{i}")}))
        .collect();
    app.put(
        "/v1/tenants/acme/roles/big",
        json!({"name": "Big", "permissions": permissions}),
    )
    .await
    .expect(201);

    let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    let refused = app
        .put(
            "/v1/tenants/acme/records/r",
            json!({"name": "R", "users": users}),
        )
        .await
        .expect_problem(422, "limit_exceeded");
    assert_eq!(refused.body["errors"][0]["field"], "users");
    let roles: Vec<String> = (0..51).map(|_| "big".to_owned()).collect();
    let refused = app
        .put(
            "/v1/tenants/acme/records/r",
            json!({"name": "R", "statements": [{"roles": roles, "resources": ["/a"]}]}),
        )
        .await
        .expect_problem(422, "limit_exceeded");
    assert_eq!(refused.body["errors"][0]["field"], "statements[0].roles");
    let resources: Vec<String> = (0..101).map(|i| format!("/r{i}")).collect();
    app.put(
        "/v1/tenants/acme/records/r",
        json!({"name": "R", "statements": [{"roles": ["big"], "resources": resources}]}),
    )
    .await
    .expect_problem(422, "limit_exceeded");
    let statements: Vec<Value> = (0..101)
        .map(|_| json!({"roles": ["big"], "resources": ["/a"]}))
        .collect();
    app.put(
        "/v1/tenants/acme/records/r",
        json!({"name": "R", "statements": statements}),
    )
    .await
    .expect_problem(422, "limit_exceeded");
    let groups: Vec<String> = (0..101).map(|i| format!("g{i}")).collect();
    app.put(
        "/v1/tenants/acme/records/r",
        json!({"name": "R", "groups": groups}),
    )
    .await
    .expect_problem(422, "limit_exceeded");

    // A record at every limit at once is accepted.
    let users: Vec<String> = (0..1000).map(|i| format!("u{i}")).collect();
    let roles: Vec<String> = (0..50).map(|_| "big".to_owned()).collect();
    let resources: Vec<String> = (0..100).map(|i| format!("/r{i}")).collect();
    let statements: Vec<Value> = (0..100)
        .map(|_| json!({"roles": roles, "resources": resources}))
        .collect();
    app.put(
        "/v1/tenants/acme/records/r",
        json!({"name": "R", "users": users, "statements": statements}),
    )
    .await
    .expect(201);
    assert_eq!(
        app.revision("acme").await,
        before + 2,
        "only the two accepted writes counted"
    );
}

async fn bad_input_is_refused_and_changes_nothing(app: TestApp) {
    app.tenant("acme").await;
    let before = app.revision("acme").await;
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "/v1/tenants/acme/roles/bad%20id",
            json!({"name": "x"}),
            400,
            "invalid_id",
            "",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"name": "x", "permissions": [{"action": "docs::read"}]}),
            422,
            "validation_failed",
            "permissions[0].action",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"name": "x", "permissions": [{"action": "a", "allow": "yes"}]}),
            422,
            "validation_failed",
            "permissions[0].allow",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"name": "x", "permissions": [{"action": "a"}, {"action": "A"}]}),
            422,
            "validation_failed",
            "permissions[1].action",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"name": "x", "permissions": [{"action": "a", "allow": false}]}),
            422,
            "validation_failed",
            "permissions[0]",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"roleId": "other", "name": "x"}),
            422,
            "validation_failed",
            "roleId",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!({"name": ""}),
            422,
            "validation_failed",
            "name",
        ),
        (
            "/v1/tenants/acme/roles/r",
            json!(["not", "an", "object"]),
            422,
            "validation_failed",
            "",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "statements": [{"roles": [], "resources": ["/a"]}]}),
            422,
            "validation_failed",
            "statements[0].roles",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "statements": [{"roles": ["a"], "resources": ["no-slash"]}]}),
            422,
            "validation_failed",
            "statements[0].resources[0]",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "statements": [{"roles": ["a"], "resources": ["/a/../b"]}]}),
            422,
            "validation_failed",
            "statements[0].resources[0]",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "status": "paused"}),
            422,
            "validation_failed",
            "status",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "expiresAt": "tomorrow"}),
            422,
            "validation_failed",
            "expiresAt",
        ),
        (
            "/v1/tenants/acme/records/r",
            json!({"name": "x", "users": ["bad\u{0007}user"]}),
            422,
            "validation_failed",
            "users[0]",
        ),
        (
            "/v1/tenants/acme/resources/orgs",
            json!({"name": "x"}),
            400,
            "invalid_id",
            "",
        ),
        (
            // A control character in any path segment is refused in front of the routes.
            "/v1/tenants/acme/users/a%0Ab",
            json!({"name": "x"}),
            400,
            "invalid_path",
            "",
        ),
        (
            "/v1/tenants/acme/users/u",
            json!({"email": "not-an-email"}),
            422,
            "validation_failed",
            "email",
        ),
        (
            "/v1/tenants/acme/groups/g",
            json!({"name": "x", "users": "u1"}),
            422,
            "validation_failed",
            "users",
        ),
        (
            "/v1/tenants/acme/api-keys/k",
            json!({"name": "x", "scopes": ["admin"]}),
            422,
            "validation_failed",
            "scopes[0]",
        ),
    ];
    for (path, body, status, code, field) in cases {
        let refused = app
            .put(path, body.clone())
            .await
            .expect_problem(status, code);
        if status == 422 {
            let fields: Vec<&str> = refused.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(
                fields.contains(&field),
                "{path} {body}: expected field `{field}`, got {fields:?}"
            );
        }
    }
    app.get("/v1/tenants/acme/roles/bad%20id")
        .await
        .expect_problem(400, "invalid_id");
    app.get("/v1/tenants/acme/roles?cursor=***")
        .await
        .expect_problem(400, "invalid_cursor");
    app.get("/v1/tenants/acme/roles?limit=abc")
        .await
        .expect_problem(400, "invalid_parameter");
    app.get("/v1/tenants/acme/nothing-here")
        .await
        .expect_problem(404, "not_found");
    app.call(
        Method::PATCH,
        "/v1/tenants/acme/roles",
        Some(ADMIN),
        Some(json!({})),
    )
    .await
    .expect_problem(405, "method_not_allowed");
    let invalid_utf8 = app.get("/v1/tenants/acme/roles/%FF").await;
    assert_eq!(invalid_utf8.status, 400, "{}", invalid_utf8.body);
    assert_eq!(
        app.revision("acme").await,
        before,
        "no refused request changed anything"
    );
    assert_eq!(
        app.get("/v1/tenants/acme/users").await.expect(200).body["items"],
        json!([])
    );
}

async fn generated_ids_and_users_named_in_records(app: TestApp) {
    app.tenant("acme").await;
    let role = app
        .post("/v1/tenants/acme/roles", json!({"name": "Generated"}))
        .await
        .expect(201);
    assert!(role.body["roleId"].as_str().unwrap().starts_with("rol_"));
    let group = app
        .post(
            "/v1/tenants/acme/groups",
            json!({"name": "G", "users": ["auth0|1"]}),
        )
        .await
        .expect(201);
    assert!(group.body["groupId"].as_str().unwrap().starts_with("grp_"));
    let record = app
        .post(
            "/v1/tenants/acme/records",
            json!({"name": "R", "users": ["auth0|2"]}),
        )
        .await
        .expect(201);
    assert!(
        record.body["recordId"]
            .as_str()
            .unwrap()
            .starts_with("rec_")
    );
    assert_eq!(record.body["status"], "active");
    let key = app
        .post(
            "/v1/tenants/acme/api-keys",
            json!({"name": "K", "scopes": ["check"]}),
        )
        .await
        .expect(201);
    assert!(key.body["keyId"].as_str().unwrap().starts_with("key_"));
    app.post(
        "/v1/tenants/acme/roles",
        json!({"roleId": "fixed", "name": "Fixed"}),
    )
    .await
    .expect(201);
    app.post(
        "/v1/tenants/acme/roles",
        json!({"roleId": "fixed", "name": "Fixed"}),
    )
    .await
    .expect_problem(409, "already_exists");
    // Users and resources have no generated ids.
    app.post("/v1/tenants/acme/users", json!({"name": "Anonymous"}))
        .await
        .expect_problem(422, "validation_failed");
    app.post(
        "/v1/tenants/acme/resources",
        json!({"resourceUri": "/orgs/acme/", "name": "Acme"}),
    )
    .await
    .expect(201);
    app.get("/v1/tenants/acme/resources/%2Forgs%2Facme")
        .await
        .expect(200);

    // Users named in groups and records are registered, and can be given a name.
    let users = app.get("/v1/tenants/acme/users").await.expect(200);
    let ids: Vec<&str> = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["auth0|1", "auth0|2"]);
    let named = app
        .put(
            "/v1/tenants/acme/users/auth0%7C1",
            json!({"name": "Ada", "email": "ada@example.com"}),
        )
        .await
        .expect(200);
    assert_eq!(named.body["userId"], "auth0|1");
    // Naming an existing user again in a record keeps their profile.
    app.post(
        "/v1/tenants/acme/records",
        json!({"name": "R2", "users": ["auth0|1"]}),
    )
    .await
    .expect(201);
    assert_eq!(
        app.get("/v1/tenants/acme/users/auth0%7C1")
            .await
            .expect(200)
            .body["name"],
        "Ada"
    );
}

on_both_databases!(concurrent_writes_each_get_their_own_revision);

/// Writes racing on one tenant are serialised: none fails, none is lost, and each gets a
/// distinct revision with its own audit event.
async fn concurrent_writes_each_get_their_own_revision(app: TestApp) {
    app.tenant("acme").await;
    let before = app.revision("acme").await;
    let writes = (0..24).map(|i| {
        let app = &app;
        async move {
            let body =
                json!({"name": format!("Role {i}"), "permissions": [{"action": "documents:read"}]});
            app.put(&format!("/v1/tenants/acme/roles/r{i}"), body)
                .await
                .expect(201)
                .revision()
        }
    });
    let mut revisions: Vec<i64> = futures::future::join_all(writes).await;
    revisions.sort();
    assert_eq!(
        revisions,
        ((before + 1)..=(before + 24)).collect::<Vec<_>>()
    );
    let listed = app
        .get("/v1/tenants/acme/roles?limit=100")
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 24);
    let audit = app
        .get("/v1/tenants/acme/audit?action=role.create&limit=100")
        .await
        .expect(200);
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 24);
}

/// The fields named by a problem document's `errors`, sorted.
fn error_fields(problem: &Value) -> Vec<&str> {
    let mut fields = crate::helpers::fields(problem);
    fields.sort_unstable();
    fields
}

async fn every_mistake_of_a_write_is_named_at_once(app: TestApp) {
    app.tenant("acme").await;
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    let before = app.revision("acme").await;
    // Each kind, by create (POST) and by replace (PUT): a request with mistakes of every
    // sort (a field that cannot be read, a rule of the kind, a missing reference) is
    // answered with all of them.
    let cases = [
        (
            "roles",
            "bad role",
            json!({"name": "", "permissions": [{"action": "documents:**x"}, {"action": "ok:read"}, {"action": ""}]}),
            vec!["name", "permissions[0].action", "permissions[2].action"],
        ),
        (
            "groups",
            "bad group",
            json!({"name": "", "description": "x".repeat(5_000), "users": ["ok", "x".repeat(300)]}),
            vec!["description", "name", "users[1]"],
        ),
        (
            "records",
            "bad record",
            json!({"name": "", "expiresAt": "tomorrow", "groups": ["nobody-group", "bad group"],
                "statements": [{"roles": ["viewer", "ghost"], "resources": ["no-slash", "/ok"]}]}),
            vec![
                "expiresAt",
                "groups[0]",
                "groups[1]",
                "name",
                "statements[0].resources[0]",
                "statements[0].roles[1]",
            ],
        ),
        (
            "resources",
            "no slash",
            json!({"name": "", "description": "x".repeat(5_000)}),
            vec!["description"],
        ),
        (
            "users",
            "ada",
            json!({"email": "not an email", "statusReason": "x".repeat(5_000), "name": "x".repeat(300)}),
            vec!["email", "name", "statusReason"],
        ),
    ];
    for (kind, bad_id, body, mut expected) in cases {
        let collection = format!("/v1/tenants/acme/{kind}");
        let id_field = match kind {
            "roles" => "roleId",
            "groups" => "groupId",
            "records" => "recordId",
            "resources" => "resourceUri",
            _ => "userId",
        };
        let mut create = body.clone();
        create[id_field] = json!(bad_id);
        let refused = app.post(&collection, create).await;
        assert_eq!(refused.status, 422, "{kind}: {}", refused.body);
        let mut with_id = expected.clone();
        // A user id may hold a space; the others may not.
        if kind != "users" {
            with_id.push(id_field);
        }
        with_id.sort();
        assert_eq!(
            error_fields(&refused.body),
            with_id,
            "POST {kind}: {}",
            refused.body
        );

        let path = match kind {
            "resources" => format!("{collection}/%2Fok"),
            _ => format!("{collection}/fine"),
        };
        let refused = app.put(&path, body).await;
        assert_eq!(refused.status, 422, "{kind}: {}", refused.body);
        expected.sort();
        assert_eq!(
            error_fields(&refused.body),
            expected,
            "PUT {kind}: {}",
            refused.body
        );
    }
    // A missing group after one that cannot be read is not named at a wrong position.
    let refused = app
        .put(
            "/v1/tenants/acme/records/fine",
            json!({"name": "R", "groups": ["bad group", "nobody"], "statements": [{"roles": ["ghost"], "resources": ["/x"]}]}),
        )
        .await;
    assert_eq!(
        error_fields(&refused.body),
        ["groups[0]", "statements[0].roles[0]"],
        "{}",
        refused.body
    );
    assert!(refused.body["errors"].to_string().contains("bad group"));
    // API keys too.
    let refused = app
        .post(
            "/v1/tenants/acme/api-keys",
            json!({"name": "", "scopes": [], "expiresAt": "soon"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(error_fields(&refused.body), ["expiresAt", "name", "scopes"]);
    assert_eq!(app.revision("acme").await, before, "nothing was written");
}
