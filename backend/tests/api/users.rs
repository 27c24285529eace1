//! Users: suspension denies every decision for the user from the next request on, on
//! every replica and after a restart, and leaves their records as they are.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

on_both_databases!(
    suspension_denies_every_decision_at_once,
    suspension_reaches_every_replica,
    user_status_is_validated,
    lists_filter_by_what_they_name,
    lists_find_ids_by_their_start,
    actions_in_use_are_listed_with_their_roles,
);

/// A tenant where ada holds `documents:read` on `/docs` directly and `documents:edit`
/// through a group with bob; returns a `check` key.
async fn setup(app: &TestApp) -> String {
    app.tenant("acme").await;
    app.put(
        "/v1/tenants/acme/roles/viewer",
        json!({"name": "Viewer", "permissions": [{"action": "documents:read", "grant": true}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/roles/editor",
        json!({"name": "Editor", "permissions": [{"action": "documents:edit"}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/groups/team",
        json!({"name": "Team", "users": ["ada", "bob"]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/records/ada",
        json!({"name": "Ada's", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/records/team",
        json!({"name": "Team's", "groups": ["team"], "statements": [{"roles": ["editor", "viewer"], "resources": ["/docs"]}]}),
    )
    .await
    .expect(201);
    app.key("acme", &["check"]).await
}

fn ask(user: &str, permission: &str) -> Value {
    json!({"userId": user, "resourceUri": "/docs/d1", "permission": permission, "explain": true})
}

async fn suspend(app: &TestApp, user: &str, status: &str, reason: &str) -> i64 {
    app.put(
        &format!("/v1/tenants/acme/users/{user}"),
        json!({"name": "Ada", "status": status, "statusReason": reason}),
    )
    .await
    .expect(200)
    .revision()
}

/// Every decision form's answer for ada on `/docs/d1`, as booleans (and lists for the
/// lookups), so the allowed and the suspended state can be compared whole.
async fn decisions(app: &TestApp, key: &str) -> Value {
    let call = |method: Method, path: &str, body: Option<Value>| {
        let path = format!("/v1/tenants/acme{path}");
        async move { app.call(method, &path, Some(key), body).await }
    };
    let check = call(Method::POST, "/check", Some(ask("ada", "documents:edit")))
        .await
        .expect(200);
    let batch = call(
        Method::POST,
        "/check/batch",
        Some(json!({"checks": [ask("ada", "documents:read"), ask("bob", "documents:read")]})),
    )
    .await
    .expect(200);
    let authress = call(
        Method::GET,
        "/users/ada/resources/%2Fdocs%2Fd1/permissions/documents:read",
        None,
    )
    .await;
    let effective = call(
        Method::GET,
        "/users/ada/resources/%2Fdocs%2Fd1/permissions",
        None,
    )
    .await
    .expect(200);
    let reach = call(
        Method::GET,
        "/users/ada/resources?permission=documents:read",
        None,
    )
    .await
    .expect(200);
    let holders = call(
        Method::GET,
        "/resources/%2Fdocs%2Fd1/users?permission=documents:read",
        None,
    )
    .await
    .expect(200);
    let authzen = call(
        Method::POST,
        "/access/v1/evaluation",
        Some(json!({"subject": {"type": "user", "id": "ada"}, "resource": {"type": "doc", "id": "/docs/d1"}, "action": {"name": "documents:read"}})),
    )
    .await
    .expect(200);
    let holders: Vec<&str> = holders.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["userId"].as_str().unwrap())
        .collect();
    json!({
        "check": check.body["allowed"],
        "suspended": check.body["explanation"]["userSuspended"],
        "batch": [batch.body["results"][0]["allowed"], batch.body["results"][1]["allowed"]],
        "authress": authress.status,
        "effective": effective.body["permissions"].as_array().unwrap().len(),
        "reach": reach.body["items"].as_array().unwrap().len(),
        "holders": holders,
        "authzen": authzen.body["decision"],
    })
}

fn allowed() -> Value {
    json!({"check": true, "suspended": false, "batch": [true, true], "authress": 200,
        "effective": 2, "reach": 1, "holders": ["ada", "bob"], "authzen": true})
}

fn suspended() -> Value {
    json!({"check": false, "suspended": true, "batch": [false, true], "authress": 404,
        "effective": 0, "reach": 0, "holders": ["bob"], "authzen": false})
}

async fn suspension_denies_every_decision_at_once(app: TestApp) {
    let key = setup(&app).await;
    assert_eq!(decisions(&app, &key).await, allowed());

    let revision = suspend(&app, "ada", "suspended", "left the company").await;
    assert_eq!(decisions(&app, &key).await, suspended());
    let user = app.get("/v1/tenants/acme/users/ada").await.expect(200);
    assert_eq!(user.body["status"], "suspended");
    assert_eq!(user.body["statusReason"], "left the company");
    // The records are untouched: suspension is one change to the user, not one per record.
    let record = app.get("/v1/tenants/acme/records/ada").await.expect(200);
    assert_eq!(record.body["status"], "active");
    assert!(record.body["revision"].as_i64().unwrap() < revision);
    // The audit log keeps the change with its reason.
    let events = app
        .get("/v1/tenants/acme/audit?targetKind=user&targetId=ada")
        .await
        .expect(200);
    let event = &events.body["items"][0];
    assert_eq!(event["revision"], revision);
    assert_eq!(event["after"]["status"], "suspended");
    assert_eq!(event["after"]["statusReason"], "left the company");

    // A record written while suspended gives nothing either.
    app.put(
        "/v1/tenants/acme/records/more",
        json!({"name": "More", "users": ["ada"], "statements": [{"roles": ["editor"], "resources": ["/other"]}]}),
    )
    .await
    .expect(201);
    assert_eq!(decisions(&app, &key).await, suspended());

    suspend(&app, "ada", "active", "came back").await;
    assert_eq!(decisions(&app, &key).await, allowed());
}

async fn suspension_reaches_every_replica(first: TestApp) {
    let a = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    let b = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    drop(first);
    let key = setup(&a).await;
    assert_eq!(decisions(&b, &key).await, allowed());
    suspend(&a, "ada", "suspended", "compromised").await;
    // The next request on the other replica already denies.
    assert_eq!(decisions(&b, &key).await, suspended());
    // A replica started now builds its index from the database with ada suspended.
    let c = TestApp::spawn_on(a.db.clone(), |config| config.cluster = true).await;
    assert_eq!(decisions(&c, &key).await, suspended());
    suspend(&a, "ada", "active", "cleared").await;
    assert_eq!(decisions(&b, &key).await, allowed());
    assert_eq!(decisions(&c, &key).await, allowed());
}

async fn user_status_is_validated(app: TestApp) {
    setup(&app).await;
    let before = app.revision("acme").await;
    let refused = app
        .put(
            "/v1/tenants/acme/users/ada",
            json!({"status": "banned", "statusReason": "x"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let refused = app
        .put(
            "/v1/tenants/acme/users/ada",
            json!({"status": "suspended", "statusReason": "x".repeat(4_097)}),
        )
        .await
        .expect_problem(422, "limit_exceeded");
    assert_eq!(refused.body["errors"][0]["field"], "statusReason");
    assert_eq!(app.revision("acme").await, before);
    // Registering a user by naming it in a record leaves a suspension alone.
    suspend(&app, "bob", "suspended", "on leave").await;
    app.put(
        "/v1/tenants/acme/records/bob",
        json!({"name": "Bob's", "users": ["bob"], "statements": [{"roles": ["viewer"], "resources": ["/bob"]}]}),
    )
    .await
    .expect(201);
    let bob = app.get("/v1/tenants/acme/users/bob").await.expect(200);
    assert_eq!(bob.body["status"], "suspended");
}

/// The ids of a list page's items.
fn ids(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// Every `field` of a list read page by page from `path` (which has a query already),
/// following `nextCursor` to the end.
async fn all_pages(app: &TestApp, path: &str, field: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("{path}{cursor}")).await.expect(200);
        found.extend(ids(&page.body, field));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return found,
        }
    }
}

async fn lists_filter_by_what_they_name(app: TestApp) {
    setup(&app).await;
    // More records than a page, some naming ada, interleaved with others by id.
    for i in 0..7 {
        let users = if i % 2 == 0 {
            json!(["ada", "zed"])
        } else {
            json!(["zed"])
        };
        app.put(
            &format!("/v1/tenants/acme/records/r{i}"),
            json!({"name": "R", "users": users, "groups": if i == 3 { json!(["team"]) } else { json!([]) },
                "statements": [{"roles": ["viewer"], "resources": ["/x"]}]}),
        )
        .await
        .expect(201);
    }
    app.put(
        "/v1/tenants/acme/groups/other",
        json!({"name": "Other", "users": ["zed"]}),
    )
    .await
    .expect(201);

    let all = app
        .get("/v1/tenants/acme/records?user=ada&limit=1000")
        .await
        .expect(200);
    assert_eq!(ids(&all.body, "recordId"), ["ada", "r0", "r2", "r4", "r6"]);
    // Paged two at a time with the filter sent again, the same records, each once.
    let paged = all_pages(
        &app,
        "/v1/tenants/acme/records?user=ada&limit=2",
        "recordId",
    )
    .await;
    assert_eq!(paged, ["ada", "r0", "r2", "r4", "r6"]);
    // The lists of the records read are whole, not cut to the filter.
    assert_eq!(all.body["items"][1]["users"], json!(["ada", "zed"]));

    let by_group = app
        .get("/v1/tenants/acme/records?group=team")
        .await
        .expect(200);
    assert_eq!(ids(&by_group.body, "recordId"), ["r3", "team"]);
    let groups = app
        .get("/v1/tenants/acme/groups?user=ada")
        .await
        .expect(200);
    assert_eq!(ids(&groups.body, "groupId"), ["team"]);
    let groups = app
        .get("/v1/tenants/acme/groups?user=zed")
        .await
        .expect(200);
    assert_eq!(ids(&groups.body, "groupId"), ["other"]);
    let nobody = app
        .get("/v1/tenants/acme/records?user=nobody")
        .await
        .expect(200);
    assert_eq!(nobody.body["items"], json!([]));

    // Ill-formed filters are named; the filters are not on the other lists.
    let refused = app
        .get("/v1/tenants/acme/records?user=ada&group=team")
        .await
        .expect_problem(400, "invalid_parameter");
    assert_eq!(refused.body["errors"][0]["field"], "group");
    let refused = app
        .get("/v1/tenants/acme/records?group=no%20spaces")
        .await
        .expect_problem(400, "invalid_parameter");
    assert_eq!(refused.body["errors"][0]["field"], "group");
    app.get("/v1/tenants/acme/roles?user=ada")
        .await
        .expect_problem(400, "invalid_parameter");

    // Another tenant's credential learns nothing, filter or not.
    app.tenant("other").await;
    let foreign = app.key("other", &["read"]).await;
    for path in [
        "/v1/tenants/acme/records?user=ada",
        "/v1/tenants/acme/records?group=team",
        "/v1/tenants/acme/records?role=viewer",
        "/v1/tenants/acme/records?resource=%2Fdocs",
        "/v1/tenants/acme/groups?user=ada",
    ] {
        app.call(Method::GET, path, Some(&foreign), None)
            .await
            .expect_problem(404, "not_found");
    }
    let own = app
        .call(
            Method::GET,
            "/v1/tenants/other/records?user=ada",
            Some(&foreign),
            None,
        )
        .await
        .expect(200);
    assert_eq!(own.body["items"], json!([]));
}

/// `?q=` on every list a picker reads (roles, groups, users, resources, records): the ids
/// that start with it, case-sensitive, in id order, paged with the same `q`; nothing
/// outside the prefix however the ids sort around it; a malformed `q` or `q` with another
/// filter is a 400; another tenant's key learns nothing.
async fn lists_find_ids_by_their_start(app: TestApp) {
    app.tenant("acme").await;
    // Ids around the prefix `ed` in byte order: `eb`, `ec~` sort before, `ee`, `f` after,
    // `Ed` and `ED` differ in case.
    let names = [
        "eb", "ed", "ed_x", "edit", "editor", "editor-2", "ee", "Ed", "f",
    ];
    for id in names {
        app.put(
            &format!("/v1/tenants/acme/roles/{id}"),
            json!({"name": id, "permissions": [{"action": "a"}]}),
        )
        .await
        .expect(201);
        app.put(
            &format!("/v1/tenants/acme/groups/{id}"),
            json!({"name": id, "users": []}),
        )
        .await
        .expect(201);
        app.put(&format!("/v1/tenants/acme/users/{id}"), json!({"name": id}))
            .await
            .expect(201);
        app.put(
            &format!("/v1/tenants/acme/records/{id}"),
            json!({"name": id, "users": [id], "statements": [{"roles": [id], "resources": ["/x"]}]}),
        )
        .await
        .expect(201);
        app.put(
            &format!("/v1/tenants/acme/resources/%2Forgs%2F{id}"),
            json!({"name": id}),
        )
        .await
        .expect(201);
    }
    let starting_ed = ["ed", "ed_x", "edit", "editor", "editor-2"];
    for (list, field) in [
        ("roles", "roleId"),
        ("groups", "groupId"),
        ("users", "userId"),
        ("records", "recordId"),
    ] {
        let found = app
            .get(&format!("/v1/tenants/acme/{list}?q=ed"))
            .await
            .expect(200);
        assert_eq!(ids(&found.body, field), starting_ed, "{list}");
        let found = app
            .get(&format!("/v1/tenants/acme/{list}?q=edit"))
            .await
            .expect(200);
        assert_eq!(
            ids(&found.body, field),
            ["edit", "editor", "editor-2"],
            "{list}"
        );
        let found = app
            .get(&format!("/v1/tenants/acme/{list}?q=E"))
            .await
            .expect(200);
        assert_eq!(ids(&found.body, field), ["Ed"], "{list}: case-sensitive");
        // Two at a time, `q` sent again with the cursor: the same ids, each once.
        let paged = all_pages(
            &app,
            &format!("/v1/tenants/acme/{list}?q=ed&limit=2"),
            field,
        )
        .await;
        assert_eq!(paged, starting_ed, "{list} paged");
        let none = app
            .get(&format!("/v1/tenants/acme/{list}?q=zz"))
            .await
            .expect(200);
        assert_eq!(none.body["items"], json!([]));
    }
    let found = app
        .get("/v1/tenants/acme/resources?q=%2Forgs%2Fedit")
        .await
        .expect(200);
    assert_eq!(
        ids(&found.body, "resourceUri"),
        ["/orgs/edit", "/orgs/editor", "/orgs/editor-2"]
    );

    // Malformed `q`, or `q` with another filter: 400 naming the parameter.
    for (path, field) in [
        ("/v1/tenants/acme/roles?q=", "q"),
        ("/v1/tenants/acme/roles?q=%C3%A9", "q"),
        ("/v1/tenants/acme/users?q=a%7F", "q"),
        ("/v1/tenants/acme/records?q=ed&user=ed", "user"),
        ("/v1/tenants/acme/groups?user=ed&q=ed", "user"),
    ] {
        let refused = app.get(path).await.expect_problem(400, "invalid_parameter");
        assert_eq!(refused.body["errors"][0]["field"], field, "{path}");
    }
    // A control character is refused by the text rule, before any list.
    let refused = app.get("/v1/tenants/acme/roles?q=a%01").await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    // Another tenant's key: 404 for each list, whatever `q` is.
    app.tenant("other").await;
    let foreign = app.key("other", &["read"]).await;
    for list in ["roles", "groups", "users", "records", "resources"] {
        app.call(
            Method::GET,
            &format!("/v1/tenants/acme/{list}?q=ed"),
            Some(&foreign),
            None,
        )
        .await
        .expect_problem(404, "not_found");
    }
}

/// `GET …/actions`: every action the roles name, once, with the roles naming it, in order;
/// `q` (read lower case) keeps those starting with it; paged; current after a role
/// changes; a `check`-only key is refused and another tenant's key learns nothing.
async fn actions_in_use_are_listed_with_their_roles(app: TestApp) {
    app.tenant("acme").await;
    for (role, actions) in [
        ("viewer", vec!["documents:read", "documents:list"]),
        ("editor", vec!["documents:*", "documents:read"]),
        ("admin", vec!["*"]),
    ] {
        let entries: Vec<Value> = actions.iter().map(|a| json!({"action": a})).collect();
        app.put(
            &format!("/v1/tenants/acme/roles/{role}"),
            json!({"name": role, "permissions": entries}),
        )
        .await
        .expect(201);
    }
    let all = app.get("/v1/tenants/acme/actions").await.expect(200);
    assert_eq!(
        all.body["items"],
        json!([
            {"action": "*", "roles": ["admin"]},
            {"action": "documents:*", "roles": ["editor"]},
            {"action": "documents:list", "roles": ["viewer"]},
            {"action": "documents:read", "roles": ["editor", "viewer"]},
        ])
    );
    assert_eq!(all.body["revision"], app.revision("acme").await);
    let found = app
        .get("/v1/tenants/acme/actions?q=DOCUMENTS:R")
        .await
        .expect(200);
    assert_eq!(
        found.body["items"],
        json!([{"action": "documents:read", "roles": ["editor", "viewer"]}])
    );
    let paged = all_pages(&app, "/v1/tenants/acme/actions?q=doc&limit=1", "action").await;
    assert_eq!(paged, ["documents:*", "documents:list", "documents:read"]);
    // A role changed: the list follows at once.
    app.delete("/v1/tenants/acme/roles/editor")
        .await
        .expect(200);
    let after = app.get("/v1/tenants/acme/actions?q=doc").await.expect(200);
    assert_eq!(
        ids(&after.body, "action"),
        ["documents:list", "documents:read"]
    );
    assert_eq!(after.body["items"][1]["roles"], json!(["viewer"]));

    app.get("/v1/tenants/acme/actions?q=%C3%A9")
        .await
        .expect_problem(400, "invalid_parameter");
    let check_only = app.key("acme", &["check"]).await;
    app.call(
        Method::GET,
        "/v1/tenants/acme/actions",
        Some(&check_only),
        None,
    )
    .await
    .expect_problem(403, "forbidden");
    app.tenant("other").await;
    let foreign = app.key("other", &["read"]).await;
    app.call(
        Method::GET,
        "/v1/tenants/acme/actions",
        Some(&foreign),
        None,
    )
    .await
    .expect_problem(404, "not_found");
}
