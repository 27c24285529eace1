//! What verifying a user's identity token costs (SPEC §6), beside what a check costs, in
//! one run: `identity::verify` (signature and claims, the work `userToken` and `/me` add
//! to a decision, without the two indexed reads of the issuer and the user's
//! `tokensNotBefore`) for each accepted algorithm, and an in-memory check of a user with 5
//! grants. Keys are generated here. Run with `./bench/tokens.sh`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::domain::{Issuer, IssuerKeys, Role, TokenAlgorithm, now};
use portcullis::engine::{IndexBuilder, RecordSpec, StatementSpec};
use portcullis::identity::{jwks::KeySet, verify};
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A signed token of `alg` and the JWK of its key.
fn token(alg: TokenAlgorithm) -> (String, serde_json::Value) {
    let header = b64(json!({"alg": alg.as_str(), "kid": "k"})
        .to_string()
        .as_bytes());
    let exp = now().millis() / 1000 + 3600;
    let claims = json!({"iss": "https://idp.example/", "aud": "portal", "sub": "ada", "iat": exp - 3600, "exp": exp});
    let message = format!("{header}.{}", b64(claims.to_string().as_bytes()));
    let (signature, jwk) = match alg {
        TokenAlgorithm::RS256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            let mut signature = vec![0; pair.public_modulus_len()];
            pair.sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .unwrap();
            let public = pair.public_key();
            let jwk = json!({"kty": "RSA", "kid": "k",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero())});
            (signature, jwk)
        }
        TokenAlgorithm::ES256 => {
            let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
            let signature = pair.sign(&SystemRandom::new(), message.as_bytes()).unwrap();
            let point = pair.public_key().as_ref();
            let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "k",
                "x": b64(&point[1..33]), "y": b64(&point[33..65])});
            (signature.as_ref().to_vec(), jwk)
        }
        TokenAlgorithm::EdDSA => {
            let pair = Ed25519KeyPair::generate().unwrap();
            let signature = pair.sign(message.as_bytes());
            let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "k",
                "x": b64(pair.public_key().as_ref())});
            (signature.as_ref().to_vec(), jwk)
        }
    };
    (format!("{message}.{}", b64(&signature)), jwk)
}

fn tokens(c: &mut Criterion) {
    portcullis::identity::jwks::install_crypto_providers();
    for alg in [
        TokenAlgorithm::RS256,
        TokenAlgorithm::ES256,
        TokenAlgorithm::EdDSA,
    ] {
        let (token, jwk) = token(alg);
        let document = json!({"keys": [jwk]});
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
