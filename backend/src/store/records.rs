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
const AUTHORS: (&str, &str, &str) = ("record_authors", "user_id", "user_id");

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
        "record_authors",
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
        let mut authors = list_rows::<Self, _>(conn, tenant, which, &ids, AUTHORS, |row| {
            let user: String = row.try_get("user_id")?;
            parsed("user id", &user, UserId::parse)
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
                    delegated_by: authors.remove(&id).and_then(|mut a| a.pop()),
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
        let mut authors = Vec::new();
        for o in objects {
            let id = Value::Text(&o.id);
            if let Some(author) = &o.object.delegated_by {
                authors.push(vec![id, Value::Text(author.as_str())]);
            }
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
        .await?;
        insert(conn, tenant, AUTHORS.0, &[id, "user_id"], "", &authors).await
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

/// Separates the entries of a page ([`RecordGrantsPage`]); no id, action or resource may
/// hold a control character, so none holds this one.
const ENTRY_SEPARATOR: char = '\u{1f}';
/// Separates the fields of one entry.
const FIELD_SEPARATOR: char = '\u{1e}';

/// What the decision engine reads of a page of access records, read in bulk: the page's
/// records and each of their lists come from the database as one text value per table
/// (entries joined in record order by `group_concat` on SQLite, `string_agg` on PostgreSQL),
/// so that building the index of a tenant of millions costs a few statements per page, not
/// a row per record and list item (a row costs a trip from the database's thread and an
/// allocation per column: at a million records that was most of a restart). Written by this
/// server, so neither parsed again nor checked; [`RecordGrantsPage::records`] walks the
/// lists beside the records, all in the same order.
#[derive(Debug, Clone, Default)]
pub struct RecordGrantsPage {
    /// `id, disabled (0/1), expires_at (unix ms or empty)` per record.
    records: String,
    /// `record id, user id` per record user.
    users: String,
    /// `record id, group id` per record group.
    groups: String,
    /// `record id, statement number, role id` per statement role.
    roles: String,
    /// `record id, statement number, resource` per statement resource.
    resources: String,
}

/// One access record of a [`RecordGrantsPage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordGrants<'a> {
    /// The record's id.
    pub id: &'a str,
    /// Whether it is disabled.
    pub disabled: bool,
    /// When it expires.
    pub expires_at: Option<Timestamp>,
    /// The users it names, in order.
    pub users: Vec<&'a str>,
    /// The groups it names, in order.
    pub groups: Vec<&'a str>,
    /// Its statements: the roles and the resources of each, in order.
    pub statements: Vec<(Vec<&'a str>, Vec<&'a str>)>,
}

/// The entries of one joined list: their fields.
fn entries(joined: &str) -> std::iter::Peekable<impl Iterator<Item = std::str::Split<'_, char>>> {
    joined
        .split(ENTRY_SEPARATOR)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.split(FIELD_SEPARATOR))
        .peekable()
}

/// Takes the entries of `record` from the front of a list (the list is in record order).
fn take_of<'a, I>(
    list: &mut std::iter::Peekable<I>,
    record: &str,
    mut each: impl FnMut(std::str::Split<'a, char>),
) where
    I: Iterator<Item = std::str::Split<'a, char>>,
{
    while let Some(mut fields) = list.next_if(|fields| fields.clone().next() == Some(record)) {
        fields.next();
        each(fields);
    }
}

/// The statement a statement entry's number names, grown to it.
fn statement_at<'s, 'a>(
    statements: &'s mut Vec<(Vec<&'a str>, Vec<&'a str>)>,
    number: Option<&str>,
) -> Option<&'s mut (Vec<&'a str>, Vec<&'a str>)> {
    let n: usize = number?.parse().ok()?;
    while statements.len() <= n {
        statements.push((Vec::new(), Vec::new()));
    }
    statements.get_mut(n)
}

impl RecordGrantsPage {
    /// The id of the page's last record.
    pub fn last_id(&self) -> Option<&str> {
        let last = self.records.rsplit(ENTRY_SEPARATOR).next()?;
        last.split(FIELD_SEPARATOR)
            .next()
            .filter(|id| !id.is_empty())
    }

    /// How many records the page holds.
    pub fn len(&self) -> usize {
        entries(&self.records).count()
    }

    /// Whether the page holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The page's records, in id order.
    pub fn records(&self) -> impl Iterator<Item = RecordGrants<'_>> {
        let mut users = entries(&self.users);
        let mut groups = entries(&self.groups);
        let mut roles = entries(&self.roles);
        let mut resources = entries(&self.resources);
        entries(&self.records).map(move |mut fields| {
            let id = fields.next().unwrap_or_default();
            let disabled = fields.next() == Some("1");
            let expires_at = fields
                .next()
                .and_then(|ms| ms.parse().ok())
                .map(Timestamp::from_millis);
            let mut record = RecordGrants {
                id,
                disabled,
                expires_at,
                users: Vec::new(),
                groups: Vec::new(),
                statements: Vec::new(),
            };
            take_of(&mut users, id, |mut f| record.users.extend(f.next()));
            take_of(&mut groups, id, |mut f| record.groups.extend(f.next()));
            take_of(&mut roles, id, |mut f| {
                if let Some(statement) = statement_at(&mut record.statements, f.next()) {
                    statement.0.extend(f.next());
                }
            });
            take_of(&mut resources, id, |mut f| {
                if let Some(statement) = statement_at(&mut record.statements, f.next()) {
                    statement.1.extend(f.next());
                }
            });
            record
        })
    }
}

