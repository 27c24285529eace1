//! Issuers' public keys: a JWKS document parsed into the keys tokens may name, and the
//! per-issuer cache of fetched sets.
//!
//! The cache, per (tenant, issuer id, issuer revision): inline keys are parsed once; a
//! fetched set is fetched on first use and refreshed after [`REFRESH_AFTER`] in the
//! background of the request that finds it old (that request still uses the old set); a
//! token naming a `kid` the set lacks makes one
//! fetch at once, at most every [`MIN_REFETCH`] per issuer (so unknown `kid`s cannot make
//! Portcullis hammer an issuer); concurrent misses wait for one fetch. A failed fetch
//! keeps the last good set. A fetch takes at most [`FETCH_TIMEOUT`] and reads at most
//! [`MAX_JWKS_BYTES`]; redirects are not followed. A changed issuer (new revision) starts a
//! fresh entry; at most [`MAX_ENTRIES`] entries are kept (the oldest used go first).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};

use super::TokenError;
use crate::domain::{Issuer, IssuerKeys, TokenAlgorithm};

/// A fetched set is refreshed after this long.
pub const REFRESH_AFTER: Duration = Duration::from_secs(10 * 60);
/// An unknown `kid` refetches the set at most this often per issuer.
pub const MIN_REFETCH: Duration = Duration::from_secs(5);
/// The longest a JWKS fetch may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWKS document read.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The most keys one set may hold.
pub const MAX_KEYS: usize = 100;
/// The most issuers whose keys are cached at once.
pub const MAX_ENTRIES: usize = 10_000;

/// One usable public key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    /// The algorithm its JWK pins, if it pins one.
    alg: Option<TokenAlgorithm>,
    /// The algorithm its type can verify.
    fits: TokenAlgorithm,
    key: DecodingKey,
}

/// The keys of one issuer that can verify its tokens.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (&k.kid, k.fits)))
            .finish()
    }
}

/// The algorithm a JWK's type and curve can verify, of those Portcullis accepts.
fn fits(jwk: &Jwk) -> Result<TokenAlgorithm, String> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Ok(TokenAlgorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Ok(TokenAlgorithm::ES256)
        }
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Ok(TokenAlgorithm::EdDSA)
        }
        AlgorithmParameters::OctetKey(_) => Err(
            "symmetric (`oct`) keys are never accepted: anyone holding one could forge tokens"
                .into(),
        ),
        _ => Err("only RSA, P-256 and Ed25519 public keys are accepted".into()),
    }
}

fn pinned(alg: &KeyAlgorithm) -> Result<TokenAlgorithm, String> {
    match alg {
        KeyAlgorithm::RS256 => Ok(TokenAlgorithm::RS256),
        KeyAlgorithm::ES256 => Ok(TokenAlgorithm::ES256),
        KeyAlgorithm::EdDSA => Ok(TokenAlgorithm::EdDSA),
        other => Err(format!(
            "the key is for `{other:?}`, which is never accepted"
        )),
    }
}

