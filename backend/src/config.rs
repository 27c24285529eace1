//! One typed configuration: defaults < config file (TOML) < `PORTCULLIS_*` environment.
//! The environment is handed in by `main.rs`, the only place that reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::auth::Secret;

/// How logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The server's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: String,
    /// Where the embedded SQLite database lives.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None`: `portcullis.db` in the data directory.
    pub database_url: Option<String>,
    /// Sets the platform admin token (only its hash is stored). Without it, the first start
    /// generates one and prints it once.
    pub admin_token: Option<Secret>,
    /// Log format.
    pub log_format: LogFormat,
    /// Requests per second each credential may send (bursts of as many); 0: no limit.
    pub rate_limit_per_second: u32,
    /// Other server processes share the database: fully consistent checks read the
    /// committed revision first.
    pub cluster: bool,
    /// Mark the console's session cookie `Secure` (set when users reach the server over
    /// TLS, directly or through a proxy).
    pub secure_cookies: bool,
    /// A console session ends after this many minutes without a request.
    pub session_idle_minutes: u32,
    /// A console session ends this many hours after sign-in, however active.
    pub session_max_hours: u32,
    /// Console sign-in attempts allowed per username per minute (five times as many per
    /// client address).
    pub login_attempts_per_minute: u32,
    /// Where the console's compiled assets are (`scripts/build-console.sh` writes `target/site`).
    pub console_dir: PathBuf,
    /// Export per-tenant series (engine size and revision by tenant) on `/metrics`, which
    /// then needs a credential: the admin token or [`Config::metrics_token`].
    pub metrics_per_tenant: bool,
    /// A token that may read `/metrics` (and nothing else) when per-tenant series are on.
    pub metrics_token: Option<Secret>,
}

/// The shortest token Portcullis accepts as the admin or metrics token.
pub const MIN_TOKEN_CHARS: usize = 32;

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            admin_token: None,
            log_format: LogFormat::Text,
            rate_limit_per_second: DEFAULT_RATE_LIMIT,
            cluster: false,
            secure_cookies: false,
            session_idle_minutes: 30,
            session_max_hours: 12,
            login_attempts_per_minute: 10,
            console_dir: PathBuf::from("target/site"),
            metrics_per_tenant: false,
            metrics_token: None,
        }
    }
}

/// Requests per second per credential by default. An application's backend commonly
/// sends all its checks with one key; one node of this project's machine kind (2 cores)
/// answers 60,000-70,000 checks a second in all, so a default of 100,000 never throttles
/// such a backend, while still bounding a runaway client on a larger node. Operators who
/// share a node between tenants set it lower.
pub const DEFAULT_RATE_LIMIT: u32 = 100_000;

/// The config file's shape: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    admin_token: Option<String>,
    log_format: Option<LogFormat>,
    rate_limit_per_second: Option<u32>,
    cluster: Option<bool>,
    secure_cookies: Option<bool>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    login_attempts_per_minute: Option<u32>,
    console_dir: Option<PathBuf>,
    metrics_per_tenant: Option<bool>,
    metrics_token: Option<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the right shape.
    #[error("config file `{path}` is invalid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A token setting could never authenticate anybody.
    #[error("`{setting}` cannot be used: {message}")]
    Token {
        /// The setting (`PORTCULLIS_ADMIN_TOKEN` / `admin_token` …).
        setting: &'static str,
        /// Why.
        message: String,
    },
    /// An environment variable has a value that cannot be used.
    #[error("environment variable `{name}` is invalid: {message}")]
    Env {
        /// The variable.
        name: String,
        /// Why.
        message: String,
    },
}

