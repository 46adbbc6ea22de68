//! Who is calling the JSON API: a personal access token in the
//! `Authorization: Bearer` header.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::ApiError;
use crate::domain::user::User;
use crate::services::{Services, personal_tokens};
use crate::web::session::ClientAddr;

/// The account a personal access token belongs to, and the address the call
/// comes from (for the audit log).
pub struct ApiUser {
    pub user: User,
    pub client_address: String,
}

impl FromRequestParts<Services> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("Send a personal access token: `Authorization: Bearer dpat_…`."))?;
        match personal_tokens::authenticate(svc, presented).await? {
            Some(user) => {
                let Ok(ClientAddr(client_address)) = ClientAddr::from_request_parts(parts, svc).await;
                Ok(ApiUser { user, client_address })
            }
            None => Err(ApiError::unauthorized(
                "The token is unknown or revoked, or its account cannot use the API.",
            )),
        }
    }
}