impl KeySet {
    /// The keys of a JWKS document. `strict` (a set given inline, checked when it is
    /// saved): every key must be usable, or the error names the first that is not. Not
    /// strict (a set fetched from an issuer, which may publish keys for other uses): keys
    /// that cannot verify tokens here are left out.
    pub fn parse(document: &serde_json::Value, strict: bool) -> Result<Self, String> {
        let Some(entries) = document.get("keys").and_then(|k| k.as_array()) else {
            return Err("a JWKS is an object with a `keys` array".into());
        };
        if entries.len() > MAX_KEYS {
            return Err(format!(
                "at most {MAX_KEYS} keys are allowed, got {}",
                entries.len()
            ));
        }
        let mut keys = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            match Self::key(entry) {
                Ok(Some(key)) => keys.push(key),
                Ok(None) => {}
                Err(message) if strict => return Err(format!("keys[{i}]: {message}")),
                Err(_) => {}
            }
        }
        if strict && keys.is_empty() {
            return Err("give at least one key".into());
        }
        Ok(Self { keys })
    }

    /// One JWK as a key; `None` for a key published for encryption.
    fn key(entry: &serde_json::Value) -> Result<Option<Key>, String> {
        let jwk: Jwk = serde_json::from_value(entry.clone())
            .map_err(|e| format!("not a JWK this server reads: {e}"))?;
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            return Ok(None);
        }
        let fits = fits(&jwk)?;
        let alg = jwk.common.key_algorithm.as_ref().map(pinned).transpose()?;
        if alg.is_some_and(|alg| alg != fits) {
            return Err("its `alg` does not match its key type".into());
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("not a valid key: {e}"))?;
        Ok(Some(Key {
            kid: jwk.common.key_id,
            alg,
            fits,
            key,
        }))
    }

    /// The key to verify a token signed with `alg` naming `kid`: the key with that `kid`
    /// (which must fit `alg`), or without a `kid`, the only key that fits `alg`.
    pub fn find(&self, kid: Option<&str>, alg: TokenAlgorithm) -> Option<&DecodingKey> {
        let usable = |k: &&Key| k.fits == alg && k.alg.is_none_or(|pinned| pinned == alg);
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(usable)
                .find(|k| k.kid.as_deref() == Some(kid))
                .map(|k| &k.key),
            None => {
                let mut candidates = self.keys.iter().filter(usable);
                match (candidates.next(), candidates.next()) {
                    (Some(only), None) => Some(&only.key),
                    _ => None,
                }
            }
        }
    }

    fn has_kid(&self, kid: Option<&str>) -> bool {
        kid.is_none() || self.keys.iter().any(|k| k.kid.as_deref() == kid)
    }
}

/// What the cache holds for one issuer.
#[derive(Default)]
struct Entry {
    set: Option<Arc<KeySet>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
    refreshing: bool,
    used_at: Option<Instant>,
}

impl Entry {
    /// Takes a fetch's outcome: a new set, or (logged) the last good set kept.
    fn settle(&mut self, fetched: Result<KeySet, String>, tenant: &str, iss: &str) {
        match fetched {
            Ok(set) => {
                self.set = Some(Arc::new(set));
                self.fetched_at = Some(Instant::now());
            }
            Err(error) => {
                tracing::warn!(tenant, issuer = %iss, %error, "JWKS fetch failed; keeping the last good key set");
            }
        }
    }
}

type EntryKey = (String, String, i64);

