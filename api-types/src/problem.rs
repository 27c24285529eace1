//! Error answers on the wire: RFC 9457 problem documents with a stable `code`.

use serde::{Deserialize, Serialize};

/// An error answer (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"type": "https://portcullis.dev/problems/validation_failed", "title": "Unprocessable Content",
    "status": 422, "detail": "the request is not valid", "code": "validation_failed",
    "errors": [{"field": "statements[0].roles[0]", "message": "role `editor` does not exist"}]})))]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI naming the kind of problem: `https://portcullis.dev/problems/<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in words.
    pub detail: String,
    /// A stable, machine-readable code: `validation_failed`, `not_found`, `in_use` …
    pub code: String,
    /// Field-level problems (422 answers, and 400 answers about parameters): every field
    /// the server refused, at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The objects that still refer to the one that could not be deleted (409 `in_use`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrers: Vec<Reference>,
    /// The object's current revision (412 `precondition_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<i64>,
}

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Where: a path into the request body (`statements[0].roles[1]`), or a parameter name.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An object that still refers to the one a caller tried to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reference {
    /// Its kind: `record` or `group`.
    pub kind: String,
    /// Its id.
    pub id: String,
}
