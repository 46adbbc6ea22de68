//! The bank admin area under /admin. Anyone who is not a signed-in admin gets
//! 404: the area does not exist for them.

mod audit;
mod developers;
mod requests;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::session::{ClientAddr, Page};
use crate::domain::user::{Role, User};
use crate::error::AppError;
use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/admin", get(|_: Admin| async { Redirect::to("/admin/requests") }))
        .merge(requests::router())
        .merge(developers::router())
        .merge(audit::router())
}

/// A signed-in admin, and the address they act from (for the audit log).
pub struct Admin {
    pub user: User,
    pub page: Page,
    pub client_address: String,
}

impl FromRequestParts<Services> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let mut page = Page::from_request_parts(parts, svc)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(ClientAddr(client_address)) = ClientAddr::from_request_parts(parts, svc).await;
        match page.user.take() {
            Some(user) if user.role == Role::Admin => Ok(Admin {
                user,
                page,
                client_address,
            }),
            _ => Err(AppError::NotFound.into_response()),
        }
    }
}