/// One table's entries for the records selected, joined in record order and then `order`:
/// SQLite's `group_concat` and PostgreSQL's `string_agg` (the one place the two dialects
/// part; both take `ORDER BY`). `fields` are joined with the field separator.
fn joined(backend: Backend, fields: &[&str], order: &str, from: &str) -> String {
    let (aggregate, chr) = match backend {
        Backend::Sqlite => ("group_concat", "char"),
        Backend::Postgres => ("string_agg", "chr"),
    };
    let entry = fields.join(&format!(" || {chr}(30) || "));
    format!("SELECT {aggregate}({entry}, {chr}(31) ORDER BY {order}) AS page FROM {from}")
}

/// See [`super::Snapshot::record_grants`].
pub(super) async fn grants(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant: &str,
    which: Which<'_>,
) -> Result<RecordGrantsPage, StoreError> {
    let selected = match which {
        Which::One(_) => "records WHERE tenant_id = $1 AND record_id = $2".to_owned(),
        Which::After(..) | Which::Naming(..) => format!(
            "(SELECT record_id, disabled, expires_at FROM records \
             WHERE tenant_id = $1 AND record_id > $2{} ORDER BY record_id LIMIT $3) r",
            which.naming("record_id")
        ),
    };
    let sql = joined(
        backend,
        &[
            "record_id",
            "CAST(disabled AS TEXT)",
            "COALESCE(CAST(expires_at AS TEXT), '')",
        ],
        "record_id",
        &selected,
    );
    let query = sqlx::query(&sql).bind(tenant).bind(which.after());
    let query = match which {
        Which::One(_) => query,
        Which::After(_, limit) => query.bind(limit as i64),
        Which::Naming(_, limit, naming) => query.bind(limit as i64).bind(naming.value()),
    };
    let records: Option<String> = query.fetch_one(&mut *conn).await?.try_get("page")?;
    let mut page = RecordGrantsPage {
        records: records.unwrap_or_default(),
        ..RecordGrantsPage::default()
    };
    let Some(last) = page.last_id().map(str::to_owned) else {
        return Ok(page);
    };
    let range = match which {
        Which::One(_) => "record_id = $2".to_owned(),
        Which::After(..) | Which::Naming(..) => format!(
            "record_id > $2 AND record_id <= $3{}",
            which.naming("record_id")
        ),
    };
    for (list, table, fields, order) in [
        (
            &mut page.users,
            USERS.0,
            &["record_id", "user_id"][..],
            "record_id, position",
        ),
        (
            &mut page.groups,
            GROUPS.0,
            &["record_id", "group_id"][..],
            "record_id, position",
        ),
        (
            &mut page.roles,
            ROLES.0,
            &["record_id", "CAST(statement AS TEXT)", "role_id"][..],
            "record_id, statement, position",
        ),
        (
            &mut page.resources,
            RESOURCES.0,
            &["record_id", "CAST(statement AS TEXT)", "resource"][..],
            "record_id, statement, position",
        ),
    ] {
        let sql = joined(
            backend,
            fields,
            order,
            &format!("{table} WHERE tenant_id = $1 AND {range}"),
        );
        let query = sqlx::query(&sql).bind(tenant).bind(which.after());
        let query = match which {
            Which::One(_) => query,
            Which::After(..) => query.bind(last.as_str()),
            Which::Naming(_, _, naming) => query.bind(last.as_str()).bind(naming.value()),
        };
        let joined: Option<String> = query.fetch_one(&mut *conn).await?.try_get("page")?;
        *list = joined.unwrap_or_default();
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(entries: &[&[&str]]) -> String {
        entries
            .iter()
            .map(|fields| fields.join(&FIELD_SEPARATOR.to_string()))
            .collect::<Vec<_>>()
            .join(&ENTRY_SEPARATOR.to_string())
    }

    /// The lists are walked beside the records: a record without a list's entries takes
    /// none of the next record's, statements fill in by number (past 9 too), and a
    /// statement with resources but no roles keeps its place.
    #[test]
    fn a_page_walks_its_lists_beside_its_records() {
        let page = RecordGrantsPage {
            records: joined(&[
                &["a", "0", ""],
                &["b", "1", "1700000000000"],
                &["c", "0", ""],
            ]),
            users: joined(&[&["a", "u1"], &["a", "u2"], &["c", "u3"]]),
            groups: joined(&[&["b", "g1"]]),
            roles: joined(&[
                &["a", "0", "viewer"],
                &["a", "10", "editor"],
                &["c", "1", "owner"],
            ]),
            resources: joined(&[&["a", "0", "/x"], &["a", "10", "/y"], &["b", "0", "/z"]]),
        };
        assert_eq!(page.len(), 3);
        assert_eq!(page.last_id(), Some("c"));
        let records: Vec<_> = page.records().collect();
        assert_eq!(records[0].id, "a");
        assert!(!records[0].disabled);
        assert_eq!(records[0].users, ["u1", "u2"]);
        assert!(records[0].groups.is_empty());
        assert_eq!(records[0].statements.len(), 11);
        assert_eq!(records[0].statements[0], (vec!["viewer"], vec!["/x"]));
        assert_eq!(records[0].statements[10], (vec!["editor"], vec!["/y"]));
        assert_eq!(records[1].id, "b");
        assert!(records[1].disabled);
        assert_eq!(
            records[1].expires_at,
            Some(Timestamp::from_millis(1_700_000_000_000))
        );
        assert!(records[1].users.is_empty());
        assert_eq!(records[1].groups, ["g1"]);
        assert_eq!(records[1].statements, [(vec![], vec!["/z"])]);
        assert_eq!(records[2].users, ["u3"]);
        assert_eq!(
            records[2].statements,
            [(vec![], vec![]), (vec!["owner"], vec![])]
        );
        assert!(RecordGrantsPage::default().records().next().is_none());
        assert_eq!(RecordGrantsPage::default().last_id(), None);
    }
}
