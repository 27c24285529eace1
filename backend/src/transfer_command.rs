//! `portcullis export` and `portcullis import`: a tenant moved in bulk through a running
//! server's `/v1/tenants/{tenantId}/export` and `/import` (so the server's decision index,
//! its audit log and its credentials apply as they do to any client), streamed both ways
//! with a progress bar on standard error.
//!
//! The server is `--url` (default: the configured listen address, over `http://`); the
//! credential is `--token`, else `PORTCULLIS_TOKEN`, else the configured admin token. The
//! client speaks plain HTTP only: for a server behind TLS, use `curl` with the same two
//! endpoints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where and as whom to call the server.
pub struct Target {
    /// The server's base URL.
    pub url: String,
    /// The bearer credential.
    pub token: String,
}

impl Target {
    /// The target from the command line, the environment and the configuration.
    pub fn new(
        url: Option<String>,
        token: Option<String>,
        config: &portcullis::config::Config,
    ) -> Result<Self, String> {
        let url = url.unwrap_or_else(|| {
            let listen = config.listen.replace("0.0.0.0", "127.0.0.1");
            format!("http://{listen}")
        });
        let token = token
            .or_else(|| config.admin_token.as_ref().map(|t| t.expose().to_owned()))
            .ok_or(
                "no credential: pass --token, or set PORTCULLIS_TOKEN or PORTCULLIS_ADMIN_TOKEN",
            )?;
        Ok(Self {
            url: url.trim_end_matches('/').to_owned(),
            token,
        })
    }
}

fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// The server's refusal in words: status, code, detail and field errors.
async fn refusal(response: reqwest::Response) -> String {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let mut text = format!(
        "the server answered {status}: {} ({})",
        body["detail"].as_str().unwrap_or("no detail"),
        body["code"].as_str().unwrap_or("no code")
    );
    for error in body["errors"].as_array().into_iter().flatten() {
        text.push_str(&format!(
            "\n  {}: {}",
            error["field"].as_str().unwrap_or(""),
            error["message"].as_str().unwrap_or("")
        ));
    }
    text
}

/// Writes the tenant's export to `out` (standard output for `-` or none).
pub async fn export(target: &Target, tenant: &str, out: Option<&Path>) -> Result<(), String> {
    let response = reqwest::Client::new()
        .get(format!("{}/v1/tenants/{tenant}/export", target.url))
        .bearer_auth(&target.token)
        .send()
        .await
        .map_err(|e| format!("cannot reach the server at {}: {e}", target.url))?;
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let revision = response
        .headers()
        .get("portcullis-revision")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let mut sink: Box<dyn tokio::io::AsyncWrite + Unpin> = match out {
        Some(path) if path != Path::new("-") => Box::new(
            tokio::fs::File::create(path)
                .await
                .map_err(|e| format!("cannot create `{}`: {e}", path.display()))?,
        ),
        _ => Box::new(tokio::io::stdout()),
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(bar_style("{spinner} {bytes} ({bytes_per_sec}) {msg}"));
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut lines = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("the export broke off: {e}"))?;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        sink.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot write the export: {e}"))?;
        bar.inc(chunk.len() as u64);
        bar.set_message(format!("{lines} lines"));
    }
    sink.flush()
        .await
        .map_err(|e| format!("cannot write the export: {e}"))?;
    bar.finish_and_clear();
    eprintln!(
        "exported tenant `{tenant}` at revision {revision}: {} objects",
        lines.saturating_sub(1)
    );
    Ok(())
}

/// Sends `file` as an import into the tenant.
pub async fn import(target: &Target, tenant: &str, file: &PathBuf) -> Result<(), String> {
    let opened = tokio::fs::File::open(file)
        .await
        .map_err(|e| format!("cannot open `{}`: {e}", file.display()))?;
    let size = opened
        .metadata()
        .await
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?
        .len();
    let bar = ProgressBar::new(size);
    bar.set_style(bar_style(
        "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
    ));
    let sent = bar.clone();
    let chunks = futures_util::stream::unfold(opened, move |mut file| {
        let sent = sent.clone();
        async move {
            let mut buffer = vec![0u8; 256 * 1024];
            match file.read(&mut buffer).await {
                Ok(0) => {
                    sent.set_message("the server validates and writes…");
                    None
                }
                Ok(n) => {
                    buffer.truncate(n);
                    sent.inc(n as u64);
                    Some((Ok::<_, std::io::Error>(buffer), file))
                }
                Err(error) => Some((Err(error), file)),
            }
        }
    });
    let response = reqwest::Client::new()
        .post(format!("{}/v1/tenants/{tenant}/import", target.url))
        .bearer_auth(&target.token)
        .header("content-type", "application/x-ndjson")
        .header("content-length", size)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .map_err(|e| format!("cannot send the import to {}: {e}", target.url))?;
    bar.finish_and_clear();
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("unreadable answer: {e}"))?;
    let counts: Vec<String> = body["counts"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    eprintln!(
        "imported into tenant `{tenant}` as revision {}: {}",
        body["revision"],
        counts.join(", ")
    );
    Ok(())
}
