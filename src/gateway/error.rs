//! Errors of the sandbox APIs: JSON with a stable code and a message a
//! developer understands.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::sandbox::payments::Refused;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDto {
    /// Stable code, e.g. `TOKEN_EXPIRED`, `NOT_SUBSCRIBED`, `ACCESS_EXCEEDED`.
    #[schema(example = "TOKEN_EXPIRED")]
    pub error: String,
    #[schema(example = "access token expired")]
    pub message: String,
}

#[derive(Debug)]
pub struct GatewayError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl GatewayError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GatewayError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_UNKNOWN",
            format!("{what} is not known for this customer."),
        )
    }

    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after: u64) -> Self {
        GatewayError {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    pub fn internal(e: anyhow::Error) -> Self {
        tracing::error!(error = %format!("{e:#}"), "sandbox call failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Something went wrong in the sandbox. Try again.",
        )
    }
}

impl From<Refused> for GatewayError {
    fn from(r: Refused) -> Self {
        let status = match r.code {
            "KYC_INVALID" | "PSU_UNDER_16" => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        GatewayError::new(status, r.code, r.message)
    }
}

impl From<anyhow::Error> for GatewayError {
    fn from(e: anyhow::Error) -> Self {
        GatewayError::internal(e)
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(ErrorDto {
                error: self.code.into(),
                message: self.message,
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750 §3: no error code when no token came, invalid_token otherwise.
            let challenge = match self.code {
                "TOKEN_MISSING" => "Bearer realm=\"sandbox\"",
                _ => "Bearer realm=\"sandbox\", error=\"invalid_token\"",
            };
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}
