//! Engine micro-benchmark: check and each lookup on the benchmark dataset (bench/dataset.py),
//! in memory, without HTTP. Run with `./bench/engine.sh`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::domain::{AccessRecord, Role, now};
use portcullis::engine::{Change, TenantIndex};
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

criterion_group!(benches, engine);
criterion_main!(benches);
