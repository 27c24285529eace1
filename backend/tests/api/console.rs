//! Console accounts, memberships, sessions, CSRF and sign-in throttling.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const PASSWORD: &str = "correct horse battery";

on_both_databases!(
    accounts_are_managed_by_platform_admins,
    sessions_start_rotate_and_end,
    session_writes_need_the_csrf_token,
    members_get_what_their_role_gives,
    members_are_managed_by_owners,
    expired_sessions_are_refused,
    the_summary_counts_each_kind,
    the_last_platform_admin_stays,
    accounts_are_found_by_the_start_of_their_username,
);

async fn the_summary_counts_each_kind(app: TestApp) {
    app.tenant("acme").await;
    app.tenant("globex").await;
    app.put("/v1/tenants/acme/roles/r", json!({"name": "R"}))
        .await
        .expect(201);
    app.put(
        "/v1/tenants/acme/groups/g",
        json!({"name": "G", "users": ["u1", "u2"]}),
    )
    .await
    .expect(201);
    app.put("/v1/tenants/globex/roles/other", json!({"name": "O"}))
        .await
        .expect(201);
    app.account("vera", PASSWORD, Some(("acme", "viewer")))
        .await;
    let vera = app.sign_in("vera", PASSWORD).await;
    let summary = vera
        .call(Method::GET, "/v1/tenants/acme/summary", None, false)
        .await
        .expect(200);
    assert_eq!(summary.body["revision"], app.revision("acme").await);
    assert_eq!(
        summary.body["counts"],
        json!({"apiKey": 0, "group": 1, "member": 1, "record": 0, "resource": 0, "role": 1, "user": 2})
    );
}

