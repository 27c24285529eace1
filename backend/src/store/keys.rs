//! API keys' settings (their secrets' hashes are in `api_key_secrets`).

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{Stamp, Stamped, Table, Value, Which, main_row, main_rows, parsed, upsert_main};
use crate::domain::{ApiKey, ObjectId, Scope, Timestamp};

/// A scope as stored: its name in the API.
fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Check => "check",
        Scope::Read => "read",
        Scope::Write => "write",
    }
}

fn scope_of(name: &str) -> Result<Scope, StoreError> {
    match name {
        "check" => Ok(Scope::Check),
        "read" => Ok(Scope::Read),
        "write" => Ok(Scope::Write),
        other => Err(StoreError::Corrupt {
            what: "an API key's scopes".into(),
            detail: format!("unknown scope `{other}`"),
        }),
    }
}

/// An API key from a row holding its `key_id`, `name`, `scopes`, `expires_at`.
pub(super) fn key_of(row: &sqlx::any::AnyRow, stamp: Stamp) -> Result<ApiKey, StoreError> {
    let scopes: String = row.try_get("scopes")?;
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    let id: String = row.try_get("key_id")?;
    ApiKey {
        key_id: None,
        name: row.try_get("name")?,
        scopes: scopes
            .split_whitespace()
            .map(scope_of)
            .collect::<Result<_, _>>()?,
        expires_at: expires_at.map(Timestamp::from_millis),
        secret: None,
        last_used_at: None,
        created_at: None,
        updated_at: None,
        revision: None,
    }
    .stamped(&id, stamp)
}

impl Table for ApiKey {
    const KIND: &'static str = "apiKey";
    const TABLE: &'static str = "api_keys";
    const ID: &'static str = "key_id";
    const LISTS: &'static [&'static str] = &[];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, "name, scopes, expires_at", which).await?;
        main.iter()
            .map(|(_, stamp, row)| key_of(row, *stamp))
            .collect()
    }

    async fn write(
        conn: &mut AnyConnection,
        tenant: &str,
        objects: &[Stamped<Self>],
        _fresh: bool,
    ) -> Result<(), StoreError> {
        let scopes: Vec<String> = objects
            .iter()
            .map(|o| {
                o.object
                    .scopes
                    .iter()
                    .map(|s| scope_name(*s))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let main = objects
            .iter()
            .zip(&scopes)
            .map(|(o, scopes)| {
                main_row(
                    o,
                    [
                        Value::Text(&o.object.name),
                        Value::Text(scopes),
                        Value::MaybeInt(o.object.expires_at.map(Timestamp::millis)),
                    ],
                )
            })
            .collect();
        upsert_main::<Self>(conn, tenant, &["name", "scopes", "expires_at"], main).await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(ApiKey {
            key_id: Some(parsed("key id", id, ObjectId::parse)?),
            // Never stored: the secret is shown once, the last use is kept apart.
            secret: None,
            last_used_at: None,
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
