//! The schema's migrations, embedded in the binary from `migrations/sqlite` and
//! `migrations/postgres` by `backend/build.rs` (which says why it is not `sqlx::migrate!`),
//! and run by sqlx's migrator when the store connects.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

use super::Backend;

// `SQLITE` and `POSTGRES`: (version, description, SQL) of each file, by version.
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// One database's embedded migrations, as sqlx's migrator takes them.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    // sqlx's own rule for a migration that runs outside a transaction.
                    sql.starts_with("-- no-transaction"),
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// The migrator for `backend`'s schema.
pub(super) async fn migrator(backend: Backend) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }))
    .await
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// What the binary embeds is what sqlx reads from the directory itself (and what
    /// `sqlx::migrate!` embedded in earlier releases): same versions, descriptions and
    /// checksums, so databases those releases migrated are recognised as up to date.
    #[tokio::test]
    async fn embedded_migrations_are_the_directorys() {
        for (backend, dir) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../migrations")
                .join(dir);
            let from_dir = Migrator::new(path).await.unwrap();
            let embedded = migrator(backend).await.unwrap();
            let shape = |m: &Migrator| {
                m.iter()
                    .map(|m| {
                        (
                            m.version,
                            m.description.to_string(),
                            m.migration_type,
                            m.sql.to_string(),
                            m.checksum.to_vec(),
                            m.no_tx,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert!(!shape(&from_dir).is_empty(), "{dir}: no migrations read");
            assert_eq!(shape(&embedded), shape(&from_dir), "{dir}");
        }
    }
}
