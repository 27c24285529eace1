//! The wire types of the Portcullis REST API (`/v1`): what a client sends (`…In`) and what
//! the server answers (the plain name), for every kind of tenant object. The server and
//! the console both use them, so a renamed field fails to compile instead of showing a
//! blank cell; with the `openapi` feature they carry the OpenAPI schemas the committed spec
//! is generated from.
//!
//! Ids, actions, resource URIs and times are plain strings here: the server parses them
//! (and says which field is wrong); a client only carries them. Times are RFC 3339 in UTC
//! with milliseconds (`2026-12-02T10:00:00.000Z`).
//!
//! An `…In` type accepts the server-set fields of an answer (`createdAt`, `revision` …) and
//! ignores them, so an object read can be sent back as it is; any other unknown field is
//! refused. An answer type has every server-set field, always present and read-only.

mod authzen;
mod decisions;
mod objects;

pub use authzen::*;
pub use decisions::*;
pub use objects::*;
