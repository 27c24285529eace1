//! The identity providers a tenant trusts (SPEC §6), and what verifying a token reads.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::rows::{Stamp, Stamped, Table, Value, Which, main_row, main_rows, parsed, upsert_main};
use crate::domain::{Issuer, IssuerKeys, ObjectId, TokenAlgorithm};

const COLUMNS: [&str; 6] = [
    "name",
    "issuer",
    "audiences",
    "jwks_url",
    "jwks",
    "algorithms",
];

fn corrupt(id: &str, what: &str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: format!("{what} of issuer `{id}`"),
        detail: detail.to_string(),
    }
}

fn issuer_of(id: &str, stamp: Stamp, row: &sqlx::any::AnyRow) -> Result<Issuer, StoreError> {
    let audiences: String = row.try_get("audiences")?;
    let algorithms: String = row.try_get("algorithms")?;
    let jwks_url: Option<String> = row.try_get("jwks_url")?;
    let jwks: Option<String> = row.try_get("jwks")?;
    let keys = match (jwks_url, jwks) {
        (Some(url), None) => IssuerKeys::JwksUrl(url),
        (None, Some(document)) => {
            IssuerKeys::Inline(serde_json::from_str(&document).map_err(|e| corrupt(id, "keys", e))?)
        }
        _ => return Err(corrupt(id, "keys", "not exactly one of jwks_url and jwks")),
    };
    Issuer {
        issuer_id: None,
        name: row.try_get("name")?,
        issuer: row.try_get("issuer")?,
        audiences: serde_json::from_str(&audiences).map_err(|e| corrupt(id, "audiences", e))?,
        keys,
        algorithms: algorithms
            .split_whitespace()
            .map(|name| {
                TokenAlgorithm::parse(name)
                    .ok_or_else(|| corrupt(id, "algorithms", format!("unknown `{name}`")))
            })
            .collect::<Result<_, _>>()?,
        created_at: None,
        updated_at: None,
        revision: None,
    }
    .stamped(id, stamp)
}

impl Table for Issuer {
    const KIND: &'static str = "issuer";
    const TABLE: &'static str = "issuers";
    const ID: &'static str = "issuer_id";
    const LISTS: &'static [&'static str] = &[];

    async fn read(
        conn: &mut AnyConnection,
        tenant: &str,
        which: Which<'_>,
    ) -> Result<Vec<Self>, StoreError> {
        let main = main_rows::<Self>(conn, tenant, &COLUMNS.join(", "), which).await?;
        main.iter()
            .map(|(id, stamp, row)| issuer_of(id, *stamp, row))
            .collect()
    }

    async fn write(
        conn: &mut AnyConnection,
        tenant: &str,
        objects: &[Stamped<Self>],
        _fresh: bool,
    ) -> Result<(), StoreError> {
        let texts: Vec<(String, String, Option<String>)> = objects
            .iter()
            .map(|o| {
                let issuer = &o.object;
                let algorithms: Vec<&str> = issuer.algorithms.iter().map(|a| a.as_str()).collect();
                (
                    serde_json::Value::from(issuer.audiences.clone()).to_string(),
                    algorithms.join(" "),
                    match &issuer.keys {
                        IssuerKeys::Inline(document) => Some(document.to_string()),
                        IssuerKeys::JwksUrl(_) => None,
                    },
                )
            })
            .collect();
        let main = objects
            .iter()
            .zip(&texts)
            .map(|(o, (audiences, algorithms, jwks))| {
                let jwks_url = match &o.object.keys {
                    IssuerKeys::JwksUrl(url) => Some(url.as_str()),
                    IssuerKeys::Inline(_) => None,
                };
                main_row(
                    o,
                    [
                        Value::Text(&o.object.name),
                        Value::Text(&o.object.issuer),
                        Value::Text(audiences),
                        Value::MaybeText(jwks_url),
                        Value::MaybeText(jwks.as_deref()),
                        Value::Text(algorithms),
                    ],
                )
            })
            .collect();
        upsert_main::<Self>(conn, tenant, &COLUMNS, main).await
    }

    fn stamped(self, id: &str, stamp: Stamp) -> Result<Self, StoreError> {
        Ok(Issuer {
            issuer_id: Some(parsed("issuer id", id, ObjectId::parse)?),
            created_at: Some(stamp.created_at),
            updated_at: Some(stamp.updated_at),
            revision: Some(stamp.revision),
            ..self
        })
    }
}
