//! The `portcullis` command: `serve`, `migrate`, `openapi`.

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
    tracing::info!(%address, database = ?config.database_url.as_deref().map(|_| "configured url").unwrap_or("sqlite in data dir"), "portcullis listening on http://{address}");
    app.run_until_stopped(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
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
