//! The real binary: it starts with nothing configured, stops cleanly on SIGTERM, and what
//! it acknowledged is there after a restart.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{ADMIN, Db, TestDb};

struct Server {
    child: Child,
    base: String,
    /// Everything the server logged so far.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(data_dir: &std::path::Path, database_url: Option<&str>) -> Server {
    start_with(data_dir, database_url, &[]).await
}

/// Starts the binary on a port of its own choosing (`127.0.0.1:0`) and reads the address
/// from its "listening" log line: a port picked here and bound there could be taken in
/// between by another server of this test run, and the test would talk to that one.
async fn start_with(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
    env: &[(&str, &str)],
) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    command
        .arg("serve")
        .env("PORTCULLIS_LISTEN", "127.0.0.1:0")
        .env("PORTCULLIS_DATA_DIR", data_dir)
        .env("PORTCULLIS_ADMIN_TOKEN", ADMIN)
        .env_remove("PORTCULLIS_DATABASE_URL")
        .env_remove("PORTCULLIS_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(url) = database_url {
        command.env("PORTCULLIS_DATABASE_URL", url);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (address, found) = std::sync::mpsc::channel();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let kept = log.clone();
    // Reads the log until the address, then keeps it, so the server never blocks on it.
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut address = Some(address);
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            kept.lock().unwrap().push_str(&line);
            kept.lock().unwrap().push('\n');
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '\u{1b}')
                    .unwrap_or(rest.len());
                if let Some(address) = address.take() {
                    let _ = address.send(rest[..end].to_owned());
                }
            }
        }
    });
    let address = found
        .recv_timeout(Duration::from_secs(30))
        .expect("the server logged no address within 30 s");
    let base = format!("http://{address}");
    let started = Instant::now();
    let client = crate::helpers::http().build().unwrap();
    while client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base, log }
}

fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(
                exit.success(),
                "the server exited with {exit} after SIGTERM"
            );
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn data_survives_a_restart(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let client = crate::helpers::http().build().unwrap();
    let server = start(dir.path(), database_url).await;
    let created = client
        .post(format!("{}/v1/tenants", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({"tenantId": "acme", "name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let role = client
        .put(format!("{}/v1/tenants/acme/roles/editor", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({"name": "Editor", "permissions": [{"action": "documents:*"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(role.status(), 201);
    let record = client
        .put(format!("{}/v1/tenants/acme/records/ada", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({"name": "Ada", "users": ["ada"], "statements": [{"roles": ["editor"], "resources": ["/docs"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(record.status(), 201);
    stop(server);
    if database_url.is_none() {
        assert!(
            dir.path().join("portcullis.db").exists(),
            "the SQLite file lives in the data directory"
        );
    }

    let server = start(dir.path(), database_url).await;
    let role = client
        .get(format!("{}/v1/tenants/acme/roles/editor", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(role.status(), 200);
    let role: serde_json::Value = role.json().await.unwrap();
    assert_eq!(role["permissions"][0]["action"], "documents:*");
    assert_eq!(role["revision"], 2);
    // The decision index is rebuilt from the database.
    let check = client
        .post(format!("{}/v1/tenants/acme/check", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
    let check: serde_json::Value = check.json().await.unwrap();
    assert_eq!(check["allowed"], true);
    assert_eq!(check["revision"], 3);
    stop(server);
}

#[tokio::test]
async fn sqlite_data_survives_a_restart() {
    data_survives_a_restart(None).await;
}

#[tokio::test]
async fn postgres_data_survives_a_restart() {
    if let Some(db) = TestDb::create(Db::Postgres).await {
        data_survives_a_restart(Some(&db.url)).await;
    }
}

#[tokio::test]
async fn first_start_prints_an_admin_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = |dir: &std::path::Path| {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .arg("serve")
            .env("PORTCULLIS_LISTEN", format!("127.0.0.1:{port}"))
            .env("PORTCULLIS_DATA_DIR", dir)
            .env_remove("PORTCULLIS_ADMIN_TOKEN")
            .env_remove("PORTCULLIS_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(50));
        }
        stop(Server {
            child,
            base: String::new(),
            log: Default::default(),
        });
        reader.join().unwrap()
    };
    let first = run(dir.path());
    let token = first
        .split_whitespace()
        .find(|w| w.starts_with("pcadmin_"))
        .expect("the first start prints the admin token")
        .to_owned();
    let second = run(dir.path());
    assert!(
        !second.contains("pcadmin_"),
        "the token is printed on the first start only"
    );
    assert!(
        second.contains("listening on http://127.0.0.1:"),
        "the address is logged"
    );
    // The first start also creates a platform admin account for the console.
    let password = first
        .lines()
        .find_map(|line| line.trim().strip_prefix("password: "))
        .expect("the first start prints the console password")
        .to_owned();
    assert!(first.contains("username: admin"));
    assert!(
        !second.contains("password: "),
        "printed on the first start only"
    );
    // Only hashes are stored.
    let db = std::fs::read(dir.path().join("portcullis.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(&token));
    assert!(!String::from_utf8_lossy(&db).contains(&password));

    // `portcullis admin create-user` adds an account, its password read from stdin.
    let mut create = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["admin", "create-user", "carol", "--password-stdin"])
        .env("PORTCULLIS_DATA_DIR", dir.path())
        .env_remove("PORTCULLIS_DATABASE_URL")
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = create.stdin.take().unwrap();
        stdin.write_all(b"carols long password\n").unwrap();
    }
    assert!(create.wait().unwrap().success());
    let server = start(dir.path(), None).await;
    let client = crate::helpers::http().build().unwrap();
    for (username, password) in [
        ("admin", password.as_str()),
        ("carol", "carols long password"),
    ] {
        let signed_in = client
            .post(format!("{}/v1/session", server.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 200, "{username} signs in");
    }
    stop(server);
}

/// Two server processes on one database: a revocation acknowledged by one is in force on
/// the other for the very next request, trial after trial.
async fn two_processes_never_answer_stale(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = [("PORTCULLIS_CLUSTER", "true")];
    let a = start_with(dir.path(), database_url, &cluster).await;
    let b = start_with(dir.path(), database_url, &cluster).await;
    let client = crate::helpers::http().build().unwrap();
    let send = |method: reqwest::Method, base: &str, path: &str, body: serde_json::Value| {
        client
            .request(method, format!("{base}{path}"))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
    };
    let put = reqwest::Method::PUT;
    let status = send(
        reqwest::Method::POST,
        &a.base,
        "/v1/tenants",
        json!({"tenantId": "acme", "name": "A"}),
    )
    .await
    .unwrap()
    .status();
    assert_eq!(status, 201);
    let role = json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]});
    assert_eq!(
        send(put.clone(), &a.base, "/v1/tenants/acme/roles/viewer", role)
            .await
            .unwrap()
            .status(),
        201
    );
    let check = json!({"userId": "ada", "resourceUri": "/docs/d1", "permission": "documents:read"});
    let allowed_on_b = || async {
        let answer = send(
            reqwest::Method::POST,
            &b.base,
            "/v1/tenants/acme/check",
            check.clone(),
        )
        .await
        .unwrap();
        assert_eq!(answer.status(), 200);
        answer.json::<serde_json::Value>().await.unwrap()["allowed"]
            .as_bool()
            .unwrap()
    };
    let mut stale = 0;
    for _ in 0..20 {
        let record = json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]});
        assert_eq!(
            send(put.clone(), &a.base, "/v1/tenants/acme/records/r", record)
                .await
                .unwrap()
                .status(),
            201
        );
        assert!(
            allowed_on_b().await,
            "a grant acknowledged by A is in force on B"
        );
        let revoke = client
            .delete(format!("{}/v1/tenants/acme/records/r", a.base))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(revoke.status(), 200);
        if allowed_on_b().await {
            stale += 1;
        }
    }
    assert_eq!(
        stale, 0,
        "stale allows on B after a revocation acknowledged by A"
    );
    stop(a);
    stop(b);
}

#[tokio::test]
async fn two_sqlite_processes_never_answer_stale() {
    two_processes_never_answer_stale(None).await;
}

#[tokio::test]
async fn two_postgres_processes_never_answer_stale() {
    if let Some(db) = TestDb::create(Db::Postgres).await {
        two_processes_never_answer_stale(Some(&db.url)).await;
    }
}

/// Identity tokens, good and bad, never reach the log, even at `debug` (SPEC §6: every
/// refusal says which check failed and logs no token).
#[tokio::test]
async fn identity_tokens_never_reach_the_log() {
    use crate::keys::{TestKey, jwks};
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), None, &[("RUST_LOG", "debug")]).await;
    let client = crate::helpers::http().build().unwrap();
    let call = |method: reqwest::Method, path: &str, token: &str, body: serde_json::Value| {
        client
            .request(method, format!("{}{path}", server.base))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let signer = TestKey::ec("k1");
    call(
        reqwest::Method::POST,
        "/v1/tenants",
        ADMIN,
        serde_json::json!({"tenantId": "acme", "name": "Acme"}),
    )
    .await
    .unwrap();
    for (id, keys) in [
        ("idp", serde_json::json!({"jwks": jwks(&[&signer])})),
        (
            "down",
            serde_json::json!({"jwksUrl": "http://127.0.0.1:9/jwks.json"}),
        ),
    ] {
        let mut body = serde_json::json!({"name": id, "issuer": format!("https://{id}.example/"),
            "audiences": ["portal"], "algorithms": ["ES256"]});
        body.as_object_mut()
            .unwrap()
            .extend(keys.as_object().unwrap().clone());
        let r = call(
            reqwest::Method::PUT,
            &format!("/v1/tenants/acme/issuers/{id}"),
            ADMIN,
            body,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
    }
    let good = signer.token("https://idp.example/", "ada", serde_json::json!({}));
    let expired = signer.token("https://idp.example/", "ada", serde_json::json!({"exp": 1}));
    let unreachable = signer.token("https://down.example/", "ada", serde_json::json!({}));
    let tokens = [&good, &expired, &unreachable];
    for token in tokens {
        call(
            reqwest::Method::POST,
            "/v1/tenants/acme/me/check",
            token,
            serde_json::json!({"resourceUri": "/docs/d1", "permission": "documents:read"}),
        )
        .await
        .unwrap();
        call(reqwest::Method::POST, "/v1/tenants/acme/check", ADMIN,
            serde_json::json!({"userToken": token, "resourceUri": "/docs/d1", "permission": "documents:read"}))
            .await
            .unwrap();
        call(
            reqwest::Method::POST,
            "/v1/tenants/acme/access/v1/evaluation",
            ADMIN,
            serde_json::json!({"subject": {"type": "identity_token", "id": token},
                "resource": {"type": "doc", "id": "d1"}, "action": {"name": "documents:read"}}),
        )
        .await
        .unwrap();
        client
            .get(format!(
                "{}/v1/tenants/acme/users/@token/resources?permission=documents:read",
                server.base
            ))
            .bearer_auth(ADMIN)
            .header("Portcullis-User-Token", token.as_str())
            .send()
            .await
            .unwrap();
    }
    // The requests were logged (so the log was being written), the tokens were not.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains("/me/check"),
        "the requests are in the log:\n{log}"
    );
    assert!(
        log.contains("JWKS fetch failed"),
        "the failing fetch is in the log:\n{log}"
    );
    for token in tokens {
        for part in token.split('.') {
            assert!(!log.contains(part), "a token's part reached the log");
        }
    }
}

/// The CLI's `export` and `import` move a tenant through a running server (each makes an
/// HTTP client, so this also holds the binary to installing its TLS crypto provider).
#[tokio::test]
async fn the_cli_exports_and_imports_a_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), None, &[]).await;
    let client = crate::helpers::http().build().unwrap();
    let put = |path: &str, body: serde_json::Value| {
        client
            .put(format!("{}{path}", server.base))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
    };
    for tenant in ["acme", "copy"] {
        let r = client
            .post(format!("{}/v1/tenants", server.base))
            .bearer_auth(ADMIN)
            .json(&serde_json::json!({"tenantId": tenant, "name": tenant}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    put(
        "/v1/tenants/acme/roles/viewer",
        serde_json::json!({"name": "Viewer", "permissions": [{"action": "documents:read"}]}),
    )
    .await
    .unwrap();
    put("/v1/tenants/acme/records/r1", serde_json::json!({"name": "R", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}))
        .await
        .unwrap();
    let file = dir.path().join("acme.ndjson");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(args)
            .args(["--url", &server.base, "--token", ADMIN])
            .env_remove("PORTCULLIS_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "portcullis {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["export", "--tenant", "acme", file.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&file).unwrap();
    assert!(
        exported.contains("\"viewer\"") && exported.contains("\"r1\""),
        "{exported}"
    );
    run(&["import", "--tenant", "copy", file.to_str().unwrap()]);
    let r = client
        .get(format!("{}/v1/tenants/copy/records/r1", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
