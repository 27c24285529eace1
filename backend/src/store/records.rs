//! Access records: their subjects (users, groups), their grants (statements: roles on
//! resources) and their tags.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::rows::{
    Stamp, Stamped, Table, Value, Which, clear_lists, insert, list_rows, main_row, main_rows,
    parsed, upsert_main,
};
use super::{Backend, StoreError};
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

/// Separates the items of a joined list ([`RecordGrants`]); no id, action or resource may
/// hold a control character, so none holds this one.
pub const ITEM_SEPARATOR: char = '\u{1f}';
/// Separates a statement's number from an item of it.
pub const STATEMENT_SEPARATOR: char = '\u{1e}';

/// What the decision engine reads of an access record, one row per record: building the
/// index of a tenant of millions reads a row per record, not one per list item (each row
/// costs a trip from the database's thread and an allocation per column). Written by this
/// server, so neither parsed again nor checked.
#[derive(Debug, Clone)]
pub struct RecordGrants {
    /// The record's id.
    pub id: String,
    /// Whether it is disabled.
    pub disabled: bool,
    /// When it expires.
    pub expires_at: Option<Timestamp>,
    users: Option<String>,
    groups: Option<String>,
    roles: Option<String>,
    resources: Option<String>,
}

fn items(joined: &Option<String>) -> impl Iterator<Item = &str> {
    joined
        .as_deref()
        .into_iter()
        .flat_map(|list| list.split(ITEM_SEPARATOR))
}

/// `(statement, item)` pairs of a joined statement list.
fn statement_items(joined: &Option<String>) -> impl Iterator<Item = (usize, &str)> {
    items(joined).filter_map(|item| {
        let (n, value) = item.split_once(STATEMENT_SEPARATOR)?;
        Some((n.parse().ok()?, value))
    })
}

impl RecordGrants {
    /// The users it names, in order.
    pub fn users(&self) -> impl Iterator<Item = &str> {
        items(&self.users)
    }

    /// The groups it names, in order.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        items(&self.groups)
    }

    /// Its statements: the roles and resources of each, in order.
    pub fn statements(&self) -> Vec<(Vec<&str>, Vec<&str>)> {
        let mut statements: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        let grow = |n: usize, statements: &mut Vec<(Vec<&str>, Vec<&str>)>| {
            while statements.len() <= n {
                statements.push((Vec::new(), Vec::new()));
            }
        };
        for (n, role) in statement_items(&self.roles) {
            grow(n, &mut statements);
            statements[n].0.push(role);
        }
        for (n, resource) in statement_items(&self.resources) {
            grow(n, &mut statements);
            statements[n].1.push(resource);
        }
        statements
    }
}

/// One list of a record, joined in its order: SQLite's `group_concat` and PostgreSQL's
/// `string_agg` (the one place the two dialects part; both take `ORDER BY`).
fn joined(backend: Backend, table: &str, value: &str, order: &str) -> String {
    let (separator, statement_separator) = match backend {
        Backend::Sqlite => ("char(31)", "char(30)"),
        Backend::Postgres => ("chr(31)", "chr(30)"),
    };
    let value = value.replace("{statement}", statement_separator);
    let aggregate = match backend {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    format!(
        "(SELECT {aggregate}({value}, {separator} ORDER BY {order}) FROM {table} l \
         WHERE l.tenant_id = r.tenant_id AND l.record_id = r.record_id)"
    )
}

/// See [`super::Snapshot::record_grants`].
pub(super) async fn grants(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant: &str,
    which: Which<'_>,
) -> Result<Vec<RecordGrants>, StoreError> {
    let selection = match which {
        Which::One(_) => "r.record_id = $2",
        Which::After(..) => "r.record_id > $2 ORDER BY r.record_id LIMIT $3",
    };
    let sql = format!(
        "SELECT r.record_id, r.disabled, r.expires_at, {users} AS users, {groups} AS groups, \
         {roles} AS roles, {resources} AS resources FROM records r \
         WHERE r.tenant_id = $1 AND {selection}",
        users = joined(backend, USERS.0, "user_id", "position"),
        groups = joined(backend, GROUPS.0, "group_id", "position"),
        roles = joined(
            backend,
            ROLES.0,
            "CAST(statement AS TEXT) || {statement} || role_id",
            "statement, position"
        ),
        resources = joined(
            backend,
            RESOURCES.0,
            "CAST(statement AS TEXT) || {statement} || resource",
            "statement, position"
        ),
    );
    let query = sqlx::query(&sql).bind(tenant);
    let query = match which {
        Which::One(id) => query.bind(id),
        Which::After(after, limit) => query.bind(after.unwrap_or("")).bind(limit as i64),
    };
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let expires_at: Option<i64> = row.try_get("expires_at")?;
            Ok(RecordGrants {
                id: row.try_get("record_id")?,
                disabled: row.try_get::<i64, _>("disabled")? != 0,
                expires_at: expires_at.map(Timestamp::from_millis),
                users: row.try_get("users")?,
                groups: row.try_get("groups")?,
                roles: row.try_get("roles")?,
                resources: row.try_get("resources")?,
            })
        })
        .collect()
}
