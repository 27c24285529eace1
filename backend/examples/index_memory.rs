//! Resident memory of a decision index of the everyday shape (one user, one document per
//! record), without the server around it: `cargo run --release -p portcullis --example
//! index_memory [RECORDS]`. Prints bytes per record and the build time.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use portcullis::domain::{
    AccessRecord, Action, ObjectId, PermissionEntry, RecordStatus, ResourcePattern, Role,
    Statement, UserId,
};
use portcullis::engine::{IndexBuilder, RecordSpec};

fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

fn main() {
    let records: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().unwrap())
        .unwrap_or(1_000_000);
    let users = records / 5;
    let before = rss();
    let started = std::time::Instant::now();
    let mut builder = IndexBuilder::new();
    builder.role(
        "viewer",
        Role {
            role_id: Some(ObjectId::parse("viewer").unwrap()),
            name: "Viewer".into(),
            description: String::new(),
            permissions: vec![PermissionEntry {
                action: Action::parse("documents:read").unwrap(),
                allow: true,
                grant: false,
                delegate: false,
            }],
            created_at: None,
            updated_at: None,
            revision: None,
        },
    );
    for i in 0..records {
        let record = AccessRecord {
            record_id: None,
            name: String::new(),
            description: String::new(),
            status: RecordStatus::Active,
            expires_at: None,
            users: vec![UserId::parse(&format!("u{}", i % users)).unwrap()],
            groups: Vec::new(),
            statements: vec![Statement {
                roles: vec![ObjectId::parse("viewer").unwrap()],
                resources: vec![
                    ResourcePattern::parse(&format!("/orgs/o{}/docs/d{i}", i % 1000)).unwrap(),
                ],
            }],
            tags: Default::default(),
            delegated_by: None,
            created_at: None,
            updated_at: None,
            revision: None,
        };
        builder.record(&format!("r{i}"), &RecordSpec::of(&record));
    }
    let index = builder.finish(1);
    let elapsed = started.elapsed();
    let after = rss();
    println!(
        "{records} records: {} bytes per record resident, built in {elapsed:.2?} ({} records held)",
        (after - before) / records as u64,
        index.record_count()
    );
}
