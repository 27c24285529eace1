//! The users of a tenant's application, and the resources it registered.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{Stamp, Stamped, Table, Value, Which, main_row, main_rows, parsed, upsert_main};
use crate::domain::{ResourceConfig, ResourcePattern, Timestamp, User, UserId, UserStatus};

impl User {
    const COLUMNS: &'static str = "name, email, status, status_reason, tokens_not_before";
}

impl Table for User {
    const KIND: &'static str = "user";
    const TABLE: &'static str = "users";
    const ID: &'static str = "user_id";
    const LISTS: &'static [&'static str] = &[];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, Self::COLUMNS, which).await?;
        main.into_iter()
            .map(|(id, stamp, row)| {
                let status: String = row.try_get("status")?;
                let tokens_not_before: Option<i64> = row.try_get("tokens_not_before")?;
                User {
                    user_id: None,
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    status: UserStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                        what: format!("status of user `{id}`"),
                        detail: format!("`{status}` is not a user status"),
                    })?,
                    status_reason: row.try_get("status_reason")?,
                    tokens_not_before: tokens_not_before.map(Timestamp::from_millis),
                    created_at: None,
                    updated_at: None,
                    revision: None,
                }
                .stamped(&id, stamp)
            })
            .collect()
    }

    async fn write(
        conn: &mut AnyConnection,
        tenant: &str,
        objects: &[Stamped<Self>],
        _fresh: bool,
    ) -> Result<(), StoreError> {
        let main = objects
            .iter()
            .map(|o| {
                main_row(
                    o,
                    [
                        Value::MaybeText(o.object.name.as_deref()),
                        Value::MaybeText(o.object.email.as_deref()),
                        Value::Text(o.object.status.as_str()),
                        Value::MaybeText(o.object.status_reason.as_deref()),
                        Value::MaybeInt(o.object.tokens_not_before.map(Timestamp::millis)),
                    ],
                )
            })
            .collect();
        let columns = [
            "name",
            "email",
            "status",
            "status_reason",
            "tokens_not_before",
        ];
        upsert_main::<Self>(conn, tenant, &columns, main).await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(User {
            user_id: Some(parsed("user id", id, UserId::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}

impl Table for ResourceConfig {
    const KIND: &'static str = "resource";
    const TABLE: &'static str = "resources";
    const ID: &'static str = "resource_uri";
    const LISTS: &'static [&'static str] = &[];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, "name, description, metadata", which).await?;
        main.into_iter()
            .map(|(id, stamp, row)| {
                let metadata: Option<String> = row.try_get("metadata")?;
                let metadata = metadata
                    .map(|text| serde_json::from_str(&text))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt {
                        what: format!("metadata of resource `{id}`"),
                        detail: e.to_string(),
                    })?;
                ResourceConfig {
                    resource_uri: None,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    metadata,
                    created_at: None,
                    updated_at: None,
                    revision: None,
                }
                .stamped(&id, stamp)
            })
            .collect()
    }

    async fn write(
        conn: &mut AnyConnection,
        tenant: &str,
        objects: &[Stamped<Self>],
        _fresh: bool,
    ) -> Result<(), StoreError> {
        let metadata: Vec<Option<String>> = objects
            .iter()
            .map(|o| {
                o.object
                    .metadata
                    .as_ref()
                    .map(|m| serde_json::Value::Object(m.clone()).to_string())
            })
            .collect();
        let main = objects
            .iter()
            .zip(&metadata)
            .map(|(o, metadata)| {
                main_row(
                    o,
                    [
                        Value::Text(&o.object.name),
                        Value::Text(&o.object.description),
                        Value::MaybeText(metadata.as_deref()),
                    ],
                )
            })
            .collect();
        upsert_main::<Self>(conn, tenant, &["name", "description", "metadata"], main).await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(ResourceConfig {
            resource_uri: Some(parsed("resource", id, ResourcePattern::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
