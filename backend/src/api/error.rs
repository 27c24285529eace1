//! RFC 9457 problem documents: every error the API answers, with a stable `code`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use portcullis_api::Problem;

use crate::service::{FieldError, ServiceError};

/// An error on its way to becoming a problem document.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    problem: Box<Problem>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem with a status, a stable code and a detail.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            problem: Box::new(Problem {
                problem_type: format!("https://portcullis.dev/problems/{code}"),
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                code: code.to_owned(),
                errors: Vec::new(),
                referrers: Vec::new(),
                current_revision: None,
            }),
            retry_after: None,
        }
    }

    /// 429: the credential sent more requests than its rate allows; retry after `wait`.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        Self::too_many(
            "rate_limited",
            "this credential sent too many requests",
            wait,
        )
    }

    /// 429 with `code`: retry after `wait` (rounded up to whole seconds, in `Retry-After`).
    pub fn too_many(code: &str, what: &str, wait: std::time::Duration) -> Self {
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            code,
            format!("{what}; retry in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        error
    }

    /// Adds field errors.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.problem.errors = errors;
        self
    }

    /// The same problem answered with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self.problem.status = status.as_u16();
        self.problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
        self
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem document it answers with.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let detail = error.to_string();
        match error {
            ServiceError::Unauthenticated(_) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
            }
            ServiceError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail),
            ServiceError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", detail),
            ServiceError::BadRequest { code, .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, detail)
            }
            ServiceError::AlreadyExists(_) => {
                ApiError::new(StatusCode::CONFLICT, "already_exists", detail)
            }
            ServiceError::InUse { referrers, .. } => {
                let mut error = ApiError::new(StatusCode::CONFLICT, "in_use", detail);
                error.problem.referrers = referrers;
                error
            }
            ServiceError::Conflict { code, .. } => {
                ApiError::new(StatusCode::CONFLICT, code, detail)
            }
            ServiceError::PreconditionFailed { current } => {
                let mut error = ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "precondition_failed",
                    detail,
                );
                error.problem.current_revision = Some(current);
                error
            }
            ServiceError::Invalid(errors) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                detail,
            )
            .with_errors(errors),
            ServiceError::LimitExceeded(errors) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "limit_exceeded", detail)
                    .with_errors(errors)
            }
            ServiceError::Unavailable(_) => {
                let mut error = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "revision_unavailable",
                    detail,
                );
                error.retry_after = Some(1);
                error
            }
            ServiceError::DelegationExceeded(errors) => {
                ApiError::new(StatusCode::FORBIDDEN, "delegation_exceeded", detail)
                    .with_errors(errors)
            }
            ServiceError::TokenRefused { code, .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, code, detail)
            }
            ServiceError::IssuerUnreachable(_) => {
                let mut error = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "issuer_unreachable",
                    detail,
                );
                error.retry_after = Some(5);
                error
            }
            ServiceError::Internal(error) => {
                tracing::error!(%error, "internal failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "the server could not complete the request; it has been logged",
                )
            }
            ServiceError::Store(error) => {
                // The cause goes to the log, not to the caller.
                tracing::error!(%error, "storage failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "the server could not complete the request; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Routes that match no endpoint.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// Methods an endpoint does not have.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "the endpoint does not support this method",
    )
}
