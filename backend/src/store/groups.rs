//! Groups and their members.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{
    Stamp, Stamped, Table, Value, Which, clear_lists, insert, list_rows, main_row, main_rows,
    parsed, upsert_main,
};
use crate::domain::{Group, ObjectId, UserId};

const MEMBERS: (&str, &str, &str) = ("group_members", "position, user_id", "position");

impl Table for Group {
    const KIND: &'static str = "group";
    const TABLE: &'static str = "user_groups";
    const ID: &'static str = "group_id";
    const LISTS: &'static [&'static str] = &["group_members"];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, "name, description", which).await?;
        let ids: Vec<&str> = main.iter().map(|(id, _, _)| id.as_str()).collect();
        let mut members = list_rows::<Self, _>(conn, tenant, which, &ids, MEMBERS, |row| {
            let user: String = row.try_get("user_id")?;
            parsed("user id", &user, UserId::parse)
        })
        .await?;
        main.into_iter()
            .map(|(id, stamp, row)| {
                Group {
                    group_id: None,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    users: members.remove(&id).unwrap_or_default(),
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
        let members: Vec<Vec<Value<'_>>> = objects
            .iter()
            .flat_map(|o| {
                o.object.users.iter().enumerate().map(|(i, user)| {
                    vec![
                        Value::Text(&o.id),
                        Value::Int(i as i64),
                        Value::Text(user.as_str()),
                    ]
                })
            })
            .collect();
        insert(
            conn,
            tenant,
            MEMBERS.0,
            &[Self::ID, "position", "user_id"],
            "",
            &members,
        )
        .await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(Group {
            group_id: Some(parsed("group id", id, ObjectId::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
