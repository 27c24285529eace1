//! The `portcullis` command: `serve`, `migrate`, `openapi`, `admin`, `export`, `import`.

mod transfer_command;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portcullis::App;
use portcullis::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Multi-tenant authorization service"
)]
struct Cli {
    /// A TOML config file (also `PORTCULLIS_CONFIG`); `PORTCULLIS_*` variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (creates and migrates the database on first start).
    Serve,
    /// Create or migrate the database, then exit.
    Migrate,
    /// Write the OpenAPI description (default `openapi/openapi.json`; `-` for stdout).
    Openapi {
        /// Where to write it.
        #[arg(default_value = "openapi/openapi.json")]
        out: String,
    },
    /// Write a tenant's export (NDJSON) from a running server to FILE (default: stdout).
    Export {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Where to write it; `-` or none for standard output.
        file: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Import FILE (NDJSON, as `export` writes it) into a tenant through a running server:
    /// all or nothing, as one revision.
    Import {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The document.
        file: PathBuf,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Manage console accounts from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// Which running server `export` and `import` call, and with which credential.
#[derive(clap::Args)]
struct ServerArgs {
    /// The server (default: http:// and the configured listen address).
    #[arg(long)]
    url: Option<String>,
    /// A credential of the tenant with the `read` (export) or `write` (import) scope
    /// (default: PORTCULLIS_TOKEN, then the configured admin token).
    #[arg(long)]
    token: Option<String>,
}

impl ServerArgs {
    fn target(
        self,
        env: &HashMap<String, String>,
        config: &Config,
    ) -> Result<transfer_command::Target, String> {
        let token = self.token.or_else(|| env.get("PORTCULLIS_TOKEN").cloned());
        transfer_command::Target::new(self.url, token, config)
    }
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a console account (prints a generated password unless --password-stdin).
    CreateUser {
        /// The username: letters, digits, `.`, `_`, `-`, `@`.
        username: String,
        /// Make it a platform admin (manages tenants and accounts).
        #[arg(long)]
        platform_admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Also make it a member of this tenant ...
        #[arg(long, requires = "role")]
        tenant: Option<String>,
        /// ... with this role.
        #[arg(long, requires = "tenant", value_parser = ["owner", "admin", "viewer"])]
        role: Option<String>,
    },
}

fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[tokio::main]
async fn main() -> ExitCode {
    // Before any HTTP client is made (export, import, JWKS fetches).
    portcullis::identity::jwks::install_crypto_providers();
    let cli = Cli::parse();
    let env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("PORTCULLIS_"))
        .collect();
    let file = cli
        .config
        .or_else(|| env.get("PORTCULLIS_CONFIG").map(PathBuf::from));
    let config = match Config::load(file.as_deref(), &env) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("portcullis: {error}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(config.log_format);
    let result = match cli.command {
        Command::Serve => serve(&config).await,
        Command::Migrate => portcullis::open_store(&config)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Command::Openapi { out } => write_openapi(&out),
        Command::Export {
            tenant,
            file,
            server,
        } => match server.target(&env, &config) {
            Ok(target) => transfer_command::export(&target, &tenant, file.as_deref()).await,
            Err(error) => Err(error),
        },
        Command::Import {
            tenant,
            file,
            server,
        } => match server.target(&env, &config) {
            Ok(target) => transfer_command::import(&target, &tenant, &file).await,
            Err(error) => Err(error),
        },
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    username,
                    platform_admin,
                    password_stdin,
                    tenant,
                    role,
                },
        } => {
            create_user(
                &config,
                username,
                platform_admin,
                password_stdin,
                tenant.zip(role),
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("portcullis: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: &Config) -> Result<(), String> {
    let app = App::build(config).await.map_err(|e| e.to_string())?;
    let address = app.local_addr().map_err(|e| e.to_string())?;
    if let Some(token) = &app.new_admin_token {
        // Shown once, on the terminal only: only its hash is stored.
        eprintln!(
            "\n  Platform admin token (shown once, store it now):\n\n    {}\n\n  \
             Use it as `Authorization: Bearer <token>`. Set PORTCULLIS_ADMIN_TOKEN to replace it.\n",
            token.expose()
        );
    }
    if let Some((username, password)) = &app.new_admin_account {
        // Shown once as well: only its argon2id hash is stored.
        eprintln!(
            "  Console: http://{address}/console  (platform admin account, shown once)\n\n    \
             username: {username}\n    password: {}\n",
            password.expose()
        );
    }
    tracing::info!(%address, database = ?config.database_url.as_deref().map(|_| "configured url").unwrap_or("sqlite in data dir"), "portcullis listening on http://{address}");
    app.run_until_stopped(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

async fn create_user(
    config: &Config,
    username: String,
    platform_admin: bool,
    password_stdin: bool,
    membership: Option<(String, String)>,
) -> Result<(), String> {
    use portcullis::service::{Principal, Service};
    use portcullis_api::{AccountIn, MemberRole};
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (portcullis::auth::random_hex(12), true)
    };
    let store = portcullis::open_store(config)
        .await
        .map_err(|e| e.to_string())?;
    let service = Service::new(store.clone(), None, false);
    let account = service
        .create_account(AccountIn {
            username,
            password: password.clone(),
            platform_admin,
        })
        .await
        .map_err(|e| describe(&e))?;
    if let Some((tenant, role)) = membership {
        let role = MemberRole::parse(&role).ok_or_else(|| {
            format!("`{role}` is not a member role: `owner`, `admin` or `viewer`")
        })?;
        let access = service
            .authorize(
                &Principal::PlatformAdmin,
                &tenant,
                portcullis::domain::Scope::Write,
            )
            .await
            .map_err(|e| describe(&e))?;
        service
            .put_member(&access, &account.username, role, Default::default())
            .await
            .map_err(|e| describe(&e))?;
    }
    store.close().await;
    eprintln!("created account `{}`", account.username);
    if generated {
        eprintln!("password (shown once): {password}");
    }
    Ok(())
}

/// A service error in words, with its field errors.
fn describe(error: &portcullis::service::ServiceError) -> String {
    use portcullis::service::ServiceError;
    match error {
        ServiceError::Invalid(errors) | ServiceError::LimitExceeded(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn write_openapi(out: &str) -> Result<(), String> {
    let json = portcullis::api::openapi_json().map_err(|e| e.to_string())?;
    if out == "-" {
        use std::io::Write;
        std::io::stdout()
            .write_all(json.as_bytes())
            .map_err(|e| e.to_string())
    } else {
        std::fs::write(out, json).map_err(|e| format!("cannot write `{out}`: {e}"))
    }
}
