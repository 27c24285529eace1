//! Upgrading a database written by the release before typed storage (commit 65a18ce, the
//! JSON `objects` table): every object, revision, audit event and decision survives, and
//! the database keeps working.
//!
//! The fixture (`tests/fixtures/upgrade-65a18ce.*`) was made by that release's server with
//! `tests/fixtures/make_upgrade_fixture.py`: `.sql` holds its rows, `.json` what its API
//! answered about them.

use std::borrow::Cow;
use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, TestDb};

/// The first migration of typed storage: the fixture's database has every one before it.
const TYPED_STORAGE: i64 = 20261202000001;

/// A database as the release left it: its migrations, then its rows.
async fn database_of_the_release(db: Db) -> Option<TestDb> {
    let test_db = TestDb::create(db).await?;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&test_db.url).await.unwrap();
    let flavour = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(flavour);
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let before: Vec<_> = migrator
        .iter()
        .filter(|m| m.version < TYPED_STORAGE)
        .cloned()
        .collect();
    assert_eq!(before.len(), 2, "the release had two migrations");
    migrator.migrations = Cow::Owned(before);
    migrator.run(&pool).await.unwrap();
    let rows = include_str!("../fixtures/upgrade-65a18ce.sql");
    for statement in rows.lines().filter(|line| line.starts_with("INSERT")) {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    Some(test_db)
}

async fn upgrade(db: Db) {
    let Some(test_db) = database_of_the_release(db).await else {
        return;
    };
    let expected: Value =
        serde_json::from_str(include_str!("../fixtures/upgrade-65a18ce.json")).unwrap();
    let app = TestApp::spawn_on(test_db, |_| {}).await;

    let tenants = app.get("/v1/tenants").await.expect(200);
    assert_eq!(tenants.body["items"], expected["tenants"]);
    for (tenant, was) in expected["by_tenant"].as_object().unwrap() {
        for (kind, objects) in was["objects"].as_object().unwrap() {
            let mut objects = objects.clone();
            if kind == "users" {
                // A field added after that release: the migration gives every user its
                // default.
                for user in objects.as_array_mut().unwrap() {
                    user["status"] = json!("active");
                }
            }
            let objects = &objects;
            let now = app
                .get(&format!("/v1/tenants/{tenant}/{kind}?limit=100"))
                .await
                .expect(200);
            assert_eq!(&now.body["items"], objects, "{tenant}'s {kind}");
        }
        let audit = app
            .get(&format!("/v1/tenants/{tenant}/audit?limit=100"))
            .await
            .expect(200);
        assert_eq!(audit.body["items"], was["audit"], "{tenant}'s audit log");
        for question in was["checks"].as_array().unwrap() {
            let mut ask = question.clone();
            let allowed = ask.as_object_mut().unwrap().remove("allowed").unwrap();
            let answer = app
                .post(&format!("/v1/tenants/{tenant}/check"), ask)
                .await
                .expect(200);
            assert_eq!(answer.body["allowed"], allowed, "{tenant}: {question}");
        }
        // The key made before the upgrade still authenticates, with its scopes.
        let secret = was["key_secret"].as_str().unwrap();
        let key_check = app
            .call_with(
                reqwest::Method::POST,
                &format!("/v1/tenants/{tenant}/check"),
                Some(secret),
                Some(json!({"userId": "ada", "permission": "documents:update", "resourceUri": "/orgs/acme/docs/d2"})),
                &[],
            )
            .await
            .expect(200);
        assert_eq!(key_check.body["allowed"], json!(true));

        // And the database goes on: references are enforced by the new foreign keys.
        let revision = app.revision(tenant).await;
        app.delete(&format!("/v1/tenants/{tenant}/roles/editor"))
            .await
            .expect_problem(409, "in_use");
        app.put(
            &format!("/v1/tenants/{tenant}/records/after-upgrade"),
            json!({"name": "new", "users": ["zoe"],
                   "statements": [{"roles": ["viewer"], "resources": ["/orgs/acme/new"]}]}),
        )
        .await
        .expect(201);
        assert_eq!(app.revision(tenant).await, revision + 1);
        let answer = app
            .post(
                &format!("/v1/tenants/{tenant}/check"),
                json!({"userId": "zoe", "permission": "documents:read", "resourceUri": "/orgs/acme/new/x"}),
            )
            .await
            .expect(200);
        assert_eq!(answer.body["allowed"], json!(true));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    upgrade(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    upgrade(Db::Postgres).await;
}
