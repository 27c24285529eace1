//! The typed tables keep their own integrity: the foreign keys refuse what the service
//! checks first, so a bug there (or a hand-written statement) cannot leave a record naming
//! a role that is gone. Run on the store itself, on both databases.

use portcullis::domain::{AccessRecord, Role, TenantId};
use portcullis::store::{AuditRecord, Stamped, Store, WriteTx};
use serde_json::json;

use crate::helpers::{Db, TestApp, TestDb};

fn audit(action: &str) -> AuditRecord {
    AuditRecord {
        actor_kind: "platformAdmin".into(),
        actor_id: "test".into(),
        action: action.into(),
        target_kind: "record".into(),
        target_id: "r".into(),
        before: None,
        after: None,
    }
}

async fn write<K: portcullis::store::Table + serde::de::DeserializeOwned>(
    tx: &mut WriteTx,
    id: &str,
    object: serde_json::Value,
) {
    let object: K = serde_json::from_value(object).unwrap();
    let stamp = tx.stamp(None, None);
    tx.write(
        &[Stamped {
            id: id.into(),
            object,
            stamp,
        }],
        true,
    )
    .await
    .unwrap();
}

async fn foreign_keys_hold(db: Db) {
    let Some(test_db) = TestDb::create(db).await else {
        return;
    };
    let store = Store::connect(&test_db.url).await.unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    store
        .create_tenant(&tenant, "Acme", audit("tenant.create"))
        .await
        .unwrap()
        .unwrap();

    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    write::<Role>(
        &mut tx,
        "viewer",
        json!({"name": "Viewer", "permissions": [{"action": "a:read"}]}),
    )
    .await;
    tx.ensure_users(&["ada"]).await.unwrap();
    write::<AccessRecord>(
        &mut tx,
        "r",
        json!({"name": "r", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/x"]}]}),
    )
    .await;
    tx.commit(audit("record.create")).await.unwrap();

    // Deleting a role, or a user, that a record names is refused by the database.
    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    assert!(tx.delete::<Role>("viewer").await.is_err());
    drop(tx);
    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    assert!(tx.delete::<portcullis::domain::User>("ada").await.is_err());
    drop(tx);

    // A record naming a role that does not exist cannot commit (the check is deferred to
    // the commit, so an import may create the role after the record).
    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    write::<AccessRecord>(
        &mut tx,
        "s",
        json!({"name": "s", "statements": [{"roles": ["ghost"], "resources": ["/x"]}]}),
    )
    .await;
    assert!(tx.commit(audit("record.create")).await.is_err());

    // Deleting the record takes its lists with it; then the role may go.
    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    tx.delete::<AccessRecord>("r").await.unwrap();
    tx.delete::<Role>("viewer").await.unwrap();
    tx.commit(audit("role.delete")).await.unwrap();
    let mut tx = store.begin_write("acme").await.unwrap().unwrap();
    assert!(tx.get::<Role>("viewer").await.unwrap().is_none());
    assert!(tx.get::<AccessRecord>("r").await.unwrap().is_none());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    foreign_keys_hold(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    foreign_keys_hold(Db::Postgres).await;
}

/// An index built at start from the typed tables (read in bulk, a page of records at a time)
/// answers every question, explanations included, as the index built write by write did.
async fn a_restart_answers_as_before(app: TestApp) {
    app.tenant("acme").await;
    let t = "/v1/tenants/acme";
    app.put(
        &format!("{t}/roles/viewer"),
        json!({"name": "V", "permissions": [{"action": "docs:read"}]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("{t}/roles/editor"),
        json!({"name": "E", "permissions": [{"action": "docs:*", "grant": true}]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("{t}/groups/team"),
        json!({"name": "T", "users": ["bea", "cid"]}),
    )
    .await
    .expect(201);
    let records = [
        json!({"name": "a", "users": ["ada", "bea"], "groups": ["team"], "statements": [
            {"roles": ["viewer", "editor"], "resources": ["/p/1", "/p/2/*/docs"]},
            {"roles": ["viewer"], "resources": ["/q"]}]}),
        json!({"name": "b", "groups": ["team"], "statements": [{"roles": ["editor"], "resources": ["/q/x"]}]}),
        json!({"name": "c", "users": ["ada"], "status": "disabled",
               "statements": [{"roles": ["editor"], "resources": ["/r"]}]}),
        json!({"name": "d", "users": ["dan"], "expiresAt": "2001-01-01T00:00:00Z",
               "statements": [{"roles": ["editor"], "resources": ["/r"]}]}),
    ];
    for (i, record) in records.iter().enumerate() {
        app.put(&format!("{t}/records/r{i}"), record.clone())
            .await
            .expect(201);
    }
    let mut questions = Vec::new();
    for user in ["ada", "bea", "cid", "dan", "eve"] {
        for resource in [
            "/p/1",
            "/p/1/x",
            "/p/2/k/docs/z",
            "/p/2/k/other",
            "/q",
            "/q/x/y",
            "/r",
        ] {
            for permission in ["docs:read", "docs:update"] {
                questions.push(json!({"userId": user, "resourceUri": resource,
                    "permission": permission, "explain": true}));
            }
        }
    }
    let ask = |app: &TestApp| {
        let questions = questions.clone();
        let app_base = app.base.clone();
        async move {
            let client = crate::helpers::http().build().unwrap();
            let answer: serde_json::Value = client
                .post(format!("{app_base}/v1/tenants/acme/check/batch"))
                .bearer_auth(crate::helpers::ADMIN)
                .json(&json!({"checks": questions}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["results"].clone()
        }
    };
    let before = ask(&app).await;
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["allowed"] == json!(true))
    );
    let restarted = TestApp::spawn_on(app.db.clone(), |_| {}).await;
    assert_eq!(ask(&restarted).await, before);
}

on_both_databases!(a_restart_answers_as_before);
