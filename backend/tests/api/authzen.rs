//! AuthZEN 1.0: the working group's interop decision files and search results, unchanged,
//! against tenants loaded through the import API (`tests/fixtures/authzen/`, see its
//! SOURCE.md), single and batched; the evaluations semantics, per-item errors, 400s, `X-Request-ID`, the
//! metadata, and the tenant boundary; on both databases.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, TestApp};

on_both_databases!(
    the_interop_decisions_pass,
    evaluations_semantics_and_per_item_errors,
    malformed_requests_are_400_and_the_request_id_comes_back,
    metadata_and_the_tenant_boundary,
    searches_follow_groups_page_and_map_ids_back,
    the_search_interop_results_pass,
    resource_search_lists_registered_resources_under_a_grant_on_all,
);

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/authzen");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

/// A tenant loaded from an import document; a key with the `check` scope.
async fn load(app: &TestApp, tenant: &str, document: &str) -> String {
    app.tenant(tenant).await;
    let response = app
        .client
        .post(format!("{}/v1/tenants/{tenant}/import", app.base))
        .bearer_auth(ADMIN)
        .header("content-type", "application/x-ndjson")
        .body(fixture(document))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap()
    );
    app.key(tenant, &["check"]).await
}

async fn evaluate(app: &TestApp, key: &str, path: &str, body: &Value) -> Value {
    app.call(Method::POST, path, Some(key), Some(body.clone()))
        .await
        .expect(200)
        .body
}