async fn accounts_are_managed_by_platform_admins(app: TestApp) {
    app.tenant("acme").await;
    let created = app
        .post(
            "/v1/accounts",
            json!({"username": "ada", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["username"], "ada");
    assert_eq!(created.body["platformAdmin"], false);
    assert!(created.body.get("password").is_none());
    assert!(created.body.get("passwordHash").is_none());
    app.post(
        "/v1/accounts",
        json!({"username": "ada", "password": PASSWORD}),
    )
    .await
    .expect_problem(409, "already_exists");
    let invalid = app
        .post(
            "/v1/accounts",
            json!({"username": "no spaces", "password": "short"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let fields: Vec<&str> = invalid.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"]);
    let list = app.get("/v1/accounts").await.expect(200);
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    // `admin` is the account the first start created.
    assert_eq!(names, ["ada", "admin"]);

    // A tenant API key, even with every scope, manages no accounts.
    let key = app.key("acme", &["read", "write", "check"]).await;
    for (method, path) in [
        (Method::GET, "/v1/accounts"),
        (Method::GET, "/v1/accounts/ada"),
        (Method::DELETE, "/v1/accounts/ada"),
    ] {
        app.call(method, path, Some(&key), None)
            .await
            .expect_problem(403, "forbidden");
    }
    app.call(
        Method::POST,
        "/v1/accounts",
        Some(&key),
        Some(json!({"username": "eve", "password": PASSWORD})),
    )
    .await
    .expect_problem(403, "forbidden");

    // A signed-in account may read itself and change its own password, nothing more.
    let ada = app.sign_in("ada", PASSWORD).await;
    ada.call(Method::GET, "/v1/accounts/ada", None, false)
        .await
        .expect(200);
    ada.call(Method::GET, "/v1/accounts/admin", None, false)
        .await
        .expect_problem(403, "forbidden");
    ada.call(
        Method::PATCH,
        "/v1/accounts/ada",
        Some(json!({"platformAdmin": true})),
        true,
    )
    .await
    .expect_problem(403, "forbidden");
    ada.call(
        Method::PATCH,
        "/v1/accounts/ada",
        Some(json!({"password": "a brand new passphrase"})),
        true,
    )
    .await
    .expect(200);
    // A new password ends the account's sessions.
    ada.call(Method::GET, "/v1/session", None, false)
        .await
        .expect_problem(401, "unauthenticated");
    app.sign_in("ada", "a brand new passphrase").await;

    // A platform admin account manages accounts like the admin token.
    app.post(
        "/v1/accounts",
        json!({"username": "root", "password": PASSWORD, "platformAdmin": true}),
    )
    .await
    .expect(201);
    let root = app.sign_in("root", PASSWORD).await;
    root.call(Method::DELETE, "/v1/accounts/ada", None, true)
        .await
        .expect(204);
    app.get("/v1/accounts/ada")
        .await
        .expect_problem(404, "not_found");
}

async fn sessions_start_rotate_and_end(app: TestApp) {
    app.account("ada", PASSWORD, None).await;
    let sign_in = |username: &str, password: &str| {
        app.client
            .post(format!("{}/v1/session", app.base))
            .json(&json!({"username": username, "password": password}))
            .send()
    };
    // Wrong password and unknown user: the same answer.
    let wrong = sign_in("ada", "not the password").await.unwrap();
    let unknown = sign_in("nobody", PASSWORD).await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    let wrong: serde_json::Value = wrong.json().await.unwrap();
    let unknown: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);

    let ok = sign_in("ada", PASSWORD).await.unwrap();
    assert_eq!(ok.status(), 200);
    let cookie = ok
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("portcullis_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure unless configured");
    let first_id = cookie.split(';').next().unwrap().to_owned();
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body["account"]["username"], "ada");
    assert_eq!(body["csrfToken"].as_str().unwrap().len(), 64);

    // Signing in again with that session rotates its id; the old id is void.
    let again = app
        .client
        .post(format!("{}/v1/session", app.base))
        .header("cookie", &first_id)
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let second_id = again.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(first_id, second_id);
    let with = |cookie: &str| {
        app.client
            .get(format!("{}/v1/session", app.base))
            .header("cookie", cookie.to_owned())
            .send()
    };
    assert_eq!(with(&first_id).await.unwrap().status(), 401);
    assert_eq!(with(&second_id).await.unwrap().status(), 200);

    // Sign-out needs the CSRF token, then ends the session on the server: the same cookie
    // replayed afterwards is refused.
    let console = app.sign_in("ada", PASSWORD).await;
    console
        .call(Method::GET, "/v1/session", None, false)
        .await
        .expect(200);
    console
        .call(Method::DELETE, "/v1/session", None, false)
        .await
        .expect_problem(403, "csrf_failed");
    console
        .call(Method::GET, "/v1/session", None, false)
        .await
        .expect(200);
    console
        .call(Method::DELETE, "/v1/session", None, true)
        .await
        .expect(204);
    console
        .call(Method::GET, "/v1/session", None, false)
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(with(&second_id).await.unwrap().status(), 200);
}

async fn session_writes_need_the_csrf_token(app: TestApp) {
    app.tenant("acme").await;
    app.account("ada", PASSWORD, Some(("acme", "admin"))).await;
    let ada = app.sign_in("ada", PASSWORD).await;
    let before = app.revision("acme").await;
    let role = json!({"roleId": "editor", "name": "Editor",
        "permissions": [{"action": "documents:read"}]});
    ada.call(
        Method::POST,
        "/v1/tenants/acme/roles",
        Some(role.clone()),
        false,
    )
    .await
    .expect_problem(403, "csrf_failed");
    // A token of another session does not do either.
    let other = app.sign_in("ada", PASSWORD).await;
    let forged = ada
        .client
        .post(format!("{}/v1/tenants/acme/roles", app.base))
        .header("x-csrf-token", &other.csrf)
        .json(&role)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(app.revision("acme").await, before, "nothing changed");
    ada.call(Method::GET, "/v1/tenants/acme/roles", None, false)
        .await
        .expect(200);
    let created = ada
        .call(Method::POST, "/v1/tenants/acme/roles", Some(role), true)
        .await
        .expect(201);
    assert_eq!(created.revision(), before + 1);
    // The audit log names the account.
    let audit = app
        .get("/v1/tenants/acme/audit?action=role.create")
        .await
        .expect(200);
    assert_eq!(
        audit.body["items"][0]["actor"],
        json!({"kind": "account", "id": "ada"})
    );
}

async fn members_get_what_their_role_gives(app: TestApp) {
    app.tenant("acme").await;
    app.tenant("globex").await;
    app.account("vera", PASSWORD, Some(("acme", "viewer")))
        .await;
    app.post(
        "/v1/tenants/acme/roles",
        json!({"roleId": "reader", "name": "Reader", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    let vera = app.sign_in("vera", PASSWORD).await;
    assert_eq!(
        vera.account["memberships"],
        json!([{"tenantId": "acme", "role": "viewer"}])
    );
    // A viewer reads, checks and looks up ...
    vera.call(Method::GET, "/v1/tenants/acme/roles/reader", None, false)
        .await
        .expect(200);
    vera.call(Method::GET, "/v1/tenants/acme/audit", None, false)
        .await
        .expect(200);
    let check = vera
        .call(
            Method::POST,
            "/v1/tenants/acme/check",
            Some(json!({"userId": "u1", "resourceUri": "/d/1", "permission": "documents:read"})),
            true,
        )
        .await
        .expect(200);
    assert_eq!(check.body["allowed"], false);
    // ... and changes nothing, even with the CSRF token.
    let before = app.revision("acme").await;
    vera.call(
        Method::PUT,
        "/v1/tenants/acme/roles/reader",
        Some(json!({"name": "Renamed"})),
        true,
    )
    .await
    .expect_problem(403, "forbidden");
    vera.call(Method::DELETE, "/v1/tenants/acme/roles/reader", None, true)
        .await
        .expect_problem(403, "forbidden");
    vera.call(
        Method::POST,
        "/v1/tenants/acme/api-keys",
        Some(json!({"name": "mine", "scopes": ["check"]})),
        true,
    )
    .await
    .expect_problem(403, "forbidden");
    assert_eq!(app.revision("acme").await, before);
    // Another tenant is invisible: the same 404 as a tenant that does not exist.
    for path in [
        "/v1/tenants/globex",
        "/v1/tenants/globex/roles",
        "/v1/tenants/globex/members",
        "/v1/tenants/nope/roles",
    ] {
        vera.call(Method::GET, path, None, false)
            .await
            .expect_problem(404, "not_found");
    }
    vera.call(
        Method::POST,
        "/v1/tenants/globex/roles",
        Some(json!({"name": "x"})),
        true,
    )
    .await
    .expect_problem(404, "not_found");
    // Tenants are the platform admin's.
    vera.call(Method::GET, "/v1/tenants", None, false)
        .await
        .expect_problem(403, "forbidden");
    // A role change is in force at the next request of the same session.
    app.put("/v1/tenants/acme/members/vera", json!({"role": "admin"}))
        .await
        .expect(200);
    vera.call(
        Method::PUT,
        "/v1/tenants/acme/roles/reader",
        Some(json!({"name": "Renamed"})),
        true,
    )
    .await
    .expect(200);
    app.delete("/v1/tenants/acme/members/vera")
        .await
        .expect(200);
    vera.call(Method::GET, "/v1/tenants/acme/roles", None, false)
        .await
        .expect_problem(404, "not_found");
}

async fn members_are_managed_by_owners(app: TestApp) {
    app.tenant("acme").await;
    app.tenant("globex").await;
    app.account("olga", PASSWORD, Some(("acme", "owner"))).await;
    app.account("adam", PASSWORD, Some(("acme", "admin"))).await;
    app.account("gus", PASSWORD, Some(("globex", "owner")))
        .await;
    app.account("newbie", PASSWORD, None).await;
    let olga = app.sign_in("olga", PASSWORD).await;
    let adam = app.sign_in("adam", PASSWORD).await;
    let gus = app.sign_in("gus", PASSWORD).await;

    adam.call(
        Method::PUT,
        "/v1/tenants/acme/members/newbie",
        Some(json!({"role": "viewer"})),
        true,
    )
    .await
    .expect_problem(403, "forbidden");
    gus.call(
        Method::PUT,
        "/v1/tenants/acme/members/newbie",
        Some(json!({"role": "viewer"})),
        true,
    )
    .await
    .expect_problem(404, "not_found");
    let added = olga
        .call(
            Method::PUT,
            "/v1/tenants/acme/members/newbie",
            Some(json!({"role": "viewer"})),
            true,
        )
        .await
        .expect(201);
    assert_eq!(added.body["role"], "viewer");
    olga.call(
        Method::PUT,
        "/v1/tenants/acme/members/ghost",
        Some(json!({"role": "viewer"})),
        true,
    )
    .await
    .expect_problem(422, "validation_failed");
    olga.call(
        Method::PUT,
        "/v1/tenants/acme/members/newbie",
        Some(json!({"role": "emperor"})),
        true,
    )
    .await
    .expect_problem(422, "validation_failed");
    let members = adam
        .call(Method::GET, "/v1/tenants/acme/members", None, false)
        .await
        .expect(200);
    let listed: Vec<(&str, &str)> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["username"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("adam", "admin"), ("newbie", "viewer"), ("olga", "owner")]
    );
    // Membership changes are tenant changes: audited, with a revision.
    let audit = app
        .get("/v1/tenants/acme/audit?targetKind=member&targetId=newbie")
        .await
        .expect(200);
    assert_eq!(audit.body["items"][0]["action"], "member.create");
    assert_eq!(audit.body["items"][0]["actor"]["id"], "olga");
    // Deleting an account removes its memberships, each in its tenant's log.
    app.delete("/v1/accounts/newbie").await.expect(204);
    let audit = app
        .get("/v1/tenants/acme/audit?action=member.delete")
        .await
        .expect(200);
    assert_eq!(audit.body["items"][0]["target"]["id"], "newbie");
    // Deleting a tenant deletes its memberships.
    app.delete("/v1/tenants/globex").await.expect(204);
    let gus_account = app.get("/v1/accounts/gus").await.expect(200);
    assert_eq!(gus_account.body["memberships"], json!([]));
}

async fn expired_sessions_are_refused(app: TestApp) {
    app.account("ada", PASSWORD, None).await;
    let ada = app.sign_in("ada", PASSWORD).await;
    ada.call(Method::GET, "/v1/session", None, false)
        .await
        .expect(200);
    // Age every session past its idle expiry, as time would.
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    sqlx::query("UPDATE console_sessions SET expires_at = 0")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    ada.call(Method::GET, "/v1/session", None, false)
        .await
        .expect_problem(401, "unauthenticated");
    ada.call(Method::GET, "/v1/accounts/ada", None, false)
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn sign_in_is_throttled_per_account() {
    let app = TestApp::spawn_with(crate::helpers::Db::Sqlite, |config| {
        config.login_attempts_per_minute = 2;
    })
    .await
    .unwrap();
    app.account("ada", PASSWORD, None).await;
    let attempt = |password: &'static str| {
        app.client
            .post(format!("{}/v1/session", app.base))
            .json(&json!({"username": "ADA", "password": password}))
            .send()
    };
    assert_eq!(attempt("wrong password 1").await.unwrap().status(), 401);
    assert_eq!(attempt("wrong password 2").await.unwrap().status(), 401);
    // Over the limit, even the right password is not tried.
    let throttled = attempt(PASSWORD).await.unwrap();
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().get("retry-after").is_some());
    let body: serde_json::Value = throttled.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    // Another account from the same address is still let through (the address limit is
    // five times the account limit).
    app.account("bob", PASSWORD, None).await;
    app.sign_in("bob", PASSWORD).await;
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let app = TestApp::spawn_with(crate::helpers::Db::Sqlite, |config| {
        config.secure_cookies = true;
    })
    .await
    .unwrap();
    app.account("ada", PASSWORD, None).await;
    let response = app
        .client
        .post(format!("{}/v1/session", app.base))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn console_pages_are_served_and_not_frameable() {
    let app = TestApp::spawn(crate::helpers::Db::Sqlite).await.unwrap();
    let page = app
        .client
        .get(format!("{}/console/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Sign in"),
        "the sign-in page is rendered by the server"
    );
    assert!(
        html.contains("/pkg/portcullis-console.js"),
        "and hydrated by the console's build"
    );
    // `/` leads to the console; the API's unknown paths stay problem documents.
    let root = crate::helpers::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(root.headers()["location"], "/console");
    app.get("/v1/nothing-here")
        .await
        .expect_problem(404, "not_found");
}

/// Deleting or demoting the only platform admin account is refused, whoever asks, and
/// changes nothing (not even its memberships); with two, two requests at once removing
/// one each cannot both succeed.
async fn the_last_platform_admin_stays(app: TestApp) {
    app.tenant("acme").await;
    app.put("/v1/tenants/acme/members/admin", json!({"role": "owner"}))
        .await
        .expect(201);
    app.delete("/v1/accounts/admin")
        .await
        .expect_problem(409, "last_platform_admin");
    app.call(
        Method::PATCH,
        "/v1/accounts/admin",
        Some(crate::helpers::ADMIN),
        Some(json!({"platformAdmin": false})),
    )
    .await
    .expect_problem(409, "last_platform_admin");
    let admin = app.get("/v1/accounts/admin").await.expect(200);
    assert_eq!(admin.body["platformAdmin"], true);
    assert_eq!(admin.body["memberships"][0]["tenantId"], "acme");

    // With a second platform admin, either may go, but not both.
    for name in ["bea", "cy"] {
        app.post(
            "/v1/accounts",
            json!({"username": name, "password": PASSWORD, "platformAdmin": true}),
        )
        .await
        .expect(201);
    }
    app.delete("/v1/accounts/admin").await.expect(204);
    let (bea, cy) = tokio::join!(
        app.delete("/v1/accounts/bea"),
        app.delete("/v1/accounts/cy")
    );
    let mut statuses = [bea.status, cy.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 409], "bea: {}, cy: {}", bea.body, cy.body);
    let left = app.get("/v1/accounts").await.expect(200);
    let admins = left.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["platformAdmin"] == true)
        .count();
    assert_eq!(admins, 1);
}

async fn accounts_are_found_by_the_start_of_their_username(app: TestApp) {
    app.tenant("acme").await;
    for username in ["ad", "ad.b", "ada", "adam", "ae", "ac", "bob"] {
        app.post(
            "/v1/accounts",
            json!({"username": username, "password": PASSWORD}),
        )
        .await
        .expect(201);
    }
    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["username"].as_str().unwrap().to_owned())
            .collect()
    };
    // `admin` (the first start's account) starts with `ad` too; `ac` and `ae` sort just
    // around the range and stay out of it.
    let found = app.get("/v1/accounts?q=ad").await.expect(200);
    assert_eq!(names(&found.body), ["ad", "ad.b", "ada", "adam", "admin"]);
    let found = app.get("/v1/accounts?q=ada").await.expect(200);
    assert_eq!(names(&found.body), ["ada", "adam"]);
    let found = app.get("/v1/accounts?q=Ad").await.expect(200);
    assert_eq!(names(&found.body), Vec::<String>::new(), "case-sensitive");
    // Paged with the same `q`, two at a time, the pages join into the whole answer.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/v1/accounts?q=ad&limit=2{cursor}"))
            .await
            .expect(200);
        paged.extend(names(&page.body));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, ["ad", "ad.b", "ada", "adam", "admin"]);
    // A `q` that no username can start with is refused, naming `q`.
    for bad in ["", "%00", "%C3%A9", "a%0Ab"] {
        let refused = app
            .get(&format!("/v1/accounts?q={bad}"))
            .await
            .expect_problem(400, "invalid_parameter");
        assert_eq!(refused.body["errors"][0]["field"], "q", "{bad}");
    }
    // Only platform admins list accounts, with or without `q`: a tenant's owner may not.
    app.put("/v1/tenants/acme/members/ada", json!({"role": "owner"}))
        .await
        .expect(201);
    let owner = app.sign_in("ada", PASSWORD).await;
    owner
        .call(Method::GET, "/v1/accounts?q=a", None, false)
        .await
        .expect_problem(403, "forbidden");
}
