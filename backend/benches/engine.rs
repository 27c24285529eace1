//! Engine micro-benchmark: check and each lookup on the benchmark dataset (bench/dataset.py),
//! in memory, without HTTP; then checks and a write on large tenants of the everyday shape
//! (one user, one document per record; a user holds 5), at 10,000 records and at
//! `PORTCULLIS_BENCH_RECORDS` (default 1,000,000). Run with `./bench/engine.sh`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use portcullis::domain::{AccessRecord, Role, now};
use portcullis::engine::{Change, IndexBuilder, RecordSpec, StatementSpec, TenantIndex};
use serde::Deserialize;

#[derive(Deserialize)]
struct Check {
    #[serde(rename = "userId")]
    user: String,
    #[serde(rename = "resourceUri")]
    resource: String,
    permission: String,
    expected: bool,
}

#[derive(Deserialize)]
struct Dataset {
    roles: Vec<Role>,
    records: Vec<AccessRecord>,
    checks: Vec<Check>,
}

fn dataset() -> (TenantIndex, Dataset) {
    let path = std::env::var("PORTCULLIS_BENCH_DATASET").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/out/dataset.json").to_owned()
    });
    let text = std::fs::read_to_string(&path)
        .expect("no dataset: run ./bench/engine.sh, which makes it first");
    let data: Dataset = serde_json::from_str(&text).unwrap();
    let mut index = TenantIndex::new(0);
    let mut revision = 0;
    for role in &data.roles {
        revision += 1;
        index.apply(
            revision,
            Change::Role(
                role.role_id.clone().unwrap().to_string(),
                Some(role.clone()),
            ),
        );
    }
    for record in &data.records {
        revision += 1;
        index.apply(
            revision,
            Change::Record(
                record.record_id.clone().unwrap().to_string(),
                Some(record.clone()),
            ),
        );
    }
    (index, data)
}

fn engine(c: &mut Criterion) {
    let (index, data) = dataset();
    let at = now();
    // Every answer agrees with the dataset's own reading of the rules.
    for check in &data.checks {
        let decision = index.check(&check.user, &check.resource, &check.permission, at, false);
        assert_eq!(
            decision.allowed, check.expected,
            "{} {} {}",
            check.user, check.resource, check.permission
        );
    }
    let five = data
        .records
        .iter()
        .find(|r| r.statements.len() == 5)
        .expect("a user with 5 grants");
    let user = five.users[0].to_string();
    let granted = five.statements[0].resources[0].to_string();
    let allowed = data
        .checks
        .iter()
        .find(|c| c.user == user && c.expected)
        .map(|c| (c.resource.clone(), c.permission.clone()));
    let (resource, permission) = allowed.unwrap_or((granted.clone(), "documents:read".into()));

    c.bench_function("check: allowed, user with 5 grants", |b| {
        b.iter(|| {
            black_box(index.check(
                black_box(&user),
                black_box(&resource),
                black_box(&permission),
                at,
                false,
            ))
        })
    });
    c.bench_function("check: denied, user with 5 grants", |b| {
        b.iter(|| {
            black_box(index.check(
                black_box(&user),
                "/f0/nowhere/d1",
                "documents:delete",
                at,
                false,
            ))
        })
    });
    c.bench_function("check: allowed with explanation", |b| {
        b.iter(|| black_box(index.check(&user, &resource, &permission, at, true)))
    });
    let mut next = 0;
    c.bench_function("check: the 20,000 dataset checks in turn", |b| {
        b.iter(|| {
            let check = &data.checks[next % data.checks.len()];
            next += 1;
            black_box(index.check(&check.user, &check.resource, &check.permission, at, false))
        })
    });
    c.bench_function("lookup: effective permissions", |b| {
        b.iter(|| black_box(index.effective_permissions(&user, &resource, at)))
    });
    c.bench_function("lookup: resources of a user", |b| {
        b.iter(|| black_box(index.resources_for(&user, "documents:read", None, at, None, 51)))
    });
    c.bench_function("lookup: users of a resource", |b| {
        b.iter(|| black_box(index.holders(&resource, "documents:read", at, None, 51)))
    });
}

/// A tenant of `records` one-user-one-document records; each user holds five.
fn flat(records: usize) -> TenantIndex {
    let mut builder = IndexBuilder::new();
    builder.role(
        "viewer",
        serde_json::from_value(
            serde_json::json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
        )
        .unwrap(),
    );
    let users = records / 5;
    for i in 0..records {
        let user = format!("u{}", i % users);
        let resource = format!("/orgs/o{}/docs/d{i}", i % 1000);
        builder.record(
            &format!("r{i}"),
            &RecordSpec {
                disabled: false,
                expires_at: None,
                users: vec![user.as_str()],
                groups: Vec::new(),
                statements: vec![StatementSpec {
                    roles: vec!["viewer"],
                    resources: vec![resource.as_str()],
                }],
            },
        );
    }
    builder.finish(1)
}

fn large(c: &mut Criterion) {
    let at = now();
    let big: usize = std::env::var("PORTCULLIS_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    for records in [10_000, big] {
        let index = flat(records);
        let users = records / 5;
        // User 7 holds records 7, 7 + users, … : five documents.
        let granted = format!("/orgs/o{}/docs/d{}", (7 + 3 * users) % 1000, 7 + 3 * users);
        assert!(
            index
                .check("u7", &granted, "documents:read", at, false)
                .allowed
        );
        c.bench_function(
            &format!("flat {records}: check, allowed, user with 5 grants"),
            |b| {
                b.iter(|| {
                    black_box(index.check(
                        black_box("u7"),
                        black_box(&granted),
                        "documents:read",
                        at,
                        false,
                    ))
                })
            },
        );
        c.bench_function(
            &format!("flat {records}: check, denied, user with 5 grants"),
            |b| {
                b.iter(|| {
                    black_box(index.check(
                        black_box("u7"),
                        "/orgs/o1/docs/nowhere",
                        "documents:read",
                        at,
                        false,
                    ))
                })
            },
        );
        let mut n = 0usize;
        c.bench_function(&format!("flat {records}: a write on a copy of the published index"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let record: AccessRecord = serde_json::from_value(serde_json::json!({
                        "name": "moved", "users": [format!("u{}", n % users)],
                        "statements": [{"roles": ["viewer"], "resources": [format!("/orgs/o1/docs/n{n}")]}]
                    }))
                    .unwrap();
                    Change::Record(format!("r{}", n % records), Some(record))
                },
                |change| {
                    let mut next = index.clone();
                    next.apply(2, change);
                    black_box(next)
                },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, engine, large);
criterion_main!(benches);