/// Every case of the Todo 1.0 file and the API-gateway file, as `evaluation` and again
/// all at once as one `evaluations` request (the items in the same order); the Todo
/// file's own `evaluations` batches as they are.
///
/// Portcullis does not evaluate `properties` (SPEC §2): "an editor may change the todos
/// they own" is the owner records the tenant holds (see SOURCE.md), so every case passes
/// from stored state alone.
async fn the_interop_decisions_pass(app: TestApp) {
    let todo = load(&app, "todo", "todo-tenant.ndjson").await;
    let gateway = load(&app, "gateway", "api-gateway-tenant.ndjson").await;
    let todo_file: Value =
        serde_json::from_str(&fixture("todo-decisions-authorization-api-1_0-02.json")).unwrap();
    let gateway_file: Value = serde_json::from_str(&fixture("api-gateway-decisions.json")).unwrap();
    for (tenant, key, file) in [
        ("todo", &todo, &todo_file),
        ("gateway", &gateway, &gateway_file),
    ] {
        let cases = file["evaluation"].as_array().unwrap();
        assert!(!cases.is_empty());
        let base = format!("/v1/tenants/{tenant}/access/v1");
        let mut answers = Vec::new();
        for case in cases {
            let answer = evaluate(&app, key, &format!("{base}/evaluation"), &case["request"]).await;
            answers.push(answer["decision"].as_bool().unwrap());
        }
        let batch =
            json!({"evaluations": cases.iter().map(|c| c["request"].clone()).collect::<Vec<_>>()});
        let batched = evaluate(&app, key, &format!("{base}/evaluations"), &batch).await;
        let batched: Vec<bool> = batched["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["decision"].as_bool().unwrap())
            .collect();
        assert_eq!(batched, answers, "{tenant}: batched as single");
        for (i, case) in cases.iter().enumerate() {
            let expected = case["expected"].as_bool().unwrap();
            assert_eq!(
                answers[i], expected,
                "{tenant} case {i}: {}",
                case["request"]
            );
        }
        for (n, batch) in file["evaluations"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let answer =
                evaluate(&app, key, &format!("{base}/evaluations"), &batch["request"]).await;
            let decisions: Vec<&Value> = answer["evaluations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["decision"])
                .collect();
            let expected: Vec<&Value> = batch["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["decision"])
                .collect();
            assert_eq!(decisions, expected, "{tenant} batch {n}");
        }
    }
    assert_eq!(todo_file["evaluations"].as_array().map(Vec::len), Some(3));
}

async fn evaluations_semantics_and_per_item_errors(app: TestApp) {
    let key = load(&app, "todo", "todo-tenant.ndjson").await;
    let rick = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    let beth = "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    let path = "/v1/tenants/todo/access/v1/evaluations";
    let items = json!([
        {"action": {"name": "can_read_todos"}},
        {"action": {"name": "can_delete_todo"}},
        {"resource": {"type": "todo"}},
        {"subject": {"type": "user", "id": 7}},
        {"action": {"name": "CAN_READ_USER"}, "resource": {"type": "user", "id": "beth@the-smiths.com"}},
    ]);
    let ask = |semantic: Option<&str>| {
        let mut body = json!({"subject": {"type": "user", "id": beth}, "resource": {"type": "todo", "id": "todo-1"},
            "context": {"anything": true}, "evaluations": items});
        if let Some(semantic) = semantic {
            body["options"] = json!({"evaluations_semantic": semantic, "another_option": 1});
        }
        body
    };
    let all = evaluate(&app, &key, path, &ask(None)).await;
    let all = all["evaluations"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    let decisions: Vec<bool> = all
        .iter()
        .map(|e| e["decision"].as_bool().unwrap())
        .collect();
    assert_eq!(decisions, [true, false, false, false, true]);
    assert!(all[0]["context"].get("error").is_none());
    // Each decision says which Portcullis names it was asked in.
    assert_eq!(all[0]["context"]["user_id"], beth);
    assert_eq!(all[0]["context"]["resource_uri"], "/todo/todo-1");
    assert_eq!(
        all[4]["context"]["resource_uri"],
        "/user/beth@the-smiths.com"
    );
    assert_eq!(all[2]["context"]["error"]["status"], 400);
    let missing = all[2]["context"]["error"]["message"].as_str().unwrap();
    assert!(missing.contains("evaluations[2].resource.id"), "{missing}");
    assert!(
        all[3]["context"]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("evaluations[3]")
    );
    assert_eq!(
        evaluate(&app, &key, path, &ask(Some("execute_all"))).await["evaluations"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let deny = evaluate(&app, &key, path, &ask(Some("deny_on_first_deny"))).await;
    let deny = deny["evaluations"].as_array().unwrap();
    assert_eq!(deny.len(), 2);
    assert_eq!(deny[1]["decision"], false);
    assert_eq!(deny[1]["context"]["reason"], "deny_on_first_deny");
    let permit = evaluate(&app, &key, path, &ask(Some("permit_on_first_permit"))).await;
    let permit = permit["evaluations"].as_array().unwrap();
    assert_eq!(permit.len(), 1);
    assert_eq!(permit[0]["decision"], true);
    assert_eq!(permit[0]["context"]["reason"], "permit_on_first_permit");

    // Without an `evaluations` array: one evaluation, one decision.
    let one = evaluate(
        &app,
        &key,
        path,
        &json!({"subject": {"type": "user", "id": rick},
        "action": {"name": "can_delete_todo"}, "resource": {"type": "todo", "id": "any"}}),
    )
    .await;
    assert_eq!(one["decision"], true);
    assert!(one.get("evaluations").is_none());
    assert_eq!(
        evaluate(&app, &key, path, &json!({"evaluations": []})).await,
        json!({"evaluations": []})
    );
    // Items beyond the limit are refused whole.
    let many = json!({"evaluations": vec![json!({}); 1001]});
    app.call(Method::POST, path, Some(&key), Some(many))
        .await
        .expect_problem(422, "limit_exceeded");
}

async fn malformed_requests_are_400_and_the_request_id_comes_back(app: TestApp) {
    let key = load(&app, "todo", "todo-tenant.ndjson").await;
    let good = json!({"subject": {"type": "user", "id": "u"}, "resource": {"type": "todo", "id": "t"}, "action": {"name": "can_read_todos"}});
    for path in [
        "/v1/tenants/todo/access/v1/evaluation",
        "/v1/tenants/todo/access/v1/evaluations",
    ] {
        for (field, body) in [
            (
                "subject.type",
                json!({"subject": {"id": "u"}, "resource": good["resource"], "action": good["action"]}),
            ),
            (
                "subject.id",
                json!({"subject": {"type": "user"}, "resource": good["resource"], "action": good["action"]}),
            ),
            (
                "resource.type",
                json!({"subject": good["subject"], "resource": {"id": "t"}, "action": good["action"]}),
            ),
            (
                "resource.id",
                json!({"subject": good["subject"], "resource": {"type": "todo", "id": ""}, "action": good["action"]}),
            ),
            (
                "action.name",
                json!({"subject": good["subject"], "resource": good["resource"], "action": {}}),
            ),
            (
                "action.name",
                json!({"subject": good["subject"], "resource": good["resource"], "action": {"name": "read all"}}),
            ),
        ] {
            let refused = app
                .call(Method::POST, path, Some(&key), Some(body))
                .await
                .expect_problem(400, "invalid_check");
            let fields: Vec<&str> = refused.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, [field], "{path}");
        }
        // Not of the AuthZEN shape, not JSON, not sent as JSON: 400.
        app.call(
            Method::POST,
            path,
            Some(&key),
            Some(json!({"subject": "u"})),
        )
        .await
        .expect_problem(400, "validation_failed");
        let response = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body("{\"subject\":")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let response = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(&key)
            .header("content-type", "text/plain")
            .body(good.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        // The request id comes back, on an answer and on a refusal.
        for body in [good.clone(), json!({})] {
            let answer = app
                .call_with(
                    Method::POST,
                    path,
                    Some(&key),
                    Some(body),
                    &[("x-request-id", "bfe9eb29-ab87")],
                )
                .await;
            assert_eq!(answer.header("x-request-id"), Some("bfe9eb29-ab87"));
        }
    }
}

async fn metadata_and_the_tenant_boundary(app: TestApp) {
    let key = load(&app, "todo", "todo-tenant.ndjson").await;
    let metadata = app
        .call_with(
            Method::GET,
            "/.well-known/authzen-configuration/todo",
            Some(&key),
            None,
            &[("x-forwarded-proto", "https")],
        )
        .await
        .expect(200)
        .body;
    let host = app.base.trim_start_matches("http://");
    assert_eq!(
        metadata["policy_decision_point"],
        format!("https://{host}/v1/tenants/todo")
    );
    assert_eq!(
        metadata["access_evaluation_endpoint"],
        format!("https://{host}/v1/tenants/todo/access/v1/evaluation")
    );
    assert_eq!(
        metadata["access_evaluations_endpoint"],
        format!("https://{host}/v1/tenants/todo/access/v1/evaluations")
    );
    let capabilities = metadata["capabilities"].as_array().unwrap();
    assert!(
        capabilities
            .iter()
            .any(|c| c.as_str().unwrap().contains("properties-not-evaluated"))
    );
    for search in ["subject", "resource", "action"] {
        assert_eq!(
            metadata[format!("search_{search}_endpoint")],
            format!("https://{host}/v1/tenants/todo/access/v1/search/{search}")
        );
    }
    // The same at the URL RFC 8615 derives from the identifier.
    let derived = app
        .call_with(
            Method::GET,
            "/.well-known/authzen-configuration/v1/tenants/todo",
            Some(&key),
            None,
            &[("x-forwarded-proto", "https")],
        )
        .await
        .expect(200)
        .body;
    assert_eq!(derived, metadata);

    // Another tenant's key, and no key, learn nothing of this tenant.
    app.tenant("other").await;
    let other = app.key("other", &["check"]).await;
    for (method, path) in [
        (Method::GET, "/.well-known/authzen-configuration/todo"),
        (
            Method::GET,
            "/.well-known/authzen-configuration/v1/tenants/todo",
        ),
        (Method::POST, "/v1/tenants/todo/access/v1/evaluation"),
        (Method::POST, "/v1/tenants/todo/access/v1/evaluations"),
        (Method::POST, "/v1/tenants/todo/access/v1/search/subject"),
        (Method::POST, "/v1/tenants/todo/access/v1/search/resource"),
        (Method::POST, "/v1/tenants/todo/access/v1/search/action"),
    ] {
        let body = (method == Method::POST).then(|| json!({"evaluations": []}));
        app.call(method.clone(), path, Some(&other), body.clone())
            .await
            .expect_problem(404, "not_found");
        app.call(method.clone(), path, None, body)
            .await
            .expect_problem(401, "unauthenticated");
    }
    app.call(
        Method::GET,
        "/.well-known/authzen-configuration/nonexistent",
        Some(&other),
        None,
    )
    .await
    .expect_problem(404, "not_found");
    // A key without the check scope may not ask.
    let reader = app.key("todo", &["read"]).await;
    app.call(
        Method::GET,
        "/.well-known/authzen-configuration/todo",
        Some(&reader),
        None,
    )
    .await
    .expect_problem(403, "forbidden");
}

const RICK: &str = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
const MORTY: &str = "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
const MORTYS_TODO: &str = "7240d0db-8ff0-41ec-98b2-34a096273b91";

fn ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().or(e["name"].as_str()).unwrap().to_owned())
        .collect()
}

/// The searches answer from the lookups: through groups and every record in force,
/// paged with `next_token`, with ids mapped back to the caller's `(type, id)`.
async fn searches_follow_groups_page_and_map_ids_back(app: TestApp) {
    let key = load(&app, "todo", "todo-tenant.ndjson").await;
    app.put(
        "/v1/tenants/todo/groups/reviewers",
        json!({"name": "Reviewers", "users": ["ada"]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/todo/records/reviewers",
        json!({"name": "Reviewers", "groups": ["reviewers"], "statements": [
            {"roles": ["viewer"], "resources": ["/todo/todo-9", "/doc/a~7Eb~20c"]}]}),
    )
    .await
    .expect(201);
    let base = "/v1/tenants/todo/access/v1/search";

    // Subjects: the editors who own …91 or may change any todo, then ada through her group.
    let who = |limit: usize, token: &str| {
        json!({"subject": {"type": "user"}, "resource": {"type": "todo", "id": MORTYS_TODO},
            "action": {"name": "can_update_todo"}, "page": {"limit": limit, "token": token}})
    };
    let all = evaluate(&app, &key, &format!("{base}/subject"), &who(50, "")).await;
    assert_eq!(ids(&all), [RICK, MORTY]);
    assert_eq!(all["page"]["next_token"], "");
    assert_eq!(all["results"][0]["type"], "user");
    let first = evaluate(&app, &key, &format!("{base}/subject"), &who(1, "")).await;
    assert_eq!(ids(&first), [RICK]);
    let token = first["page"]["next_token"].as_str().unwrap();
    assert!(!token.is_empty());
    let second = evaluate(&app, &key, &format!("{base}/subject"), &who(1, token)).await;
    assert_eq!(ids(&second), [MORTY]);
    assert_eq!(second["page"]["next_token"], "");
    let readers = evaluate(
        &app,
        &key,
        &format!("{base}/subject"),
        &json!({"subject": {"type": "user"},
        "resource": {"type": "todo", "id": "todo-9"}, "action": {"name": "can_read_todos"}}),
    )
    .await;
    assert_eq!(ids(&readers).len(), 6);
    assert_eq!(ids(&readers).last().map(String::as_str), Some("ada"));
    // Another subject type: only the userIds `identity:…`, answered without the prefix.
    let none = evaluate(
        &app,
        &key,
        &format!("{base}/subject"),
        &json!({"subject": {"type": "identity"},
        "resource": {"type": "todo", "id": "todo-9"}, "action": {"name": "can_read_todos"}}),
    )
    .await;
    assert!(ids(&none).is_empty());

    // Resources: those a record names one by one, mapped back (escaping undone).
    let owned = evaluate(
        &app,
        &key,
        &format!("{base}/resource"),
        &json!({"subject": {"type": "user", "id": MORTY},
        "action": {"name": "can_update_todo"}, "resource": {"type": "todo"}}),
    )
    .await;
    assert_eq!(ids(&owned), [MORTYS_TODO]);
    assert_eq!(owned["results"][0]["type"], "todo");
    let docs = evaluate(
        &app,
        &key,
        &format!("{base}/resource"),
        &json!({"subject": {"type": "user", "id": "ada"},
        "action": {"name": "can_read_todos"}, "resource": {"type": "doc"}}),
    )
    .await;
    assert_eq!(ids(&docs), ["a~b c"]);

    // Actions: the editor's and the owner's.
    let actions = evaluate(
        &app,
        &key,
        &format!("{base}/action"),
        &json!({"subject": {"type": "user", "id": MORTY},
        "resource": {"type": "todo", "id": MORTYS_TODO}}),
    )
    .await;
    let mut actions = ids(&actions);
    actions.sort();
    assert_eq!(
        actions,
        [
            "can_create_todo",
            "can_delete_todo",
            "can_read_todos",
            "can_read_user",
            "can_update_todo"
        ]
    );

    // A missing part is a 400 naming it.
    for (search, body, field) in [
        (
            "subject",
            json!({"resource": {"type": "todo", "id": "x"}, "action": {"name": "a"}}),
            "subject.type",
        ),
        (
            "resource",
            json!({"subject": {"type": "user", "id": "ada"}, "action": {"name": "a"}}),
            "resource.type",
        ),
        (
            "action",
            json!({"subject": {"type": "user", "id": "ada"}, "resource": {"type": "todo"}}),
            "resource.id",
        ),
    ] {
        let refused = app
            .call(
                Method::POST,
                &format!("{base}/{search}"),
                Some(&key),
                Some(body),
            )
            .await
            .expect_problem(400, "invalid_check");
        assert_eq!(refused.body["errors"][0]["field"], field);
    }
}

/// The results of a search as the working group's runner compares them: sorted by
/// `(type, id)` (or by `name` for actions), with nothing but those fields.
fn comparable(results: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e["name"].as_str() {
            Some(name) => (String::new(), name.to_owned()),
            None => (
                e["type"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            ),
        })
        .collect();
    found.sort();
    found
}

/// Every case of the working group's search interop files (subject, resource and action
/// search over the "records and departments" scenario), sent unchanged to the tenant's
/// `access/v1/search/{kind}` as the runner sends them, against the scenario's users,
/// roles and records loaded through the import API (see SOURCE.md for how its rules are
/// written as records). "A manager can view any record" is a grant on `/record/*`: the
/// resource search lists the twenty records because the tenant registers them as
/// resource configs. Each resource search is asked again a page of three at a time, and
/// the pages join into the same answer.
async fn the_search_interop_results_pass(app: TestApp) {
    let key = load(&app, "search", "search-tenant.ndjson").await;
    let base = "/v1/tenants/search/access/v1/search";
    let mut cases = 0;
    for kind in ["subject", "resource", "action"] {
        let file: Value =
            serde_json::from_str(&fixture(&format!("search-{kind}-results.json"))).unwrap();
        for (i, case) in file["evaluation"].as_array().unwrap().iter().enumerate() {
            let answer = evaluate(&app, &key, &format!("{base}/{kind}"), &case["request"]).await;
            let expected = comparable(&case["expected"]["results"]);
            assert_eq!(
                comparable(&answer["results"]),
                expected,
                "{kind} case {i}: {}",
                case["request"]
            );
            if kind == "resource" {
                let mut paged = Vec::new();
                let mut token = String::new();
                loop {
                    let mut request = case["request"].clone();
                    request["page"] = json!({"limit": 3, "token": token});
                    let page = evaluate(&app, &key, &format!("{base}/{kind}"), &request).await;
                    assert!(page["results"].as_array().unwrap().len() <= 3);
                    paged.extend(comparable(&page["results"]));
                    token = page["page"]["next_token"].as_str().unwrap().to_owned();
                    if token.is_empty() {
                        break;
                    }
                }
                assert_eq!(
                    paged, expected,
                    "{kind} case {i} paged: {}",
                    case["request"]
                );
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 60 + 18 + 120);
}

/// A resource search lists the registered resources of the type only to a subject who
/// holds the action on all of them, only those one level below the type, and only the
/// tenant's own; what records name one by one is listed beside them, in one order.
async fn resource_search_lists_registered_resources_under_a_grant_on_all(app: TestApp) {
    let key = load(&app, "todo", "todo-tenant.ndjson").await;
    app.tenant("other").await;
    for (tenant, uri) in [
        ("todo", "/todo/visible"),
        ("todo", "/todo/zz~20top"),
        ("todo", "/todo/visible/part"),
        ("todo", "/user/visible"),
        ("other", "/todo/secret"),
    ] {
        let path = format!("/v1/tenants/{tenant}/resources/{}", uri.replace('/', "%2F"));
        app.put(&path, json!({"name": uri})).await.expect(201);
    }
    let search = |user: &str| {
        json!({"subject": {"type": "user", "id": user},
            "action": {"name": "can_update_todo"}, "resource": {"type": "todo"}})
    };
    let base = "/v1/tenants/todo/access/v1/search/resource";
    // Rick may change every todo: his own todo (a record names it) and the registered ones.
    let rick = evaluate(&app, &key, base, &search(RICK)).await;
    assert_eq!(
        ids(&rick),
        ["7240d0db-8ff0-41ec-98b2-34a096273b92", "visible", "zz top"]
    );
    // Morty may change his own todo only: no registered resource is his.
    let morty = evaluate(&app, &key, base, &search(MORTY)).await;
    assert_eq!(ids(&morty), [MORTYS_TODO]);
    // A user the tenant does not know holds nothing.
    let nobody = evaluate(&app, &key, base, &search("nobody")).await;
    assert!(ids(&nobody).is_empty());
}