impl Config {
    /// Layers the file (if any) and then the `PORTCULLIS_*` variables over the defaults.
    pub fn load(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let parsed: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            config.apply(parsed);
        }
        let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        let log_format = match var("PORTCULLIS_LOG_FORMAT").as_deref() {
            None => None,
            Some("text") => Some(LogFormat::Text),
            Some("json") => Some(LogFormat::Json),
            Some(other) => {
                return Err(ConfigError::Env {
                    name: "PORTCULLIS_LOG_FORMAT".into(),
                    message: format!("`{other}` is neither `text` nor `json`"),
                });
            }
        };
        let number = |name: &str, what: &str| -> Result<Option<u32>, ConfigError> {
            var(name)
                .map(|text| {
                    text.parse::<u32>().map_err(|_| ConfigError::Env {
                        name: name.into(),
                        message: format!("`{text}` is not a whole number of {what}"),
                    })
                })
                .transpose()
        };
        let flag = |name: &str| -> Result<Option<bool>, ConfigError> {
            match var(name).as_deref() {
                None => Ok(None),
                Some("true" | "1") => Ok(Some(true)),
                Some("false" | "0") => Ok(Some(false)),
                Some(other) => Err(ConfigError::Env {
                    name: name.into(),
                    message: format!("`{other}` is neither `true` nor `false`"),
                }),
            }
        };
        config.apply(FileConfig {
            listen: var("PORTCULLIS_LISTEN"),
            data_dir: var("PORTCULLIS_DATA_DIR").map(PathBuf::from),
            database_url: var("PORTCULLIS_DATABASE_URL"),
            admin_token: var("PORTCULLIS_ADMIN_TOKEN"),
            log_format,
            rate_limit_per_second: number(
                "PORTCULLIS_RATE_LIMIT_PER_SECOND",
                "requests per second",
            )?,
            cluster: flag("PORTCULLIS_CLUSTER")?,
            secure_cookies: flag("PORTCULLIS_SECURE_COOKIES")?,
            session_idle_minutes: number("PORTCULLIS_SESSION_IDLE_MINUTES", "minutes")?,
            session_max_hours: number("PORTCULLIS_SESSION_MAX_HOURS", "hours")?,
            login_attempts_per_minute: number(
                "PORTCULLIS_LOGIN_ATTEMPTS_PER_MINUTE",
                "attempts per minute",
            )?,
            console_dir: var("PORTCULLIS_CONSOLE_DIR").map(PathBuf::from),
            metrics_per_tenant: flag("PORTCULLIS_METRICS_PER_TENANT")?,
            metrics_token: var("PORTCULLIS_METRICS_TOKEN"),
        });
        config.validate()?;
        Ok(config)
    }

    /// Refuses tokens that could never authenticate (SPEC §2; checked by [`Config::load`] and
    /// again by [`crate::App::build`], for configurations made in code): the admin token must start
    /// with `pcadmin_` (the prefix tells it from an API key) and, like the metrics token,
    /// be at least [`MIN_TOKEN_CHARS`] characters of visible ASCII (a bearer credential).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let visible = |t: &str| t.bytes().all(|b| b.is_ascii_graphic());
        if let Some(token) = &self.admin_token {
            let token = token.expose();
            let problem = if !token.starts_with(crate::auth::ADMIN_TOKEN_PREFIX) {
                Some(format!(
                    "the admin token must start with `{}`",
                    crate::auth::ADMIN_TOKEN_PREFIX
                ))
            } else if token.chars().count() < MIN_TOKEN_CHARS || !visible(token) {
                Some(format!(
                    "the admin token must be at least {MIN_TOKEN_CHARS} characters of visible ASCII"
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(ConfigError::Token {
                    setting: "PORTCULLIS_ADMIN_TOKEN / admin_token",
                    message,
                });
            }
        }
        if let Some(token) = &self.metrics_token {
            let token = token.expose();
            if token.chars().count() < MIN_TOKEN_CHARS || !visible(token) {
                return Err(ConfigError::Token {
                    setting: "PORTCULLIS_METRICS_TOKEN / metrics_token",
                    message: format!(
                        "the metrics token must be at least {MIN_TOKEN_CHARS} characters of visible ASCII"
                    ),
                });
            }
        }
        Ok(())
    }

    fn apply(&mut self, layer: FileConfig) {
        if let Some(listen) = layer.listen {
            self.listen = listen;
        }
        if let Some(data_dir) = layer.data_dir {
            self.data_dir = data_dir;
        }
        if let Some(url) = layer.database_url {
            self.database_url = Some(url);
        }
        if let Some(token) = layer.admin_token {
            self.admin_token = Some(Secret::new(token));
        }
        if let Some(format) = layer.log_format {
            self.log_format = format;
        }
        if let Some(rate) = layer.rate_limit_per_second {
            self.rate_limit_per_second = rate;
        }
        if let Some(cluster) = layer.cluster {
            self.cluster = cluster;
        }
        if let Some(secure) = layer.secure_cookies {
            self.secure_cookies = secure;
        }
        if let Some(minutes) = layer.session_idle_minutes {
            self.session_idle_minutes = minutes.max(1);
        }
        if let Some(hours) = layer.session_max_hours {
            self.session_max_hours = hours.max(1);
        }
        if let Some(attempts) = layer.login_attempts_per_minute {
            self.login_attempts_per_minute = attempts.max(1);
        }
        if let Some(dir) = layer.console_dir {
            self.console_dir = dir;
        }
        if let Some(per_tenant) = layer.metrics_per_tenant {
            self.metrics_per_tenant = per_tenant;
        }
        if let Some(token) = layer.metrics_token {
            self.metrics_token = Some(Secret::new(token));
        }
    }

    /// The database URL: the configured one, or an SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("portcullis.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portcullis.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/var/lib/pc\"\n",
        )
        .unwrap();
        let env = HashMap::from([("PORTCULLIS_LISTEN".to_owned(), "0.0.0.0:1234".to_owned())]);
        let config = Config::load(Some(&file), &env).unwrap();
        assert_eq!(config.listen, "0.0.0.0:1234");
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/pc"));
        assert_eq!(
            config.database_url(),
            "sqlite:///var/lib/pc/portcullis.db?mode=rwc"
        );
        let defaults = Config::load(None, &HashMap::new()).unwrap();
        assert_eq!(defaults.listen, "127.0.0.1:8080");
    }

    #[test]
    fn bad_settings_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portcullis.toml");
        std::fs::write(&file, "lisen = \"typo\"\n").unwrap();
        assert!(matches!(
            Config::load(Some(&file), &HashMap::new()),
            Err(ConfigError::Parse { .. })
        ));
        let env = HashMap::from([("PORTCULLIS_LOG_FORMAT".to_owned(), "xml".to_owned())]);
        assert!(matches!(
            Config::load(None, &env),
            Err(ConfigError::Env { .. })
        ));
    }

    #[test]
    fn tokens_that_could_never_authenticate_are_refused_at_start() {
        let load = |name: &str, value: &str| {
            Config::load(None, &HashMap::from([(name.to_owned(), value.to_owned())]))
        };
        let good = format!("pcadmin_{}", "a".repeat(32));
        assert!(load("PORTCULLIS_ADMIN_TOKEN", &good).is_ok());
        for bad in [
            "a".repeat(40),                          // no prefix
            "pcadmin_short".to_owned(),              // too short
            format!("pcadmin_{}", "é".repeat(30)),   // not ASCII
            format!("pcadmin_{} x", "a".repeat(30)), // a space
        ] {
            let error = load("PORTCULLIS_ADMIN_TOKEN", &bad).unwrap_err();
            assert!(matches!(error, ConfigError::Token { .. }), "{bad}: {error}");
        }
        assert!(load("PORTCULLIS_METRICS_TOKEN", "short").is_err());
        assert!(load("PORTCULLIS_METRICS_TOKEN", &"m".repeat(32)).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portcullis.toml");
        std::fs::write(&file, "admin_token = \"nope\"\n").unwrap();
        assert!(matches!(
            Config::load(Some(&file), &HashMap::new()),
            Err(ConfigError::Token { .. })
        ));
    }
}
