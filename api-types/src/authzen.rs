//! The OpenID AuthZEN Authorization API 1.0 on the wire (`…/access/v1/`): the evaluation
//! requests and decisions, and the PDP metadata. Field names are AuthZEN's (snake_case).
//!
//! Every field is optional here so that the server can say which one is missing, and so
//! that, in `evaluations`, a malformed item gets its own error instead of failing the
//! batch: the items are taken as JSON values and read one by one.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// A subject or a resource: its type and its id, unique within the type. `properties` are
/// accepted and not evaluated (see the PDP metadata's `capabilities`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenEntity {
    /// What kind of subject (`user`) or resource (`document`). Required.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Which one. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Accepted and not evaluated.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub properties: Option<IgnoredAny>,
}

/// An action: its name is the permission asked about. `properties` are accepted and not
/// evaluated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenAction {
    /// The permission (`documents:read`, `can_read_todos`). Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Accepted and not evaluated.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub properties: Option<IgnoredAny>,
}

/// One access evaluation: may the subject perform the action on the resource? In an
/// `evaluations` item each part may be left out and is then taken from the request's top
/// level.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"subject": {"type": "user", "id": "ada"}, "resource": {"type": "document", "id": "/orgs/acme/documents/d1"}, "action": {"name": "documents:read"}})))]
pub struct AuthzenEvaluation {
    /// Who asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<AuthzenEntity>,
    /// On what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<AuthzenEntity>,
    /// To do what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AuthzenAction>,
    /// Accepted and not evaluated.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub context: Option<IgnoredAny>,
}

/// How an `evaluations` request runs its items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthzenSemantic {
    /// Every item, every decision (the default).
    #[default]
    ExecuteAll,
    /// Stop at the first deny or error: the answer ends with it.
    DenyOnFirstDeny,
    /// Stop at the first permit: the answer ends with it.
    PermitOnFirstPermit,
}

/// Options of an `evaluations` request; other keys are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenOptions {
    /// `execute_all` (default), `deny_on_first_deny` or `permit_on_first_permit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluations_semantic: Option<AuthzenSemantic>,
}

/// Several evaluations in one request. The top-level `subject`, `resource`, `action` are
/// the defaults of every item; without an `evaluations` array the request is one
/// evaluation of its top level, answered as one decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"subject": {"type": "user", "id": "ada"}, "action": {"name": "documents:read"},
    "evaluations": [{"resource": {"type": "document", "id": "/orgs/acme/documents/d1"}}, {"resource": {"type": "document", "id": "d2"}}]})))]
pub struct AuthzenEvaluations {
    /// The defaults: `subject`, `resource`, `action` (and a `context`, not evaluated).
    #[serde(flatten)]
    pub defaults: AuthzenEvaluation,
    /// The items (up to 1,000), each an [`AuthzenEvaluation`]; read one by one, so that a
    /// malformed item is answered with its own error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<AuthzenEvaluation>>))]
    pub evaluations: Option<Vec<serde_json::Value>>,
    /// How the items run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AuthzenOptions>,
}

/// Why an item of an `evaluations` request could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenError {
    /// The HTTP status the item would have had alone (400).
    pub status: u16,
    /// What is wrong, naming the field.
    pub message: String,
}

/// What comes with a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenContext {
    /// The tenant revision the decision was made at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// The Portcullis userId the subject maps to (see the README's AuthZEN section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The Portcullis resource URI the resource maps to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_uri: Option<String>,
    /// Why the item could not be evaluated (the decision is then `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AuthzenError>,
    /// Set on the item that stopped a short-circuiting `evaluations` request: `200`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Set on the item that stopped a short-circuiting `evaluations` request: the semantic
    /// (`deny_on_first_deny`, `permit_on_first_permit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"decision": true, "context": {"revision": 42}})))]
pub struct AuthzenDecision {
    /// Whether the subject may perform the action on the resource.
    pub decision: bool,
    /// The revision, and for an item that could not be evaluated, why.
    pub context: AuthzenContext,
}

/// The decisions of an `evaluations` request, in request order (ending early under a
/// short-circuiting semantic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenDecisions {
    /// One per item evaluated.
    pub evaluations: Vec<AuthzenDecision>,
}

/// The answer of the `evaluations` endpoint: decisions for an `evaluations` array, one
/// decision without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum AuthzenEvaluationsResponse {
    /// For a request with an `evaluations` array.
    Many(AuthzenDecisions),
    /// For a request without one.
    One(AuthzenDecision),
}

/// A tenant's AuthZEN Policy Decision Point metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenMetadata {
    /// The PDP's identifier: the tenant's URL, `{server}/v1/tenants/{tenantId}`.
    pub policy_decision_point: String,
    /// The evaluation endpoint.
    pub access_evaluation_endpoint: String,
    /// The evaluations endpoint.
    pub access_evaluations_endpoint: String,
    /// The subject search endpoint.
    pub search_subject_endpoint: String,
    /// The resource search endpoint.
    pub search_resource_endpoint: String,
    /// The action search endpoint.
    pub search_action_endpoint: String,
    /// What this PDP does and does not evaluate (URNs): `properties` of subjects,
    /// resources and actions, and `context`, are accepted and ignored.
    pub capabilities: Vec<String>,
}

/// Which page of a search to answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenPageRequest {
    /// The `next_token` of the page before; none for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// At most this many results: 1 to 1,000, default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Accepted and not used.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub properties: Option<IgnoredAny>,
}

/// A search: the entities asked about, the one searched for given by its `type` only
/// (an action searched for is left out).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"subject": {"type": "user"}, "resource": {"type": "document", "id": "d1"}, "action": {"name": "documents:read"}, "page": {"limit": 50}})))]
pub struct AuthzenSearch {
    /// The entities asked about: the one searched for by its `type` only (an action
    /// searched for is left out).
    #[serde(flatten)]
    pub question: AuthzenEvaluation,
    /// Which page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<AuthzenPageRequest>,
}

/// Where a search's answer is in the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenPage {
    /// The token of the next page; empty on the last.
    pub next_token: String,
    /// How many results this page holds.
    pub count: usize,
}

/// The subjects or resources found, of the type asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenEntityResults {
    /// The paging.
    pub page: AuthzenPage,
    /// The entities (`type` and `id`).
    pub results: Vec<AuthzenEntity>,
}

/// The actions found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthzenActionResults {
    /// The paging (one page: a user holds few actions on a resource).
    pub page: AuthzenPage,
    /// The actions (`name`).
    pub results: Vec<AuthzenAction>,
}
