//! The wire types of the Portcullis REST API (`/v1`): what a client sends (`…In`) and what
//! the server answers (the plain name), for every kind of tenant object, tenants, console
//! accounts and members, sessions, the audit log, and the problem documents of errors.
//! The server and the console both use them, so a renamed field fails to compile instead of
//! showing a blank cell; with the `openapi` feature they carry the OpenAPI schemas the
//! committed spec is generated from.
//!
//! Ids, actions, resource URIs and times are plain strings here: the server parses them
//! (and says which field is wrong); a client only carries them. Times are RFC 3339 in UTC
//! with milliseconds (`2026-12-02T10:00:00.000Z`).
//!
//! An `…In` type accepts the server-set fields of an answer (`createdAt`, `revision` …) and
//! ignores them, so an object read can be sent back as it is; any other unknown field is
//! refused. An answer type has every server-set field, always present and read-only.

#[macro_use]
mod macros {
    /// The server-set fields an `…In` type accepts and ignores.
    macro_rules! ignored_fields {
        ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
            $(#[$meta])*
            pub struct $name {
                $($body)*
                /// Ignored: set by the server.
                #[serde(default, skip_serializing)]
                #[cfg_attr(feature = "openapi", schema(ignore))]
                pub created_at: Option<IgnoredAny>,
                /// Ignored: set by the server.
                #[serde(default, skip_serializing)]
                #[cfg_attr(feature = "openapi", schema(ignore))]
                pub updated_at: Option<IgnoredAny>,
                /// Ignored: set by the server.
                #[serde(default, skip_serializing)]
                #[cfg_attr(feature = "openapi", schema(ignore))]
                pub revision: Option<IgnoredAny>,
            }
        };
    }

    /// One page of a list of `$item`.
    macro_rules! list {
        ($name:ident, $item:ident, $what:literal) => {
            list!($name, $item, $what, "in id order");
        };
        ($name:ident, $item:ident, $what:literal, $order:literal) => {
            #[doc = concat!("One page of ", $what, ", ", $order, ".")]
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
            #[serde(rename_all = "camelCase")]
            pub struct $name {
                /// The items.
                pub items: Vec<$item>,
                /// Pass as `cursor` to get the next page; absent on the last page.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub next_cursor: Option<String>,
            }
        };
    }
}

mod accounts;
mod audit;
mod authzen;
mod decisions;
mod objects;
mod problem;
mod tenants;

pub use accounts::*;
pub use audit::*;
pub use authzen::*;
pub use decisions::*;
pub use objects::*;
pub use problem::*;
pub use tenants::*;
