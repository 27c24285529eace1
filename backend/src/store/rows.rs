//! What the typed tables share: the bookkeeping columns, which rows a read selects, and
//! the multi-row statements every bulk write is made of.

use std::collections::HashMap;
use std::future::Future;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Backend, StoreError};
use crate::domain::{IdError, Timestamp};

/// Bound parameters per statement of a bulk write. SQLite finds a `$N` parameter's name by
/// walking a list of all of them, so binding costs grows with the square of their number:
/// at 800 parameters a statement the lookup was 30% of an import's time, at 200 12%; more,
/// smaller statements cost little.
pub(super) const BULK_PARAMETERS: usize = 120;

/// `$first, $first+1, …` for `count` parameters.
pub(super) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bookkeeping of a stored object: the revision of its last change, when it was
/// created and last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The tenant revision of the object's last change.
    pub revision: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Stamp {
    pub(super) fn of(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            revision: row.try_get("revision")?,
            created_at: Timestamp::from_millis(row.try_get("created_at")?),
            updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
        })
    }
}

/// One object to write: its id, its content and its bookkeeping.
#[derive(Debug, Clone)]
pub struct Stamped<K> {
    /// The object's id.
    pub id: String,
    /// The object (its own id and bookkeeping fields are not read).
    pub object: K,
    /// Its bookkeeping.
    pub stamp: Stamp,
}

/// Which objects of a kind a read selects.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// The one with this id.
    One(&'a str),
    /// Up to `limit` in id order, after this id.
    After(Option<&'a str>, usize),
    /// Up to `limit` in id order, after this id, of those whose list names something.
    Naming(Option<&'a str>, usize, Naming<'a>),
}

/// What the objects a [`Which::Naming`] read selects must have: a list naming something,
/// or an id that starts with some text. Each is bound to `$4` and found through an index.
#[derive(Debug, Clone, Copy)]
pub enum Naming<'a> {
    /// The objects whose list table `table` holds `value` in `column`: the records naming
    /// a user, the groups a user is a member of. Each such column is indexed by
    /// (`tenant_id`, column).
    Listed {
        /// The list table (`record_users`).
        table: &'static str,
        /// Its column holding what is named (`user_id`).
        column: &'static str,
        /// What must be named.
        value: &'a str,
    },
    /// The objects whose id starts with this text (a type-ahead's "ed…"): a range of the
    /// primary key, every id being printable ASCII, below U+007F.
    IdPrefix(&'a str),
}

impl<'a> Naming<'a> {
    /// The value bound to `$4`.
    pub(super) fn value(&self) -> &'a str {
        match *self {
            Naming::Listed { value, .. } | Naming::IdPrefix(value) => value,
        }
    }

    /// The condition (`AND …`) on the objects of id column `id`.
    fn condition(&self, id: &str) -> String {
        match self {
            Naming::Listed { table, column, .. } => format!(
                " AND {id} IN (SELECT {id} FROM {table} WHERE tenant_id = $1 AND {column} = $4)"
            ),
            Naming::IdPrefix(_) => format!(" AND {id} >= $4 AND {id} < ($4 || '\x7f')"),
        }
    }
}

impl<'a> Which<'a> {
    /// The id a page starts after (the one id, for [`Which::One`]).
    pub(super) fn after(&self) -> &str {
        match *self {
            Which::One(id) => id,
            Which::After(after, _) | Which::Naming(after, _, _) => after.unwrap_or(""),
        }
    }

    /// The condition (`AND …`, bound to `$4`) that keeps the objects of id column `id`
    /// this read selects by what they name; empty when it selects by id only.
    pub(super) fn naming(&self, id: &str) -> String {
        match self {
            Which::Naming(_, _, n) => n.condition(id),
            _ => String::new(),
        }
    }

    /// `query` with [`Which::naming`]'s `$4` bound, when it has one.
    pub(super) fn bind_naming<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>
    where
        'a: 'q,
    {
        match self {
            Which::Naming(_, _, naming) => query.bind(naming.value()),
            _ => query,
        }
    }
}

