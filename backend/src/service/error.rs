//! What can go wrong in a use-case, in terms the API turns into problem documents.

pub use portcullis_api::{FieldError, Reference};

use crate::store::StoreError;

/// Why a use-case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No credential, or one that is unknown or expired.
    #[error("{0}")]
    Unauthenticated(String),
    /// A user's identity token was refused; `code` names the check that failed.
    #[error("{detail}")]
    TokenRefused {
        /// The stable code (`token_expired` …).
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The credential is good but lacks the scope.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there, or nothing the credential may know of.
    #[error("{0}")]
    NotFound(String),
    /// A malformed request: a bad id, cursor or parameter.
    #[error("{detail}")]
    BadRequest {
        /// The stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The object to create exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// The object to delete is still referred to.
    #[error("{detail}")]
    InUse {
        /// What is wrong.
        detail: String,
        /// Who refers to it.
        referrers: Vec<Reference>,
    },
    /// The change would break a rule of the platform (it would remove the last platform
    /// admin account).
    #[error("{detail}")]
    Conflict {
        /// The stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// `If-Match` named another revision than the current one.
    #[error("the object is at revision {current}, not the one named in `If-Match`")]
    PreconditionFailed {
        /// The object's current revision.
        current: i64,
    },
    /// Field-level problems with the request body.
    #[error("the request is not valid")]
    Invalid(Vec<FieldError>),
    /// A size limit of SPEC.md was exceeded.
    #[error("a limit was exceeded")]
    LimitExceeded(Vec<FieldError>),
    /// The answer cannot be given now (a `minRevision` this process cannot reach in time).
    #[error("{0}")]
    Unavailable(String),
    /// A record written through `/me` gives more than its author may give: each field
    /// names one gift and what it needs.
    #[error("the record gives more than you may give")]
    DelegationExceeded(Vec<FieldError>),
    /// A trusted issuer's keys cannot be fetched and none are cached: a token of it can be
    /// judged neither way now.
    #[error("{0}")]
    IssuerUnreachable(String),
    /// Something inside the server failed (password hashing); logged, not shown.
    #[error("{0}")]
    Internal(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// A 404 for a missing object of a kind.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::NotFound(format!("{kind} `{id}` does not exist"))
    }

    /// A stored document (`what`) that no longer reads: a bug or a hand-edited database.
    pub fn corrupt(what: impl std::fmt::Display, detail: impl std::fmt::Display) -> Self {
        Self::Store(StoreError::Corrupt {
            what: what.to_string(),
            detail: detail.to_string(),
        })
    }

    /// A 400 for an ill-formed identifier in the path.
    pub fn bad_id(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code: "invalid_id",
            detail: detail.into(),
        }
    }
}
