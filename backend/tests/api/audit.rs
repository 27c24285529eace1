//! The audit log: filters, paging, and one event per revision.

use serde_json::{Value, json};

use crate::helpers::TestApp;

on_both_databases!(audit_filters_and_pages);
on_both_databases!(query_errors_name_the_parameter);

fn actions(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_filters_and_pages(app: TestApp) {
    app.tenant("acme").await;
    let key = app.key("acme", &["write"]).await;
    app.put("/v1/tenants/acme/roles/a", json!({"name": "A"}))
        .await
        .expect(201);
    app.put("/v1/tenants/acme/roles/a", json!({"name": "A2"}))
        .await
        .expect(200);
    let midpoint = app
        .get("/v1/tenants/acme/audit?limit=1")
        .await
        .expect(200)
        .body["items"][0]["at"]
        .as_str()
        .unwrap()
        .to_owned();
    app.call(
        reqwest::Method::PUT,
        "/v1/tenants/acme/groups/g",
        Some(&key),
        Some(json!({"name": "G"})),
    )
    .await
    .expect(201);
    app.delete("/v1/tenants/acme/roles/a").await.expect(200);

    // Every revision has exactly one event, newest first.
    let all = app.get("/v1/tenants/acme/audit").await.expect(200);
    let revisions: Vec<i64> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["revision"].as_i64().unwrap())
        .collect();
    let current = app.revision("acme").await;
    assert_eq!(revisions, (1..=current).rev().collect::<Vec<_>>());
    assert_eq!(
        actions(&all.body),
        [
            "role.delete",
            "group.create",
            "role.update",
            "role.create",
            "apiKey.create",
            "tenant.create"
        ]
    );

    let by_action = app
        .get("/v1/tenants/acme/audit?action=role.update")
        .await
        .expect(200);
    assert_eq!(actions(&by_action.body), ["role.update"]);
    let by_family = app
        .get("/v1/tenants/acme/audit?action=role.")
        .await
        .expect(200);
    assert_eq!(
        actions(&by_family.body),
        ["role.delete", "role.update", "role.create"]
    );
    let by_target = app
        .get("/v1/tenants/acme/audit?targetKind=role&targetId=a")
        .await
        .expect(200);
    assert_eq!(by_target.body["items"].as_array().unwrap().len(), 3);
    let by_key = all.body["items"][1]["actor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_actor = app
        .get(&format!("/v1/tenants/acme/audit?actor={by_key}"))
        .await
        .expect(200);
    assert_eq!(actions(&by_actor.body), ["group.create"]);
    // The time filters, held against the events' own timestamps (several may share a
    // millisecond): `from` is inclusive, `to` exclusive.
    let stamped: Vec<(String, String)> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["at"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let after = app
        .get(&format!("/v1/tenants/acme/audit?from={midpoint}"))
        .await
        .expect(200);
    let expected: Vec<&String> = stamped
        .iter()
        .filter(|(at, _)| *at >= midpoint)
        .map(|(_, a)| a)
        .collect();
    assert_eq!(actions(&after.body).iter().collect::<Vec<_>>(), expected);
    assert!(
        actions(&after.body).contains(&"role.update".to_owned()),
        "`from` is inclusive"
    );
    let before = app
        .get(&format!("/v1/tenants/acme/audit?to={midpoint}"))
        .await
        .expect(200);
    let expected: Vec<&String> = stamped
        .iter()
        .filter(|(at, _)| *at < midpoint)
        .map(|(_, a)| a)
        .collect();
    assert_eq!(actions(&before.body).iter().collect::<Vec<_>>(), expected);
    assert!(
        !actions(&before.body).contains(&"role.update".to_owned()),
        "`to` is exclusive"
    );

    // Paging through with a cursor gives every event once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/v1/tenants/acme/audit?limit=4{cursor}"))
            .await
            .expect(200);
        seen.extend(actions(&page.body));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, actions(&all.body));

    app.get("/v1/tenants/acme/audit?action=%25")
        .await
        .expect_problem(400, "invalid_parameter");
    let refused = app
        .get("/v1/tenants/acme/audit?from=yesterday")
        .await
        .expect_problem(400, "invalid_parameter");
    assert_eq!(refused.body["errors"][0]["field"], "from");
    assert!(
        !refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("deserialize")
    );
    // A kind no event can have is a typo, not an empty answer.
    let refused = app
        .get("/v1/tenants/acme/audit?targetKind=rol")
        .await
        .expect_problem(400, "invalid_parameter");
    assert_eq!(refused.body["errors"][0]["field"], "targetKind");
    for kind in [
        "tenant", "member", "role", "group", "record", "resource", "user", "apiKey",
    ] {
        app.get(&format!("/v1/tenants/acme/audit?targetKind={kind}"))
            .await
            .expect(200);
    }
    app.get("/v1/tenants/acme/audit?cursor=eA")
        .await
        .expect_problem(400, "invalid_cursor");
}

/// Every family of endpoint that reads query parameters names the one it refuses, for an
/// ill-typed value and for an unknown parameter alike.
async fn query_errors_name_the_parameter(app: TestApp) {
    app.tenant("acme").await;
    let paths = [
        "/v1/tenants",
        "/v1/tenants/acme/roles",
        "/v1/tenants/acme/groups",
        "/v1/tenants/acme/records",
        "/v1/tenants/acme/resources",
        "/v1/tenants/acme/users",
        "/v1/tenants/acme/api-keys",
        "/v1/tenants/acme/members",
        "/v1/tenants/acme/audit",
        "/v1/tenants/acme/users/ada/resources?permission=documents:read",
        "/v1/tenants/acme/resources/%2Fdocs/users?permission=documents:read",
    ];
    for path in paths {
        let join = if path.contains('?') { '&' } else { '?' };
        for (query, field) in [("limit=many", "limit"), ("colour=blue", "colour")] {
            let answer = app
                .get(&format!("{path}{join}{query}"))
                .await
                .expect_problem(400, "invalid_parameter");
            assert_eq!(
                answer.body["errors"][0]["field"], field,
                "{path}?{query}: {}",
                answer.body
            );
            assert!(
                answer.body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
    }
}