/// A kind of tenant object kept in typed tables: a table of main rows (`tenant_id`, the
/// id, the kind's own columns, then `revision`, `created_at`, `updated_at`) and tables of
/// its lists, whose rows go with it (`ON DELETE CASCADE`).
pub trait Table: Sized + Send + Sync + 'static {
    /// The kind's name (`role`), as in audit actions and the change feed.
    const KIND: &'static str;
    /// The table of main rows.
    const TABLE: &'static str;
    /// Its id column.
    const ID: &'static str;
    /// The tables of its lists, keyed by (`tenant_id`, the id column).
    const LISTS: &'static [&'static str];

    /// The objects selected, in id order, with their id and bookkeeping set.
    fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> impl Future<Output = Result<Vec<Self>, StoreError>> + Send;

    /// Inserts or replaces objects, their lists included. A replaced object keeps its
    /// creation time. `fresh`: none of them exists yet (their lists need no deleting).
    fn write(
        conn: &mut AnyConnection,
        tenant: &str,
        objects: &[Stamped<Self>],
        fresh: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The object with its id and bookkeeping set, as a read would return it.
    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError>;
}

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value<'a> {
    Text(&'a str),
    MaybeText(Option<&'a str>),
    Int(i64),
    MaybeInt(Option<i64>),
}

/// The main rows a read selects: `columns` (the id and bookkeeping columns are added).
pub(super) async fn main_rows<K: Table>(
    conn: &mut AnyConnection,
    tenant: &str,
    columns: &str,
    which: Which<'_>,
) -> Result<Vec<(String, Stamp, AnyRow)>, StoreError> {
    let select = format!(
        "SELECT {id}, {columns}, revision, created_at, updated_at FROM {table} WHERE tenant_id = $1",
        id = K::ID,
        table = K::TABLE
    );
    let rows = match which {
        Which::One(id) => {
            sqlx::query(&format!("{select} AND {} = $2", K::ID))
                .bind(tenant)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        Which::After(_, limit) | Which::Naming(_, limit, _) => {
            let sql = format!(
                "{select} AND {id} > $2{naming} ORDER BY {id} LIMIT $3",
                id = K::ID,
                naming = which.naming(K::ID)
            );
            let query = sqlx::query(&sql)
                .bind(tenant)
                .bind(which.after())
                .bind(limit as i64);
            which.bind_naming(query).fetch_all(&mut *conn).await?
        }
    };
    rows.into_iter()
        .map(|row| Ok((row.try_get(K::ID)?, Stamp::of(&row)?, row)))
        .collect()
}

/// The rows of list `table` that belong to the main rows read for `which` (whose ids are
/// `ids`, in order), grouped by owner id, each group ordered by `order`.
pub(super) async fn list_rows<K: Table, T>(
    conn: &mut AnyConnection,
    tenant: &str,
    which: Which<'_>,
    ids: &[&str],
    (table, columns, order): (&str, &str, &str),
    mut item: impl FnMut(&AnyRow) -> Result<T, StoreError>,
) -> Result<HashMap<String, Vec<T>>, StoreError> {
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(HashMap::new());
    };
    let select = format!(
        "SELECT {id}, {columns} FROM {table} WHERE tenant_id = $1",
        id = K::ID
    );
    let rows = if first == last {
        sqlx::query(&format!("{select} AND {} = $2 ORDER BY {order}", K::ID))
            .bind(tenant)
            .bind(*first)
            .fetch_all(&mut *conn)
            .await?
    } else {
        let sql = format!(
            "{select} AND {id} > $2 AND {id} <= $3{naming} ORDER BY {id}, {order}",
            id = K::ID,
            naming = which.naming(K::ID)
        );
        let query = sqlx::query(&sql)
            .bind(tenant)
            .bind(which.after())
            .bind(*last);
        which.bind_naming(query).fetch_all(&mut *conn).await?
    };
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for row in &rows {
        let owner: String = row.try_get(K::ID)?;
        grouped.entry(owner).or_default().push(item(row)?);
    }
    Ok(grouped)
}

/// Parses a stored value with the domain's parser; a value it refuses is corruption.
pub(super) fn parsed<T>(
    what: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, IdError>,
) -> Result<T, StoreError> {
    parse(text).map_err(|e| StoreError::Corrupt {
        what: format!("{what} `{text}`"),
        detail: e.0,
    })
}

/// Bound parameters per statement of a bulk insert on SQLite, where [`insert`] binds by
/// position (`?`), which costs the same per parameter however many a statement has.
const SQLITE_INSERT_PARAMETERS: usize = 960;

/// Inserts `rows` into `table`: `tenant_id` and then `columns`, one value per column per
/// row, ending in `conflict` (`ON CONFLICT …`, or empty). On SQLite the placeholders are
/// positional (`?`), not `$N`: SQLite finds a named parameter by walking the list of all of
/// them (see [`BULK_PARAMETERS`]), and a bulk import is mostly these statements.
pub(super) async fn insert(
    conn: &mut AnyConnection,
    tenant: &str,
    table: &str,
    columns: &[&str],
    conflict: &str,
    rows: &[Vec<Value<'_>>],
) -> Result<(), StoreError> {
    let positional = Backend::of(conn) == Backend::Sqlite;
    let width = columns.len() + 1;
    let parameters = if positional {
        SQLITE_INSERT_PARAMETERS
    } else {
        BULK_PARAMETERS
    };
    let per_statement = (parameters / width).max(1);
    let positional_row = format!("({})", vec!["?"; width].join(", "));
    for chunk in rows.chunks(per_statement) {
        let values = (0..chunk.len())
            .map(|i| {
                if positional {
                    positional_row.clone()
                } else {
                    format!("({})", placeholders(1 + i * width, width))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {table} (tenant_id, {}) VALUES {values} {conflict}",
            columns.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            debug_assert_eq!(row.len(), columns.len());
            query = query.bind(tenant);
            for value in row {
                query = match *value {
                    Value::Text(text) => query.bind(text),
                    Value::MaybeText(text) => query.bind(text),
                    Value::Int(number) => query.bind(number),
                    Value::MaybeInt(number) => query.bind(number),
                };
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts or replaces the main rows of objects: `tenant_id`, the id, `columns`, then the
/// bookkeeping; a replaced row keeps its `created_at`.
pub(super) async fn upsert_main<K: Table>(
    conn: &mut AnyConnection,
    tenant: &str,
    columns: &[&str],
    rows: Vec<Vec<Value<'_>>>,
) -> Result<(), StoreError> {
    let mut all = vec![K::ID];
    all.extend_from_slice(columns);
    all.extend_from_slice(&["revision", "created_at", "updated_at"]);
    let updates: Vec<String> = columns
        .iter()
        .chain(&["revision", "updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let conflict = format!(
        "ON CONFLICT (tenant_id, {}) DO UPDATE SET {}",
        K::ID,
        updates.join(", ")
    );
    insert(conn, tenant, K::TABLE, &all, &conflict, &rows).await
}

/// The values of an object's main row, as [`upsert_main`] takes them: its id, the kind's
/// own columns (`own`), then its bookkeeping.
pub(super) fn main_row<'a, K>(
    object: &'a Stamped<K>,
    own: impl IntoIterator<Item = Value<'a>>,
) -> Vec<Value<'a>> {
    let mut row = vec![Value::Text(&object.id)];
    row.extend(own);
    row.extend([
        Value::Int(object.stamp.revision),
        Value::Int(object.stamp.created_at.millis()),
        Value::Int(object.stamp.updated_at.millis()),
    ]);
    row
}

/// Deletes the list rows of objects about to be rewritten.
pub(super) async fn clear_lists<K: Table>(
    conn: &mut AnyConnection,
    tenant: &str,
    objects: &[Stamped<K>],
) -> Result<(), StoreError> {
    for chunk in objects.chunks(BULK_PARAMETERS) {
        for table in K::LISTS {
            let sql = format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND {} IN ({})",
                K::ID,
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant);
            for object in chunk {
                query = query.bind(object.id.as_str());
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}
