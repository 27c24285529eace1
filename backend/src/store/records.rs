//! Access records: their subjects (users, groups), their grants (statements: roles on
//! resources) and their tags.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{
    Stamp, Stamped, Table, Value, Which, clear_lists, insert, list_rows, main_row, main_rows,
    parsed, upsert_main,
};
use crate::domain::{
    AccessRecord, ObjectId, RecordStatus, ResourcePattern, Statement, Timestamp, UserId,
};

const USERS: (&str, &str, &str) = ("record_users", "position, user_id", "position");
const GROUPS: (&str, &str, &str) = ("record_groups", "position, group_id", "position");
const ROLES: (&str, &str, &str) = (
    "statement_roles",
    "statement, position, role_id",
    "statement, position",
);
const RESOURCES: (&str, &str, &str) = (
    "statement_resources",
    "statement, position, resource",
    "statement, position",
);
const TAGS: (&str, &str, &str) = ("record_tags", "tag_key, tag_value", "tag_key");

/// Puts `(statement, item)` rows, ordered by statement, into the statements' lists.
fn into_statements<T>(
    statements: &mut Vec<Statement>,
    items: Vec<(usize, T)>,
    mut list: impl FnMut(&mut Statement) -> &mut Vec<T>,
) {
    for (n, item) in items {
        while statements.len() <= n {
            statements.push(Statement {
                roles: Vec::new(),
                resources: Vec::new(),
            });
        }
        list(&mut statements[n]).push(item);
    }
}

fn statement_of(row: &sqlx::any::AnyRow) -> Result<usize, StoreError> {
    let n: i64 = row.try_get("statement")?;
    usize::try_from(n).map_err(|e| StoreError::Corrupt {
        what: "a statement number".into(),
        detail: e.to_string(),
    })
}

impl Table for AccessRecord {
    const KIND: &'static str = "record";
    const TABLE: &'static str = "records";
    const ID: &'static str = "record_id";
    const LISTS: &'static [&'static str] = &[
        "record_users",
        "record_groups",
        "statement_roles",
        "statement_resources",
        "record_tags",
    ];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(
            conn,
            tenant,
            "name, description, disabled, expires_at",
            which,
        )
        .await?;
        let ids: Vec<&str> = main.iter().map(|(id, _, _)| id.as_str()).collect();
        let mut users = list_rows::<Self, _>(conn, tenant, which, &ids, USERS, |row| {
            let user: String = row.try_get("user_id")?;
            parsed("user id", &user, UserId::parse)
        })
        .await?;
        let mut groups = list_rows::<Self, _>(conn, tenant, which, &ids, GROUPS, |row| {
            let group: String = row.try_get("group_id")?;
            parsed("group id", &group, ObjectId::parse)
        })
        .await?;
        let mut roles = list_rows::<Self, _>(conn, tenant, which, &ids, ROLES, |row| {
            let role: String = row.try_get("role_id")?;
            Ok((
                statement_of(row)?,
                parsed("role id", &role, ObjectId::parse)?,
            ))
        })
        .await?;
        let mut resources = list_rows::<Self, _>(conn, tenant, which, &ids, RESOURCES, |row| {
            let resource: String = row.try_get("resource")?;
            Ok((
                statement_of(row)?,
                parsed("resource", &resource, ResourcePattern::parse)?,
            ))
        })
        .await?;
        let mut tags = list_rows::<Self, _>(conn, tenant, which, &ids, TAGS, |row| {
            Ok((
                row.try_get::<String, _>("tag_key")?,
                row.try_get::<String, _>("tag_value")?,
            ))
        })
        .await?;
        main.into_iter()
            .map(|(id, stamp, row)| {
                let mut statements = Vec::new();
                into_statements(
                    &mut statements,
                    roles.remove(&id).unwrap_or_default(),
                    |s| &mut s.roles,
                );
                into_statements(
                    &mut statements,
                    resources.remove(&id).unwrap_or_default(),
                    |s| &mut s.resources,
                );
                let disabled: i64 = row.try_get("disabled")?;
                let expires_at: Option<i64> = row.try_get("expires_at")?;
                AccessRecord {
                    record_id: None,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    status: if disabled != 0 {
                        RecordStatus::Disabled
                    } else {
                        RecordStatus::Active
                    },
                    expires_at: expires_at.map(Timestamp::from_millis),
                    users: users.remove(&id).unwrap_or_default(),
                    groups: groups.remove(&id).unwrap_or_default(),
                    statements,
                    tags: tags
                        .remove(&id)
                        .unwrap_or_default()
                        .into_iter()
                        .collect::<BTreeMap<_, _>>(),
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
                        Value::Int((o.object.status == RecordStatus::Disabled).into()),
                        Value::MaybeInt(o.object.expires_at.map(Timestamp::millis)),
                    ],
                )
            })
            .collect();
        upsert_main::<Self>(
            conn,
            tenant,
            &["name", "description", "disabled", "expires_at"],
            main,
        )
        .await?;
        if !fresh {
            clear_lists(conn, tenant, objects).await?;
        }
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut roles = Vec::new();
        let mut resources = Vec::new();
        let mut tags = Vec::new();
        for o in objects {
            let id = Value::Text(&o.id);
            for (i, user) in o.object.users.iter().enumerate() {
                users.push(vec![id, Value::Int(i as i64), Value::Text(user.as_str())]);
            }
            for (i, group) in o.object.groups.iter().enumerate() {
                groups.push(vec![id, Value::Int(i as i64), Value::Text(group.as_str())]);
            }
            for (n, statement) in o.object.statements.iter().enumerate() {
                let n = Value::Int(n as i64);
                for (i, role) in statement.roles.iter().enumerate() {
                    roles.push(vec![
                        id,
                        n,
                        Value::Int(i as i64),
                        Value::Text(role.as_str()),
                    ]);
                }
                for (i, resource) in statement.resources.iter().enumerate() {
                    resources.push(vec![
                        id,
                        n,
                        Value::Int(i as i64),
                        Value::Text(resource.as_str()),
                    ]);
                }
            }
            for (key, value) in &o.object.tags {
                tags.push(vec![id, Value::Text(key), Value::Text(value)]);
            }
        }
        let id = Self::ID;
        insert(
            conn,
            tenant,
            USERS.0,
            &[id, "position", "user_id"],
            "",
            &users,
        )
        .await?;
        insert(
            conn,
            tenant,
            GROUPS.0,
            &[id, "position", "group_id"],
            "",
            &groups,
        )
        .await?;
        insert(
            conn,
            tenant,
            ROLES.0,
            &[id, "statement", "position", "role_id"],
            "",
            &roles,
        )
        .await?;
        insert(
            conn,
            tenant,
            RESOURCES.0,
            &[id, "statement", "position", "resource"],
            "",
            &resources,
        )
        .await?;
        insert(
            conn,
            tenant,
            TAGS.0,
            &[id, "tag_key", "tag_value"],
            "",
            &tags,
        )
        .await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(AccessRecord {
            record_id: Some(parsed("record id", id, ObjectId::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
