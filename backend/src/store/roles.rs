//! Roles and their permission entries.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{
    Stamp, Stamped, Table, Value, Which, clear_lists, insert, list_rows, main_row, main_rows,
    parsed, upsert_main,
};
use crate::domain::{Action, ObjectId, PermissionEntry, Role};

const PERMISSIONS: (&str, &str, &str) = (
    "role_permissions",
    "position, action, may_allow, may_grant, may_delegate",
    "position",
);

impl Table for Role {
    const KIND: &'static str = "role";
    const TABLE: &'static str = "roles";
    const ID: &'static str = "role_id";
    const LISTS: &'static [&'static str] = &["role_permissions"];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, "name, description", which).await?;
        let ids: Vec<&str> = main.iter().map(|(id, _, _)| id.as_str()).collect();
        let mut permissions = list_rows::<Self, _>(conn, tenant, which, &ids, PERMISSIONS, |row| {
            let action: String = row.try_get("action")?;
            Ok(PermissionEntry {
                action: parsed("action", &action, Action::parse)?,
                allow: row.try_get::<i64, _>("may_allow")? != 0,
                grant: row.try_get::<i64, _>("may_grant")? != 0,
                delegate: row.try_get::<i64, _>("may_delegate")? != 0,
            })
        })
        .await?;
        main.into_iter()
            .map(|(id, stamp, row)| {
                Role {
                    role_id: None,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    permissions: permissions.remove(&id).unwrap_or_default(),
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
        fresh: bool,
    ) -> Result<(), StoreError> {
        let main = objects
            .iter()
            .map(|o| {
                main_row(
                    o,
                    [
                        Value::Text(&o.object.name),
                        Value::Text(&o.object.description),
                    ],
                )
            })
            .collect();
        upsert_main::<Self>(conn, tenant, &["name", "description"], main).await?;
        if !fresh {
            clear_lists(conn, tenant, objects).await?;
        }
        let permissions: Vec<Vec<Value<'_>>> = objects
            .iter()
            .flat_map(|o| {
                o.object.permissions.iter().enumerate().map(|(i, p)| {
                    vec![
                        Value::Text(&o.id),
                        Value::Int(i as i64),
                        Value::Text(p.action.as_str()),
                        Value::Int(p.allow.into()),
                        Value::Int(p.grant.into()),
                        Value::Int(p.delegate.into()),
                    ]
                })
            })
            .collect();
        insert(
            conn,
            tenant,
            PERMISSIONS.0,
            &[
                Self::ID,
                "position",
                "action",
                "may_allow",
                "may_grant",
                "may_delegate",
            ],
            "",
            &permissions,
        )
        .await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(Role {
            role_id: Some(parsed("role id", id, ObjectId::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