/// The key sets of every issuer in use, across tenants (each entry is keyed by its tenant).
pub struct KeyCache {
    entries: Mutex<HashMap<EntryKey, Arc<tokio::sync::Mutex<Entry>>>>,
    /// [`REFRESH_AFTER`], but in tests.
    refresh_after: Duration,
    /// [`MIN_REFETCH`], but in tests.
    min_refetch: Duration,
    /// `Err`: why no HTTP client could be made (then only inline keys work).
    http: Result<reqwest::Client, String>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::with_timing(REFRESH_AFTER, MIN_REFETCH)
    }

    /// An empty cache that refreshes a set after `refresh_after` and fetches for an
    /// unknown `kid` at most every `min_refetch` (the tests' clock: ten minutes is long).
    fn with_timing(refresh_after: Duration, min_refetch: Duration) -> Self {
        install_crypto_providers();
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .build()
            // Building fails only when the TLS backend cannot start; without it no JWKS
            // URL can be fetched, but inline keys still work.
            .map_err(|error| {
                tracing::error!(%error, "the HTTP client for JWKS fetches did not start");
                format!("no HTTP client for JWKS fetches: {error}")
            });
        Self {
            entries: Mutex::default(),
            refresh_after,
            min_refetch,
            http,
        }
    }

    /// Forgets every key set of an issuer (it was changed or deleted).
    pub fn forget(&self, tenant: &str, issuer_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(t, i, _), _| !(t == tenant && i == issuer_id));
    }

    fn entry(&self, key: EntryKey) -> Arc<tokio::sync::Mutex<Entry>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if !entries.contains_key(&key) && entries.len() >= MAX_ENTRIES {
            // Drop an entry nobody is using right now (its lock is free) that was used
            // least recently; an issuer in use refills its entry on its next token.
            let oldest = entries
                .iter()
                .filter_map(|(k, e)| e.try_lock().ok().map(|e| (k.clone(), e.used_at)))
                .min_by_key(|(_, used)| *used)
                .map(|(k, _)| k);
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.entry(key).or_default().clone()
    }

    /// The key of `issuer` (of `tenant`) that verifies a token signed with `alg` naming
    /// `kid`.
    pub async fn key_for(
        self: &Arc<Self>,
        tenant: &str,
        issuer: &Issuer,
        alg: TokenAlgorithm,
        kid: Option<&str>,
    ) -> Result<DecodingKey, TokenError> {
        let unknown =
            || TokenError::KeyUnknown(kid.unwrap_or("absent").chars().take(128).collect());
        let id = issuer
            .issuer_id
            .as_ref()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let entry = self.entry((tenant.to_owned(), id, issuer.revision.unwrap_or_default()));
        let mut state = entry.lock().await;
        state.used_at = Some(Instant::now());
        let url = match &issuer.keys {
            // Parsed once per revision of the issuer (checked when it was saved; a key that
            // no longer parses is left out), never fetched.
            IssuerKeys::Inline(document) => {
                let set = state
                    .set
                    .get_or_insert_with(|| {
                        Arc::new(KeySet::parse(document, false).unwrap_or_default())
                    })
                    .clone();
                drop(state);
                return set.find(kid, alg).cloned().ok_or_else(unknown);
            }
            IssuerKeys::JwksUrl(url) => url.clone(),
        };
        let fresh = state
            .fetched_at
            .is_some_and(|at| at.elapsed() < self.refresh_after);
        let known = state.set.as_ref().is_some_and(|set| set.has_kid(kid));
        let may_fetch = state
            .attempted_at
            .is_none_or(|at| at.elapsed() >= self.min_refetch);
        if state.set.is_none() || (!known && may_fetch) {
            // Nothing yet, or a key the set lacks: fetch now (others wait on the lock).
            state.attempted_at = Some(Instant::now());
            let fetched = self.fetch(&url).await;
            let failure = fetched.as_ref().err().cloned();
            state.settle(fetched, tenant, &issuer.issuer);
            if let (Some(error), None) = (failure, &state.set) {
                return Err(TokenError::IssuerUnreachable(error));
            }
        } else if !fresh && !state.refreshing && may_fetch {
            // Old but usable: refresh behind this request.
            state.refreshing = true;
            state.attempted_at = Some(Instant::now());
            let cache = self.clone();
            let entry = entry.clone();
            let tenant = tenant.to_owned();
            let iss = issuer.issuer.clone();
            tokio::spawn(async move {
                let fetched = cache.fetch(&url).await;
                let mut state = entry.lock().await;
                state.refreshing = false;
                state.settle(fetched, &tenant, &iss);
            });
        }
        let set = state.set.clone().ok_or_else(unknown)?;
        drop(state);
        set.find(kid, alg).cloned().ok_or_else(unknown)
    }

    /// Fetches and parses a JWKS: bounded in time and size, no redirects.
    async fn fetch(&self, url: &str) -> Result<KeySet, String> {
        let http = self.http.as_ref().map_err(Clone::clone)?;
        let mut response = http
            .get(url)
            .header(
                reqwest::header::ACCEPT,
                "application/json, application/jwk-set+json",
            )
            .send()
            .await
            .map_err(|e| format!("could not reach {url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(format!("{url} sent more than {MAX_JWKS_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("reading {url}: {e}"))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("{url} sent more than {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        let document: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("{url} did not send JSON: {e}"))?;
        KeySet::parse(&document, false).map_err(|e| format!("{url}: {e}"))
    }
}

/// Makes AWS-LC the process's provider for `jsonwebtoken` and rustls. reqwest's rustls
/// (built without a provider of its own) panics with "No provider set" when it builds a
/// client in a process that has none, so every process that makes HTTP clients calls this
/// first: the server (here), the CLI (`main`), the tests. Installing twice is harmless:
/// the first stays.
pub fn install_crypto_providers() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;
    use crate::domain::ObjectId;

    /// A JWKS of Ed25519 public keys with these `kid`s (the key bytes are the kid's
    /// first byte, repeated: the cache never verifies a signature, it finds keys).
    fn document(kids: &[&str]) -> serde_json::Value {
        use base64::Engine as _;
        let keys: Vec<serde_json::Value> = kids
            .iter()
            .map(|kid| {
                let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode([kid.as_bytes()[0]; 32]);
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid})
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// A JWKS served on loopback: its keys can be changed and it can be taken down (503);
    /// its fetches are counted.
    struct Served {
        url: String,
        keys: Arc<Mutex<serde_json::Value>>,
        down: Arc<AtomicBool>,
        fetches: Arc<AtomicUsize>,
    }

    async fn serve(keys: serde_json::Value) -> Served {
        let keys = Arc::new(Mutex::new(keys));
        let down = Arc::new(AtomicBool::new(false));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, d, f) = (keys.clone(), down.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (k, d, f) = (k.clone(), d.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    if d.load(Ordering::SeqCst) {
                        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new());
                    }
                    let body = k.lock().unwrap().to_string();
                    (axum::http::StatusCode::OK, body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Served {
            url,
            keys,
            down,
            fetches,
        }
    }

    fn issuer(url: &str) -> Issuer {
        Issuer {
            issuer_id: Some(ObjectId::parse("idp").unwrap()),
            name: "IdP".into(),
            issuer: "https://idp.example/".into(),
            audiences: vec!["app".into()],
            keys: IssuerKeys::JwksUrl(url.into()),
            algorithms: vec![TokenAlgorithm::EdDSA],
            created_at: None,
            updated_at: None,
            revision: Some(1),
        }
    }

    /// Waits until the server has been asked `n` times (a background refresh is a task
    /// of its own), at most two seconds.
    async fn fetched(served: &Served, n: usize) {
        for _ in 0..200 {
            if served.fetches.load(Ordering::SeqCst) >= n {
                // The task that fetched settles the entry just after the answer.
                tokio::time::sleep(Duration::from_millis(20)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{n} fetches expected, saw {}",
            served.fetches.load(Ordering::SeqCst)
        );
    }

    /// The refresh after `refresh_after`: the request that finds the set old still uses
    /// it, the set is fetched behind it, rotated keys are then known without a fetch of
    /// their own, and a refresh that fails keeps the last good set (and is tried again
    /// only after `min_refetch`).
    #[tokio::test]
    async fn an_old_set_is_refreshed_in_the_background_and_kept_when_the_issuer_is_down() {
        let refresh = Duration::from_millis(300);
        let cache = Arc::new(KeyCache::with_timing(refresh, Duration::from_millis(100)));
        let served = serve(document(&["a"])).await;
        let issuer = issuer(&served.url);
        let key = |kid: &'static str| {
            let (cache, issuer) = (cache.clone(), issuer.clone());
            async move {
                cache
                    .key_for("acme", &issuer, TokenAlgorithm::EdDSA, Some(kid))
                    .await
            }
        };
        assert!(key("a").await.is_ok());
        assert_eq!(served.fetches.load(Ordering::SeqCst), 1);
        // Fresh: no fetch for a known kid.
        assert!(key("a").await.is_ok());
        assert_eq!(served.fetches.load(Ordering::SeqCst), 1);

        // The issuer rotates to `b`; once the set is old, a request for `a` is answered
        // from it and starts the refresh.
        *served.keys.lock().unwrap() = document(&["b"]);
        tokio::time::sleep(refresh + Duration::from_millis(50)).await;
        assert!(
            key("a").await.is_ok(),
            "the old set answers while it refreshes"
        );
        fetched(&served, 2).await;
        let before = served.fetches.load(Ordering::SeqCst);
        assert!(
            key("b").await.is_ok(),
            "the refreshed set knows the new key"
        );
        assert_eq!(
            served.fetches.load(Ordering::SeqCst),
            before,
            "without a fetch of its own"
        );
        assert!(matches!(key("a").await, Err(TokenError::KeyUnknown(_))));

        // The issuer goes down: the refresh fails, the last good set stays.
        served.down.store(true, Ordering::SeqCst);
        tokio::time::sleep(refresh + Duration::from_millis(50)).await;
        let before = served.fetches.load(Ordering::SeqCst);
        assert!(key("b").await.is_ok());
        fetched(&served, before + 1).await;
        assert!(key("b").await.is_ok(), "the last good set is kept");
        // The failed refresh is not retried on every request.
        let after = served.fetches.load(Ordering::SeqCst);
        for _ in 0..5 {
            assert!(key("b").await.is_ok());
        }
        assert_eq!(served.fetches.load(Ordering::SeqCst), after);
    }
}
