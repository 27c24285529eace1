//! What verifying a user's identity token costs (SPEC §6), beside what a check costs, in
//! one run: `identity::verify` (signature and claims, the work `userToken` and `/me` add
//! to a decision, without the two indexed reads of the issuer and the user's
//! `tokensNotBefore`) for each accepted algorithm, and an in-memory check of a user with 5
//! grants. Keys are generated here. Run with `./bench/tokens.sh`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::domain::{Issuer, IssuerKeys, Role, TokenAlgorithm, now};
use portcullis::engine::{IndexBuilder, RecordSpec, StatementSpec};
use portcullis::identity::{jwks::KeySet, verify};
use serde_json::json;

// The tests' key pairs and hand-signed tokens.
#[path = "../tests/api/keys.rs"]
mod keys;

fn tokens(c: &mut Criterion) {
    portcullis::identity::jwks::install_crypto_providers();
    for alg in [
        TokenAlgorithm::RS256,
        TokenAlgorithm::ES256,
        TokenAlgorithm::EdDSA,
    ] {
        let signer = match alg {
            TokenAlgorithm::RS256 => keys::TestKey::rsa("k"),
            TokenAlgorithm::ES256 => keys::TestKey::ec("k"),
            TokenAlgorithm::EdDSA => keys::TestKey::ed("k"),
        };
        let token = signer.token("https://idp.example/", "ada", json!({}));
        let document = keys::jwks(&[&signer]);
        let issuer = Issuer {
            issuer_id: None,
            name: "IdP".into(),
            issuer: "https://idp.example/".into(),
            audiences: vec!["portal".into()],
            keys: IssuerKeys::Inline(document.clone()),
            algorithms: vec![alg],
            created_at: None,
            updated_at: None,
            revision: None,
        };
        let key = KeySet::parse(&document, true)
            .unwrap()
            .find(Some("k"), alg)
            .cloned()
            .unwrap();
        assert_eq!(verify(&token, &issuer, alg, &key).unwrap().subject, "ada");
        c.bench_function(&format!("verify a {} token", alg.as_str()), |b| {
            b.iter(|| black_box(verify(black_box(&token), &issuer, alg, &key).unwrap()))
        });
    }

    let mut builder = IndexBuilder::new();
    let role: Role = serde_json::from_value(
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .unwrap();
    builder.role("viewer", role);
    let resources: Vec<String> = (0..5).map(|i| format!("/docs/d{i}")).collect();
    for (i, resource) in resources.iter().enumerate() {
        builder.record(
            &format!("r{i}"),
            &RecordSpec {
                disabled: false,
                expires_at: None,
                users: vec!["ada"],
                groups: Vec::new(),
                statements: vec![StatementSpec {
                    roles: vec!["viewer"],
                    resources: vec![resource.as_str()],
                }],
            },
        );
    }
    let index = builder.finish(1);
    let at = now();
    c.bench_function("check, allowed, user with 5 grants (the baseline)", |b| {
        b.iter(|| black_box(index.check(black_box("ada"), "/docs/d3", "documents:read", at, false)))
    });
}

criterion_group!(benches, tokens);
criterion_main!(benches);
