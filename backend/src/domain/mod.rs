//! The vocabulary of Portcullis: identifiers, actions, resource patterns, timestamps and the
//! limits from SPEC.md. Values are parsed once at the edge ("parse, don't validate"): a value
//! of one of these types is known to be well formed. No I/O happens here.

mod ids;
pub mod matching;
mod model;
pub mod text;
mod time;

pub use ids::{Action, IdError, ObjectId, ResourcePattern, TenantId, UserId};
pub use model::{
    AccessRecord, ApiKey, Group, Issuer, IssuerKeys, Limits, PermissionEntry, RecordStatus,
    ResourceConfig, Role, Scope, Statement, TokenAlgorithm, User, UserStatus,
};
pub use time::{Timestamp, now};
