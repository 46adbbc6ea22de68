//! One error type for the portal. A user sees a friendly page with a message
//! they can act on; an internal error shows only a request id, and its detail
//! goes to the log under that id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("too many requests, retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// A refusal the user can understand and act on.
    #[error("{message}")]
    Refused { status: StatusCode, message: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("session: {e}"))
    }
}

/// Attached to an error response; the error-page middleware turns it into a
/// page with the layout and the request id.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
    /// Logged with the request id, never shown.
    pub detail: Option<String>,
}

impl ErrorPage {
    pub fn response(status: StatusCode, title: &str, message: &str, detail: Option<String>) -> Response {
        let mut res = (status, message.to_string()).into_response();
        res.extensions_mut().insert(ErrorPage {
            title: title.to_string(),
            message: message.to_string(),
            detail,
        });
        res
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => ErrorPage::response(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address. Check the link, or start again from the home page.",
                None,
            ),
            AppError::Forbidden(why) => ErrorPage::response(
                StatusCode::FORBIDDEN,
                "Request refused",
                "The form was too old or did not come from this portal, so nothing was changed. \
                 Go back, reload the page and try again.",
                Some(why.to_string()),
            ),
            AppError::TooManyRequests { retry_after_secs } => {
                let mut res = ErrorPage::response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    &format!(
                        "Too many attempts in a short time. Try again in {}.",
                        human_seconds(retry_after_secs)
                    ),
                    None,
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                res
            }
            AppError::Refused { status, message } => ErrorPage::response(status, "That did not work", &message, None),
            AppError::Internal(e) if crate::storage::Error::is_unavailable(&e) => {
                let mut res = ErrorPage::response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Back in a moment",
                    "The portal cannot reach its database just now, so nothing was changed. Try again in a \
                     few seconds.",
                    Some(format!("{e:#}")),
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(5u64));
                res
            }
            AppError::Internal(e) => ErrorPage::response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side and nothing was changed. Try again in a moment; \
                 if it keeps happening, contact the bank and quote the request id below.",
                Some(format!("{e:#}")),
            ),
        }
    }
}

/// "45 seconds", "1 minute", "2 minutes".
pub fn human_seconds(s: u64) -> String {
    match s {
        0..=1 => "1 second".into(),
        2..=59 => format!("{s} seconds"),
        60..=119 => "1 minute".into(),
        _ => format!("{} minutes", s.div_ceil(60)),
    }
}

impl From<crate::services::ServiceError> for AppError {
    /// For pages that do not handle a refusal themselves: a page with the message.
    fn from(e: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError;
        match e {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Internal(e) => AppError::Internal(e),
            ServiceError::Conflict { message, .. } => AppError::Refused {
                status: StatusCode::CONFLICT,
                message,
            },
            ServiceError::Refused { message, .. } => AppError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message,
            },
            ServiceError::Invalid(errors) => AppError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
            },
        }
    }
}

/// Lets an extractor whose rejection is a plain response pass an error on with `?`.
impl From<AppError> for Response {
    fn from(e: AppError) -> Response {
        e.into_response()
    }
}
