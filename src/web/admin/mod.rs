//! The bank admin area under /admin. Anyone who is not a signed-in admin gets
//! 404: the area does not exist for them.

pub(super) mod audit;
pub(super) mod developers;
pub(super) mod mail;
pub(super) mod requests;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::session::{Page, SignedIn};
use crate::domain::user::{Role, User};
use crate::error::AppError;
use crate::services::Services;

/// A signed-in admin; to anyone else the admin pages do not exist.
pub struct Admin {
    pub user: User,
    pub page: Page,
}

impl FromRequestParts<Services> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        match Page::from_request_parts(parts, svc).await?.signed_in() {
            Some(SignedIn { user, page }) if user.role == Role::Admin => Ok(Admin { user, page }),
            _ => Err(AppError::NotFound.into_response()),
        }
    }
}
