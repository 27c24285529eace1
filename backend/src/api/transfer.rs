//! `/v1/tenants/{tenantId}/import` and `/export`: a tenant as one NDJSON document, streamed
//! both ways (the format is described in `service::transfer`).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, Read, Write};
use super::{ApiError, AppState, with_revision};
use crate::domain::Limits;
use crate::domain::text::{control_message, first_control};
use crate::service::{IMPORT_MAX_BYTES, Import};

/// The media type of the document.
const NDJSON: &str = "application/x-ndjson";
/// The media types an import is accepted as.
const ACCEPTED: [&str; 4] = [
    NDJSON,
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
];

/// What an import wrote.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"revision": 42, "counts": {"role": 3, "group": 2, "user": 20000, "record": 100000}}))]
pub struct ImportResult {
    /// The tenant revision the import committed as.
    #[schema(read_only)]
    pub revision: i64,
    /// Objects created or replaced, per kind (`role`, `group`, `resource`, `user`,
    /// `record`); users registered because a record or group names them are not counted.
    #[schema(read_only)]
    pub counts: BTreeMap<String, u64>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "an import is at most {} MiB; split the tenant into several imports",
            IMPORT_MAX_BYTES >> 20
        ),
    )
}

/// Feeds the lines of an NDJSON body to the import as they arrive.
async fn read_lines(import: &mut Import<'_>, body: Body) -> Result<(), ApiError> {
    let mut stream = body.into_data_stream();
    let mut buffer: Vec<u8> = Vec::new();
    let mut received = 0usize;
    let mut line = 0usize;
    loop {
        let chunk = match stream.next().await {
            Some(Ok(chunk)) => Some(chunk),
            Some(Err(error)) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_request",
                    format!("the body could not be read: {error}"),
                ));
            }
            None => None,
        };
        let done = chunk.is_none();
        if let Some(chunk) = chunk {
            received += chunk.len();
            if received > IMPORT_MAX_BYTES {
                return Err(too_large());
            }
            buffer.extend_from_slice(&chunk);
        }
        let mut start = 0;
        while let Some(end) = buffer[start..].iter().position(|b| *b == b'\n') {
            line += 1;
            take_line(import, line, &buffer[start..start + end]).await?;
            start += end + 1;
        }
        buffer.drain(..start);
        if done {
            if !buffer.is_empty() {
                line += 1;
                take_line(import, line, &buffer).await?;
            }
            return Ok(());
        }
        if buffer.len() > Limits::BODY_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("line {} is longer than 1 MiB", line + 1),
            ));
        }
    }
}

async fn take_line(import: &mut Import<'_>, line: usize, bytes: &[u8]) -> Result<(), ApiError> {
    if import.is_full() {
        return Ok(());
    }
    if bytes.len() > Limits::BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("line {line} is longer than 1 MiB"),
        ));
    }
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => match first_control(text) {
            // Raw control characters are not JSON; the escaped ones are looked for by
            // the import, field by field.
            Some(c) => import.refuse_line(line, control_message(c)),
            None => import.line(line, text).await?,
        },
        Err(_) => import.refuse_line(line, "is not UTF-8"),
    }
    Ok(())
}

/// Import objects into a tenant
///
/// The body is NDJSON (`application/x-ndjson`, up to 1 GiB, each line up to 1 MiB): an
/// optional header line `{"kind":"portcullis-export","version":1}`, then one object per
/// line, `{"kind": "role" | "group" | "resource" | "user" | "record", …the object}`, as
/// `GET …/export` writes them. Every object needs its id; objects are created or
/// replaced, objects not named are kept. All or nothing: any problem refuses the whole
/// import with up to 100 field errors named `lines[N].field` (lines count from 1), and
/// nothing changes; a valid import is one revision with one `tenant.import` audit event.
#[utoipa::path(post, path = "/v1/tenants/{tenantId}/import", tag = "transfer", operation_id = "importTenant",
    params(("tenantId" = String, Path, description = "The tenant")),
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One object per line, as the export writes them"),
    responses((status = 200, description = "Imported as one revision", body = ImportResult)))]
async fn import(
    State(state): State<AppState>,
    Access(access, ..): Access<Write>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !media.as_deref().is_some_and(|m| ACCEPTED.contains(&m)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the import as `{NDJSON}`"),
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > IMPORT_MAX_BYTES as u64) {
        return Err(too_large());
    }
    let mut import = state
        .service
        .begin_import(&access.tenant, access.actor())
        .await?;
    read_lines(&mut import, body).await?;
    let (revision, counts) = import.finish().await?;
    let result = ImportResult {
        revision,
        counts: counts
            .into_iter()
            .map(|(kind, n)| (kind.to_owned(), n))
            .collect(),
    };
    Ok(with_revision(axum::Json(result).into_response(), revision))
}

/// Export a tenant
///
/// The tenant's roles, groups, resource configs, users and access records as NDJSON, one
/// object per line after a header line, all at one revision (the `Portcullis-Revision`
/// header), streamed as it is read. API keys are not exported. Importing the document into
/// an empty tenant and exporting that gives the same document.
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/export", tag = "transfer", operation_id = "exportTenant",
    params(("tenantId" = String, Path, description = "The tenant")),
    responses((status = 200, description = "The tenant as NDJSON", content_type = "application/x-ndjson", body = String)))]
async fn export(
    State(state): State<AppState>,
    Access(access, ..): Access<Read>,
) -> Result<Response, ApiError> {
    let export = state.service.export(&access.tenant).await?;
    let revision = export.revision();
    let chunks = futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(export))),
            Ok(None) => None,
            Err(error) => {
                // The status is sent already: end the body short, so the client sees an
                // incomplete document rather than a complete-looking one.
                tracing::error!(%error, "export failed mid-way");
                Some((Err(std::io::Error::other(error.to_string())), None))
            }
        }
    });
    let mut response = Body::from_stream(chunks).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(NDJSON));
    Ok(with_revision(response, revision))
}

/// The transfer routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(export))
}
