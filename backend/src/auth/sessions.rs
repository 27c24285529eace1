//! Console sessions: tower-sessions records kept in the server's own database (SQLite or
//! PostgreSQL), so sessions survive a restart and are shared by replicas.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::store::{SessionRow, Store};

/// The session key holding the signed-in account's username.
pub const ACCOUNT_KEY: &str = "account";

/// tower-sessions' [`SessionStore`] over [`Store`].
#[derive(Debug, Clone)]
pub struct DatabaseSessions(pub Store);

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_row(record: &Record) -> Result<(String, Option<String>, SessionRow), session_store::Error> {
    let username = record
        .data
        .get(ACCOUNT_KEY)
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expires_at = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok((
        record.id.to_string(),
        username,
        SessionRow { data, expires_at },
    ))
}

#[async_trait]
impl SessionStore for DatabaseSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (id, username, row) = to_row(record)?;
            if self
                .0
                .insert_session(&id, username.as_deref(), &row)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            // A collision of 128 random bits: draw again.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, username, row) = to_row(record)?;
        self.0
            .save_session(&id, username.as_deref(), &row)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self
            .0
            .load_session(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expires_at) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0
            .delete_session(&id.to_string())
            .await
            .map_err(backend)
    }
}
