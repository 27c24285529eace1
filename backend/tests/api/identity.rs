//! Identity tokens (SPEC §6): trusted issuers, `userToken` in decisions, the `/me`
//! endpoints, sign-out everywhere, and the attacks that broke real verifiers.
//!
//! Keys are generated in the tests (RSA 2048, P-256, Ed25519) and tokens are signed here
//! with AWS-LC directly, not with the crate the server verifies with, so a header or claim
//! the server must refuse can be written exactly as an attacker would. Fetched key sets are
//! served by a real HTTP server on loopback that counts its fetches and can be taken down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::{TestApp, fields};
use crate::keys::{TestKey, b64, jwks, now};

on_both_databases!(
    tokens_of_every_algorithm_decide_as_their_subject,
    every_forged_or_unfit_token_is_refused_with_its_code,
    fetched_keys_survive_the_issuer_and_refetch_is_bounded,
    sign_out_everywhere_and_suspension_apply_to_tokens,
    issuers_are_validated_audited_and_isolated,
    users_give_what_they_may_through_me_records,
    an_app_asks_every_decision_with_a_users_token,
    token_changes_reach_every_replica,
);

/// A JWKS served over real HTTP on loopback: the keys can be changed, the server taken
/// down (it answers 503), and its fetches are counted.
#[derive(Clone)]
struct JwksServer {
    url: String,
    keys: Arc<Mutex<Value>>,
    down: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(keys: Value) -> Self {
        let server = JwksServer {
            url: String::new(),
            keys: Arc::new(Mutex::new(keys)),
            down: Arc::new(AtomicBool::new(false)),
            fetches: Arc::new(AtomicUsize::new(0)),
        };
        let state = server.clone();
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let state = state.clone();
                async move {
                    state.fetches.fetch_add(1, Ordering::SeqCst);
                    if state.down.load(Ordering::SeqCst) {
                        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new());
                    }
                    (
                        axum::http::StatusCode::OK,
                        state.keys.lock().await.to_string(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        JwksServer {
            url: format!("http://{address}/jwks.json"),
            ..server
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// acme: viewer on `/docs` for ada; returns a `check` key.
async fn setup(app: &TestApp, tenant: &str) -> String {
    app.tenant(tenant).await;
    app.put(
        &format!("/v1/tenants/{tenant}/roles/viewer"),
        json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/tenants/{tenant}/records/ada"),
        json!({"name": "Ada's", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}),
    )
    .await
    .expect(201);
    app.key(tenant, &["check"]).await
}

async fn register(app: &TestApp, tenant: &str, id: &str, body: Value) {
    app.put(&format!("/v1/tenants/{tenant}/issuers/{id}"), body)
        .await
        .expect(201);
}

fn issuer(iss: &str, keys: Value, algorithms: &[&str]) -> Value {
    let mut body = json!({"name": iss, "issuer": iss, "audiences": ["portal", "other-app"],
        "algorithms": algorithms});
    match keys {
        Value::String(url) => body["jwksUrl"] = Value::String(url),
        document => body["jwks"] = document,
    }
    body
}

/// A check with `userToken` on `/docs/d1`.
async fn check_token(app: &TestApp, tenant: &str, key: &str, token: &str) -> crate::helpers::Resp {
    app.call(
        Method::POST,
        &format!("/v1/tenants/{tenant}/check"),
        Some(key),
        Some(
            json!({"userToken": token, "resourceUri": "/docs/d1", "permission": "documents:read"}),
        ),
    )
    .await
}

async fn tokens_of_every_algorithm_decide_as_their_subject(app: TestApp) {
    let key = setup(&app, "acme").await;
    let rsa = TestKey::rsa("r1");
    let ec = TestKey::ec("e1");
    let ed = TestKey::ed("d1");
    let server = JwksServer::start(jwks(&[&rsa])).await;
    register(
        &app,
        "acme",
        "idp-rsa",
        issuer("https://rsa.example/", json!(server.url), &["RS256"]),
    )
    .await;
    register(
        &app,
        "acme",
        "idp-ec",
        issuer("https://ec.example/", jwks(&[&ec]), &["ES256"]),
    )
    .await;
    register(
        &app,
        "acme",
        "idp-ed",
        issuer("https://ed.example/", jwks(&[&ed]), &["EdDSA"]),
    )
    .await;

    for (signer, iss) in [
        (&rsa, "https://rsa.example/"),
        (&ec, "https://ec.example/"),
        (&ed, "https://ed.example/"),
    ] {
        let ada = signer.token(iss, "ada", json!({}));
        let bob = signer.token(iss, "bob", json!({}));
        let got = check_token(&app, "acme", &key, &ada).await.expect(200);
        assert_eq!(got.body["allowed"], true, "{iss}");
        assert_eq!(
            got.body["userId"], "ada",
            "the answer names the token's user"
        );
        let got = check_token(&app, "acme", &key, &bob).await.expect(200);
        assert_eq!(got.body["allowed"], false, "{iss}");

        // Batch: tokens and ids mixed, answered in order.
        let batch = app
            .call(
                Method::POST,
                "/v1/tenants/acme/check/batch",
                Some(&key),
                Some(json!({"checks": [
                    {"userToken": ada, "resourceUri": "/docs/d1", "permission": "documents:read"},
                    {"userToken": bob, "resourceUri": "/docs/d1", "permission": "documents:read"},
                    {"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"},
                    {"userToken": ada, "resourceUri": "/elsewhere", "permission": "documents:read"},
                ]})),
            )
            .await
            .expect(200);
        let allowed: Vec<bool> = batch.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["allowed"].as_bool().unwrap())
            .collect();
        assert_eq!(allowed, [true, false, true, false], "{iss}");
        let named: Vec<&Value> = batch.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["userId"])
            .collect();
        assert_eq!(
            named,
            [&json!("ada"), &json!("bob"), &Value::Null, &json!("ada")],
            "a token's user is named, a userId is not repeated"
        );

        // `/me`: the token is the credential, the user is its `sub`.
        let me = app
            .call(
                Method::POST,
                "/v1/tenants/acme/me/check",
                Some(&ada),
                Some(json!({"resourceUri": "/docs/d1", "permission": "documents:read", "explain": true})),
            )
            .await
            .expect(200);
        assert_eq!(me.body["allowed"], true);
        assert_eq!(
            me.body["explanation"]["grantedBy"]["recordId"], "ada",
            "{}",
            me.body
        );
        let permissions = app
            .call(
                Method::GET,
                "/v1/tenants/acme/me/resources/%2Fdocs%2Fd1/permissions",
                Some(&ada),
                None,
            )
            .await
            .expect(200);
        assert_eq!(permissions.body["userId"], "ada");
        assert_eq!(
            permissions.body["permissions"][0]["action"],
            "documents:read"
        );
        let reachable = app
            .call(
                Method::GET,
                "/v1/tenants/acme/me/resources?permission=documents:read",
                Some(&bob),
                None,
            )
            .await
            .expect(200);
        assert_eq!(reachable.body["items"], json!([]));
        let reachable = app
            .call(
                Method::GET,
                "/v1/tenants/acme/me/resources?permission=documents:read",
                Some(&ada),
                None,
            )
            .await
            .expect(200);
        assert_eq!(
            reachable.body["items"],
            json!([{"resourceUri": "/docs", "grants": [{"recordId": "ada", "via": {"kind": "user", "id": "ada"}}]}])
        );
    }
    // The RSA set was fetched once for all of that.
    assert_eq!(server.fetches(), 1);

    // Neither or both of userId and userToken: a 400 naming the field.
    let got = app
        .call(
            Method::POST,
            "/v1/tenants/acme/check",
            Some(&key),
            Some(json!({"resourceUri": "/docs/d1", "permission": "documents:read"})),
        )
        .await
        .expect_problem(400, "invalid_check");
    assert_eq!(fields(&got.body), ["userId"]);
    // `/me` takes tokens only: an API key there is refused, and a token is no API key.
    app.call(
        Method::POST,
        "/v1/tenants/acme/me/check",
        Some(&key),
        Some(json!({"resourceUri": "/docs/d1", "permission": "documents:read"})),
    )
    .await
    .expect_problem(401, "unauthenticated");
    let ada = ec.token("https://ec.example/", "ada", json!({}));
    app.call(Method::GET, "/v1/tenants/acme/roles", Some(&ada), None)
        .await
        .expect_problem(401, "unauthenticated");
    app.call(
        Method::POST,
        "/v1/tenants/acme/check",
        Some(&ada),
        Some(json!({"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"})),
    )
    .await
    .expect_problem(401, "unauthenticated");
}

async fn every_forged_or_unfit_token_is_refused_with_its_code(app: TestApp) {
    let key = setup(&app, "acme").await;
    setup(&app, "beta").await;
    let rsa = TestKey::rsa("r1");
    let other = TestKey::rsa("r2");
    let attacker = TestKey::rsa("evil");
    let attacker_jwks = JwksServer::start(jwks(&[&attacker])).await;
    let iss = "https://idp.example/";
    register(&app, "acme", "idp", issuer(iss, jwks(&[&rsa]), &["RS256"])).await;
    // Another issuer of the same tenant, whose key a token will point at.
    register(
        &app,
        "acme",
        "partner",
        issuer("https://partner.example/", jwks(&[&other]), &["RS256"]),
    )
    .await;

    let header = |alg: &str, kid: &str| json!({"alg": alg, "typ": "JWT", "kid": kid});
    let claims =
        json!({"iss": iss, "sub": "ada", "aud": "portal", "iat": now(), "exp": now() + 600});
    let with = |change: Value| {
        let mut c = claims.clone();
        for (k, v) in change.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let unsigned = |header: Value, claims: Value| {
        format!(
            "{}.{}.",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        )
    };
    // HMAC with the issuer's public key as the secret: the classic key-confusion forgery.
    let hmac_forged = {
        let message = format!(
            "{}.{}",
            b64(header("HS256", "r1").to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let secret = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &rsa.public_bytes());
        let tag = aws_lc_rs::hmac::sign(&secret, message.as_bytes());
        format!("{message}.{}", b64(tag.as_ref()))
    };
    let tampered = {
        let good = rsa.token(iss, "bob", json!({}));
        let parts: Vec<&str> = good.split('.').collect();
        let forged_claims = b64(with(json!({"sub": "ada"})).to_string().as_bytes());
        format!("{}.{forged_claims}.{}", parts[0], parts[2])
    };
    let mut jku = header("RS256", "evil");
    jku["jku"] = json!(attacker_jwks.url);
    jku["x5u"] = json!(attacker_jwks.url);
    let mut embedded = header("RS256", "evil");
    embedded["jwk"] = attacker.jwk();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "alg none",
            unsigned(json!({"alg": "none", "typ": "JWT"}), claims.clone()),
            "token_algorithm_refused",
        ),
        (
            "HS256 with the public key",
            hmac_forged,
            "token_algorithm_refused",
        ),
        (
            "ES256 the issuer does not allow",
            TestKey::ec("r1").token(iss, "ada", json!({})),
            "token_algorithm_refused",
        ),
        (
            "kid of another issuer's key",
            other.token_with(header("RS256", "r2"), claims.clone()),
            "token_key_unknown",
        ),
        (
            "signed by another issuer's key under this kid",
            other.token_with(header("RS256", "r1"), claims.clone()),
            "token_signature_invalid",
        ),
        (
            "jku and x5u to the attacker's keys",
            attacker.token_with(jku, claims.clone()),
            "token_key_unknown",
        ),
        (
            "an embedded jwk",
            attacker.token_with(embedded, claims.clone()),
            "token_key_unknown",
        ),
        ("a tampered payload", tampered, "token_signature_invalid"),
        (
            "expired beyond the skew",
            rsa.token_with(header("RS256", "r1"), with(json!({"exp": now() - 120}))),
            "token_expired",
        ),
        (
            "not yet valid beyond the skew",
            rsa.token_with(header("RS256", "r1"), with(json!({"nbf": now() + 300}))),
            "token_not_yet_valid",
        ),
        (
            "another audience",
            rsa.token_with(header("RS256", "r1"), with(json!({"aud": "someone-else"}))),
            "token_audience_refused",
        ),
        (
            "an issuer nobody registered",
            rsa.token_with(
                header("RS256", "r1"),
                with(json!({"iss": "https://evil.example/"})),
            ),
            "token_issuer_untrusted",
        ),
        (
            "no iss",
            rsa.token_with(header("RS256", "r1"), with(json!({"iss": null}))),
            "token_claim_missing",
        ),
        (
            "no sub",
            rsa.token_with(header("RS256", "r1"), with(json!({"sub": null}))),
            "token_claim_missing",
        ),
        (
            "no aud",
            rsa.token_with(header("RS256", "r1"), with(json!({"aud": null}))),
            "token_claim_missing",
        ),
        (
            "no exp",
            rsa.token_with(header("RS256", "r1"), with(json!({"exp": null}))),
            "token_claim_missing",
        ),
        (
            "a sub that is no user id",
            rsa.token_with(header("RS256", "r1"), with(json!({"sub": "a\u{1}b"}))),
            "token_subject_invalid",
        ),
        ("not a JWT", "not-a-token".into(), "token_malformed"),
        ("three empty parts", "..".into(), "token_malformed"),
        (
            "a header that is not JSON",
            format!("{}.{}.{}", b64(b"{nope"), b64(b"{}"), b64(b"x")),
            "token_malformed",
        ),
        (
            "oversized",
            rsa.token_with(
                header("RS256", "r1"),
                with(json!({"pad": "x".repeat(20_000)})),
            ),
            "token_malformed",
        ),
    ];
    let revision = app.revision("acme").await;
    for (what, token, code) in &cases {
        let got = check_token(&app, "acme", &key, token).await;
        assert_eq!(got.status, 401, "{what}: {}", got.body);
        assert_eq!(got.body["code"], *code, "{what}: {}", got.body);
        assert_eq!(fields(&got.body), ["userToken"], "{what}");
        // The same refusal as the bearer credential of `/me`.
        let got = app
            .call(
                Method::POST,
                "/v1/tenants/acme/me/check",
                Some(token),
                Some(json!({"resourceUri": "/docs/d1", "permission": "documents:read"})),
            )
            .await
            .expect_problem(401, code);
        // The token never comes back in the answer.
        assert!(!got.body.to_string().contains(token.as_str()), "{what}");
    }
    // The attacker's URLs were never fetched.
    assert_eq!(attacker_jwks.fetches(), 0);
    // Within the skew: accepted.
    let late = rsa.token_with(header("RS256", "r1"), with(json!({"exp": now() - 30})));
    assert_eq!(
        check_token(&app, "acme", &key, &late)
            .await
            .expect(200)
            .body["allowed"],
        true
    );
    // A good token of acme's issuer on beta, and on a tenant that does not exist: the
    // same refusal (beta trusts no such issuer), nothing learnt about either tenant.
    let good = rsa.token(iss, "ada", json!({}));
    let beta_key = app.key("beta", &["check"]).await;
    check_token(&app, "beta", &beta_key, &good)
        .await
        .expect_problem(401, "token_issuer_untrusted");
    for tenant in ["beta", "nonexistent", "NOT_A_TENANT"] {
        app.call(
            Method::POST,
            &format!("/v1/tenants/{tenant}/me/check"),
            Some(&good),
            Some(json!({"resourceUri": "/docs/d1", "permission": "documents:read"})),
        )
        .await
        .expect_problem(401, "token_issuer_untrusted");
    }
    // Nothing was written by any of it.
    assert_eq!(app.revision("acme").await, revision);
}

async fn fetched_keys_survive_the_issuer_and_refetch_is_bounded(app: TestApp) {
    let key = setup(&app, "acme").await;
    let k1 = TestKey::ec("k1");
    let k2 = TestKey::ec("k2");
    let server = JwksServer::start(jwks(&[&k1])).await;
    let iss = "https://idp.example/";
    register(
        &app,
        "acme",
        "idp",
        issuer(iss, json!(server.url), &["ES256"]),
    )
    .await;

    let first = k1.token(iss, "ada", json!({}));
    check_token(&app, "acme", &key, &first).await.expect(200);
    assert_eq!(server.fetches(), 1);

    // The issuer goes down: tokens of the cached key still verify.
    server.down.store(true, Ordering::SeqCst);
    check_token(&app, "acme", &key, &first).await.expect(200);
    // Once the refetch interval has passed since the first fetch, an unknown kid makes one
    // fetch (which fails), then no more for a while.
    tokio::time::sleep(std::time::Duration::from_millis(5_100)).await;
    let rotated = k2.token(iss, "ada", json!({}));
    check_token(&app, "acme", &key, &rotated)
        .await
        .expect_problem(401, "token_key_unknown");
    assert_eq!(server.fetches(), 2);
    for _ in 0..5 {
        check_token(&app, "acme", &key, &rotated)
            .await
            .expect_problem(401, "token_key_unknown");
    }
    assert_eq!(
        server.fetches(),
        2,
        "unknown kids must not hammer the issuer"
    );
    check_token(&app, "acme", &key, &first).await.expect(200);

    // The issuer is back with the new key: after the refetch interval, one fetch finds it.
    *server.keys.lock().await = jwks(&[&k1, &k2]);
    server.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(5_100)).await;
    check_token(&app, "acme", &key, &rotated).await.expect(200);
    assert_eq!(server.fetches(), 3);

    // An issuer that was never reachable: 503 with Retry-After, not a 401 (the token may
    // be good).
    register(
        &app,
        "acme",
        "down",
        issuer(
            "https://down.example/",
            json!("http://127.0.0.1:9/jwks.json"),
            &["ES256"],
        ),
    )
    .await;
    let got = check_token(
        &app,
        "acme",
        &key,
        &k1.token("https://down.example/", "ada", json!({})),
    )
    .await
    .expect_problem(503, "issuer_unreachable");
    assert!(got.header("retry-after").is_some());

    // Changing the issuer drops its cached keys at once: a key set without k1 refuses it.
    *server.keys.lock().await = jwks(&[&k2]);
    app.put(
        "/v1/tenants/acme/issuers/idp",
        issuer(iss, json!(server.url), &["ES256"]),
    )
    .await
    .expect(200);
    check_token(&app, "acme", &key, &first)
        .await
        .expect_problem(401, "token_key_unknown");
    // Removing it refuses all its tokens.
    app.delete("/v1/tenants/acme/issuers/idp").await.expect(200);
    check_token(&app, "acme", &key, &rotated)
        .await
        .expect_problem(401, "token_issuer_untrusted");
}

async fn sign_out_everywhere_and_suspension_apply_to_tokens(app: TestApp) {
    let key = setup(&app, "acme").await;
    let signer = TestKey::ed("k");
    let iss = "https://idp.example/";
    register(
        &app,
        "acme",
        "idp",
        issuer(iss, jwks(&[&signer]), &["EdDSA"]),
    )
    .await;
    let old = signer.token(iss, "ada", json!({"iat": now() - 60}));
    let no_iat = signer.token(iss, "ada", json!({"iat": null}));
    check_token(&app, "acme", &key, &old).await.expect(200);
    check_token(&app, "acme", &key, &no_iat).await.expect(200);

    // Sign ada out everywhere: tokens issued before now are refused; new ones work.
    let signed_out = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let user = app
        .put(
            "/v1/tenants/acme/users/ada",
            json!({"name": "Ada", "tokensNotBefore": signed_out}),
        )
        .await
        .expect(200);
    assert!(user.body["tokensNotBefore"].as_str().is_some());
    for token in [&old, &no_iat] {
        check_token(&app, "acme", &key, token)
            .await
            .expect_problem(401, "token_revoked");
        app.call(
            Method::GET,
            "/v1/tenants/acme/me/resources?permission=documents:read",
            Some(token),
            None,
        )
        .await
        .expect_problem(401, "token_revoked");
    }
    let fresh = signer.token(iss, "ada", json!({"iat": now() + 1}));
    check_token(&app, "acme", &key, &fresh).await.expect(200);
    // Other users are untouched.
    let bob = signer.token(iss, "bob", json!({"iat": now() - 60}));
    check_token(&app, "acme", &key, &bob).await.expect(200);

    // Suspended: the token is still good, and the answer is a deny that says why.
    app.put(
        "/v1/tenants/acme/users/ada",
        json!({"name": "Ada", "status": "suspended", "statusReason": "left"}),
    )
    .await
    .expect(200);
    let me = app
        .call(
            Method::POST,
            "/v1/tenants/acme/me/check",
            Some(&fresh),
            Some(
                json!({"resourceUri": "/docs/d1", "permission": "documents:read", "explain": true}),
            ),
        )
        .await
        .expect(200);
    assert_eq!(me.body["allowed"], false);
    assert_eq!(me.body["explanation"]["userSuspended"], true);
    // A bad tokensNotBefore is a field error.
    let got = app
        .put(
            "/v1/tenants/acme/users/ada",
            json!({"tokensNotBefore": "yesterday"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(fields(&got.body), ["tokensNotBefore"]);
}

async fn issuers_are_validated_audited_and_isolated(app: TestApp) {
    setup(&app, "acme").await;
    setup(&app, "beta").await;
    let signer = TestKey::rsa("r1");
    let revision = app.revision("acme").await;

    // Every mistake of a save at once.
    let got = app
        .post(
            "/v1/tenants/acme/issuers",
            json!({"name": "", "issuer": "", "audiences": [], "algorithms": [],
                "jwksUrl": "http://idp.example/jwks.json"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        fields(&got.body),
        ["name", "issuer", "audiences", "algorithms", "jwksUrl"]
    );
    for (body, field) in [
        (
            json!({"jwksUrl": "ftp://idp.example/k", "jwks": null}),
            "jwksUrl",
        ),
        (
            json!({"jwksUrl": "https://idp.example/k", "jwks": jwks(&[&signer])}),
            "jwks",
        ),
        (
            json!({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}),
            "jwks",
        ),
        (json!({"jwks": {"keys": []}}), "jwks"),
        (json!({"jwks": {"nokeys": true}}), "jwks"),
        (
            json!({"jwks": {"keys": [{"kty": "RSA", "n": "AQAB"}]}}),
            "jwks",
        ),
    ] {
        let mut request = json!({"name": "IdP", "issuer": "https://idp.example/",
            "audiences": ["portal"], "algorithms": ["RS256"]});
        for (k, v) in body.as_object().unwrap() {
            if !v.is_null() {
                request[k] = v.clone();
            }
        }
        let got = app
            .post("/v1/tenants/acme/issuers", request.clone())
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(fields(&got.body), [field], "{request}");
    }
    // HMAC and `none` are not algorithms an issuer can be given.
    for alg in ["HS256", "none", "RS512"] {
        app.post(
            "/v1/tenants/acme/issuers",
            issuer("https://idp.example/", jwks(&[&signer]), &[alg]),
        )
        .await
        .expect_problem(422, "validation_failed");
    }
    assert_eq!(app.revision("acme").await, revision);

    // Created, read back, one per `iss`, audited.
    let created = app
        .post(
            "/v1/tenants/acme/issuers",
            issuer("https://idp.example/", jwks(&[&signer]), &["RS256"]),
        )
        .await
        .expect(201);
    let id = created.body["issuerId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("iss_"), "{id}");
    let got = app
        .get(&format!("/v1/tenants/acme/issuers/{id}"))
        .await
        .expect(200);
    assert_eq!(got.body["jwks"], jwks(&[&signer]));
    assert_eq!(got.body["algorithms"], json!(["RS256"]));
    app.put(
        "/v1/tenants/acme/issuers/second",
        issuer("https://idp.example/", jwks(&[&signer]), &["RS256"]),
    )
    .await
    .expect_problem(409, "already_exists");
    let listed = app.get("/v1/tenants/acme/issuers").await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let audit = app
        .get("/v1/tenants/acme/audit?targetKind=issuer")
        .await
        .expect(200);
    assert_eq!(audit.body["items"][0]["action"], "issuer.create");

    // Another tenant's key, and a token of acme's issuer, reach none of it; beta's own
    // issuer with the same `iss` is its own.
    let beta = app.key("beta", &["read", "write"]).await;
    for (method, body) in [
        (Method::GET, None),
        (
            Method::PUT,
            Some(issuer("https://x.example/", jwks(&[&signer]), &["RS256"])),
        ),
        (Method::DELETE, None),
    ] {
        app.call(
            method,
            &format!("/v1/tenants/acme/issuers/{id}"),
            Some(&beta),
            body,
        )
        .await
        .expect_problem(404, "not_found");
    }
    let token = signer.token("https://idp.example/", "ada", json!({}));
    app.call(Method::GET, "/v1/tenants/acme/issuers", Some(&token), None)
        .await
        .expect_problem(401, "unauthenticated");
    app.call(
        Method::PUT,
        "/v1/tenants/beta/issuers/idp",
        Some(&beta),
        Some(issuer("https://idp.example/", jwks(&[&signer]), &["RS256"])),
    )
    .await
    .expect(201);
    assert_eq!(
        app.get(&format!("/v1/tenants/acme/issuers/{id}"))
            .await
            .expect(200)
            .body["issuerId"],
        id.as_str()
    );
}

async fn users_give_what_they_may_through_me_records(app: TestApp) {
    let key = setup(&app, "acme").await;
    let signer = TestKey::ec("k");
    let iss = "https://idp.example/";
    register(
        &app,
        "acme",
        "idp",
        issuer(iss, jwks(&[&signer]), &["ES256"]),
    )
    .await;
    // Ada owns project p1: she may grant reading and commenting there, delegate sharing.
    app.put(
        "/v1/tenants/acme/roles/owner",
        json!({"name": "Owner", "permissions": [
            {"action": "documents:read", "allow": true, "grant": true},
            {"action": "documents:share", "allow": true, "delegate": true}]}),
    )
    .await
    .expect(201);
    app.put(
        "/v1/tenants/acme/roles/editor",
        json!({"name": "Editor", "permissions": [{"action": "documents:edit"}]}),
    )
    .await
    .expect(201);
    app.put("/v1/tenants/acme/roles/sharer", json!({"name": "Sharer", "permissions": [{"action": "documents:share", "allow": false, "grant": true}]}))
        .await
        .expect(201);
    app.put(
        "/v1/tenants/acme/records/ada-owns-p1",
        json!({"name": "Ada owns p1", "users": ["ada"], "statements": [{"roles": ["owner"], "resources": ["/projects/p1"]}]}),
    )
    .await
    .expect(201);
    let ada = signer.token(iss, "ada", json!({}));
    let bob = signer.token(iss, "bob", json!({}));
    let me_records = "/v1/tenants/acme/me/records";
    let share = |roles: Value, resource: &str| json!({"name": "shared", "users": ["bob"], "statements": [{"roles": roles, "resources": [resource]}]});
    let bob_reads = || async {
        app.check(
            "acme",
            &key,
            json!({"userId": "bob", "resourceUri": "/projects/p1/d1", "permission": "documents:read"}),
        )
        .await["allowed"]
            .clone()
    };
    assert_eq!(bob_reads().await, false);

    // Within her rights: reading a document of p1, and `grant` of sharing (she delegates it).
    let before = app.revision("acme").await;
    let written = app
        .call(
            Method::POST,
            me_records,
            Some(&ada),
            Some(share(json!(["viewer"]), "/projects/p1/d1")),
        )
        .await
        .expect(201);
    assert_eq!(written.body["delegatedBy"], "ada");
    let record_id = written.body["recordId"].as_str().unwrap().to_owned();
    assert_eq!(bob_reads().await, true);
    app.call(
        Method::POST,
        me_records,
        Some(&ada),
        Some(share(json!(["sharer"]), "/projects/p1")),
    )
    .await
    .expect(201);

    // Beyond them: a broader resource, an action she cannot grant, `grant` of what she
    // only grants, a wildcard, `delegate` itself; every gift named, nothing written.
    let revision = app.revision("acme").await;
    for (body, fields_expected) in [
        (
            share(json!(["viewer"]), "/projects"),
            vec!["statements[0].roles[0]"],
        ),
        (
            share(json!(["editor"]), "/projects/p1"),
            vec!["statements[0].roles[0]"],
        ),
        (
            share(json!(["viewer", "owner"]), "/projects/p1"),
            vec!["statements[0].roles[1]", "statements[0].roles[1]"],
        ),
        (
            share(json!(["viewer"]), "/projects/*"),
            vec!["statements[0].resources[0]"],
        ),
    ] {
        let got = app
            .call(Method::POST, me_records, Some(&ada), Some(body.clone()))
            .await
            .expect_problem(403, "delegation_exceeded");
        assert_eq!(fields(&got.body), fields_expected, "{body}");
    }
    // Bob holds nothing, so gives nothing; a malformed record is the usual 422.
    app.call(
        Method::POST,
        me_records,
        Some(&bob),
        Some(share(json!(["viewer"]), "/projects/p1")),
    )
    .await
    .expect_problem(403, "delegation_exceeded");
    let got = app
        .call(Method::POST, me_records, Some(&ada), Some(json!({"name": "", "users": ["bob"], "statements": [{"roles": ["ghost"], "resources": ["/projects/p1"]}]})))
        .await;
    assert_eq!(got.status, 422, "{}", got.body);
    assert_eq!(app.revision("acme").await, revision);

    // Her records, and only hers, are listed and hers to delete; the audit names her.
    let mine = app
        .call(Method::GET, me_records, Some(&ada), None)
        .await
        .expect(200);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);
    let theirs = app
        .call(Method::GET, me_records, Some(&bob), None)
        .await
        .expect(200);
    assert_eq!(theirs.body["items"], json!([]));
    let audit = app
        .get(&format!(
            "/v1/tenants/acme/audit?targetKind=record&targetId={record_id}"
        ))
        .await
        .expect(200);
    assert_eq!(
        audit.body["items"][0]["actor"],
        json!({"kind": "user", "id": "ada"})
    );
    assert!(audit.body["items"][0]["revision"].as_i64().unwrap() > before);
    for (token, id) in [
        (&bob, record_id.as_str()),
        (&ada, "ada-owns-p1"),
        (&ada, "ada"),
    ] {
        app.call(
            Method::DELETE,
            &format!("{me_records}/{id}"),
            Some(token),
            None,
        )
        .await
        .expect_problem(404, "not_found");
    }
    app.call(
        Method::DELETE,
        &format!("{me_records}/{record_id}"),
        Some(&ada),
        None,
    )
    .await
    .expect(200);
    assert_eq!(bob_reads().await, false);

    // Rights are read at the write: once Ada loses ownership she can give nothing more.
    app.delete("/v1/tenants/acme/records/ada-owns-p1")
        .await
        .expect(200);
    app.call(
        Method::POST,
        me_records,
        Some(&ada),
        Some(share(json!(["viewer"]), "/projects/p1/d1")),
    )
    .await
    .expect_problem(403, "delegation_exceeded");
    // An API key is not a user: `/me/records` refuses it, and another tenant's token too.
    app.call(Method::GET, me_records, Some(&key), None)
        .await
        .expect_problem(401, "unauthenticated");
    app.call(Method::GET, "/v1/tenants/beta/me/records", Some(&ada), None)
        .await
        .expect_problem(401, "token_issuer_untrusted");
}

/// Every decision an app with a `check` key asks may name its user by token: the GET
/// forms with the path's user `@token` and the token in `Portcullis-User-Token`, and
/// AuthZEN with a subject of type `identity_token` (evaluation, evaluations, the resource
/// and action searches). A refused token is a 401 naming where it was, or one item's own
/// error in an `evaluations` batch; a token never speaks for another tenant.
async fn an_app_asks_every_decision_with_a_users_token(app: TestApp) {
    let key = setup(&app, "acme").await;
    let other = setup(&app, "globex").await;
    let signer = TestKey::ec("e1");
    register(
        &app,
        "acme",
        "idp",
        issuer("https://idp.example/", jwks(&[&signer]), &["ES256"]),
    )
    .await;
    let ada = signer.token("https://idp.example/", "ada", json!({}));
    let bob = signer.token("https://idp.example/", "bob", json!({}));
    let forged = TestKey::ec("e1").token("https://idp.example/", "ada", json!({}));
    let get = |path: String, key: &str, token: Option<&str>| {
        let app = &app;
        let key = key.to_owned();
        let token = token.map(str::to_owned);
        async move {
            let headers: Vec<(&str, &str)> = token
                .as_deref()
                .map(|t| ("Portcullis-User-Token", t))
                .into_iter()
                .collect();
            app.call_with(Method::GET, &path, Some(&key), None, &headers)
                .await
        }
    };

    // The GET forms: the permission URL, the effective permissions, the reachable resources.
    let url = "/v1/tenants/acme/users/@token/resources/%2Fdocs%2Fd1/permissions";
    let allowed = get(format!("{url}/documents:read"), &key, Some(&ada))
        .await
        .expect(200);
    assert_eq!(allowed.body["userId"], "ada");
    get(format!("{url}/documents:read"), &key, Some(&bob))
        .await
        .expect_problem(404, "not_allowed");
    let permissions = get(url.to_owned(), &key, Some(&ada)).await.expect(200);
    assert_eq!(permissions.body["userId"], "ada");
    assert_eq!(
        permissions.body["permissions"][0]["action"],
        "documents:read"
    );
    let reachable = "/v1/tenants/acme/users/@token/resources?permission=documents:read";
    let found = get(reachable.to_owned(), &key, Some(&ada))
        .await
        .expect(200);
    assert_eq!(
        found.body["items"],
        json!([{"resourceUri": "/docs", "grants": [{"recordId": "ada", "via": {"kind": "user", "id": "ada"}}]}])
    );
    // `@token` without a token, a token with a named user: 400 naming the header.
    for (path, token) in [
        (reachable.to_owned(), None),
        (
            "/v1/tenants/acme/users/ada/resources?permission=documents:read".to_owned(),
            Some(ada.as_str()),
        ),
        (format!("{url}/documents:read"), None),
    ] {
        let refused = get(path, &key, token)
            .await
            .expect_problem(400, "invalid_check");
        assert_eq!(fields(&refused.body), ["portcullis-user-token"]);
    }
    // A forged token, and acme's token on globex (which trusts no issuer): 401.
    let refused = get(reachable.to_owned(), &key, Some(&forged))
        .await
        .expect_problem(401, "token_signature_invalid");
    assert_eq!(fields(&refused.body), ["portcullis-user-token"]);
    get(
        "/v1/tenants/globex/users/@token/resources?permission=documents:read".to_owned(),
        &other,
        Some(&ada),
    )
    .await
    .expect_problem(401, "token_issuer_untrusted");

    // AuthZEN: the subject is the token's `sub`, named in the decision's context.
    let base = "/v1/tenants/acme/access/v1";
    let asked = |token: &str| {
        json!({"subject": {"type": "identity_token", "id": token},
            "resource": {"type": "doc", "id": "/docs/d1"}, "action": {"name": "documents:read"}})
    };
    let decision = app
        .call(
            Method::POST,
            &format!("{base}/evaluation"),
            Some(&key),
            Some(asked(&ada)),
        )
        .await
        .expect(200);
    assert_eq!(decision.body["decision"], true);
    assert_eq!(decision.body["context"]["user_id"], "ada");
    let refused = app
        .call(
            Method::POST,
            &format!("{base}/evaluation"),
            Some(&key),
            Some(asked(&forged)),
        )
        .await
        .expect_problem(401, "token_signature_invalid");
    assert_eq!(fields(&refused.body), ["subject.id"]);
    app.call(
        Method::POST,
        "/v1/tenants/globex/access/v1/evaluation",
        Some(&other),
        Some(asked(&ada)),
    )
    .await
    .expect_problem(401, "token_issuer_untrusted");
    // In a batch a refused token is its item's error; the others are decided.
    let batch = app
        .call(
            Method::POST,
            &format!("{base}/evaluations"),
            Some(&key),
            Some(json!({"evaluations": [asked(&ada), asked(&forged), asked(&bob)]})),
        )
        .await
        .expect(200);
    let items = batch.body["evaluations"].as_array().unwrap();
    assert_eq!(items[0]["decision"], true);
    assert_eq!(items[1]["decision"], false);
    assert_eq!(items[1]["context"]["error"]["status"], 401);
    assert!(
        items[1]["context"]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("evaluations[1].subject.id: "),
        "{}",
        batch.body
    );
    assert_eq!(items[2]["decision"], false);
    assert!(items[2]["context"]["error"].is_null());
    // The searches that take a subject.
    let resources = app
        .call(
            Method::POST,
            &format!("{base}/search/resource"),
            Some(&key),
            Some(json!({"subject": {"type": "identity_token", "id": ada},
                "action": {"name": "documents:read"}, "resource": {"type": "docs"}})),
        )
        .await
        .expect(200);
    assert_eq!(resources.body["results"], json!([]));
    let actions = app
        .call(
            Method::POST,
            &format!("{base}/search/action"),
            Some(&key),
            Some(json!({"subject": {"type": "identity_token", "id": ada},
                "resource": {"type": "doc", "id": "/docs/d1"}})),
        )
        .await
        .expect(200);
    assert_eq!(actions.body["results"], json!([{"name": "documents:read"}]));
    app.call(
        Method::POST,
        &format!("{base}/search/action"),
        Some(&key),
        Some(json!({"subject": {"type": "identity_token", "id": forged},
            "resource": {"type": "doc", "id": "/docs/d1"}})),
    )
    .await
    .expect_problem(401, "token_signature_invalid");
}

/// The issuers and the users' sign-outs a token is verified against are each replica's
/// decision index: a change through one replica is in force on the next request to
/// another, and a replica started later builds them from the database.
async fn token_changes_reach_every_replica(first: TestApp) {
    let a = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    let b = TestApp::spawn_on(first.db.clone(), |config| config.cluster = true).await;
    drop(first);
    let key = setup(&a, "acme").await;
    let signer = TestKey::ed("k");
    let iss = "https://idp.example/";
    let ada = signer.token(iss, "ada", json!({"iat": now() - 60}));
    // B has built its index before the issuer exists.
    check_token(&b, "acme", &key, &ada)
        .await
        .expect_problem(401, "token_issuer_untrusted");
    register(&a, "acme", "idp", issuer(iss, jwks(&[&signer]), &["EdDSA"])).await;
    check_token(&b, "acme", &key, &ada).await.expect(200);

    // Signed out through A: refused on B at once.
    let signed_out = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    a.put(
        "/v1/tenants/acme/users/ada",
        json!({"name": "Ada", "tokensNotBefore": signed_out}),
    )
    .await
    .expect(200);
    check_token(&b, "acme", &key, &ada)
        .await
        .expect_problem(401, "token_revoked");
    let c = TestApp::spawn_on(a.db.clone(), |config| config.cluster = true).await;
    check_token(&c, "acme", &key, &ada)
        .await
        .expect_problem(401, "token_revoked");
    let fresh = signer.token(iss, "ada", json!({"iat": now() + 1}));
    check_token(&c, "acme", &key, &fresh).await.expect(200);

    // The issuer moves to another `iss` through A, then is deleted: B follows each step.
    a.put(
        "/v1/tenants/acme/issuers/idp",
        issuer("https://moved.example/", jwks(&[&signer]), &["EdDSA"]),
    )
    .await
    .expect(200);
    check_token(&b, "acme", &key, &fresh)
        .await
        .expect_problem(401, "token_issuer_untrusted");
    let moved = signer.token("https://moved.example/", "ada", json!({"iat": now() + 1}));
    check_token(&b, "acme", &key, &moved).await.expect(200);
    a.delete("/v1/tenants/acme/issuers/idp").await.expect(200);
    check_token(&b, "acme", &key, &moved)
        .await
        .expect_problem(401, "token_issuer_untrusted");
    check_token(&c, "acme", &key, &moved)
        .await
        .expect_problem(401, "token_issuer_untrusted");
}
