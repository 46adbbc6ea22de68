//! `POST /api/v1/personal-access-tokens`: a token for e-mail and password
//! (HTTP Basic), so a pipeline can start without a browser.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::error::ErrorBody;
use crate::services::sign_in::{self, SignInError};
use crate::services::{Services, personal_tokens};
use crate::web::session::ClientAddr;

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct TokenRequest {
    /// What the token is for; defaults to "API".
    #[serde(default)]
    pub name: Option<String>,
    /// Days the token works: 1 to 365, 90 when not given.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365, example = 90)]
    pub expires_in_days: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    /// Shown only in this response; only its hash is stored.
    pub token: String,
    /// After this the token no longer works (RFC 3339).
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// Creates a personal access token, authenticating with e-mail and password (verified accounts only).
#[utoipa::path(post, path = "/api/v1/personal-access-tokens", operation_id = "createPersonalAccessToken", tag = "tokens", security(("password" = [])),
    request_body(content = TokenRequest, description = "Optional"),
    responses((status = 201, body = TokenDto), (status = 400, description = "The body is not JSON", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 403, description = "E-mail not verified, or account disabled", body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn create(
    State(svc): State<Services>,
    ClientAddr(client_address): ClientAddr,
    headers: HeaderMap,
    body: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<TokenDto>), ApiError> {
    let (email, password) = basic_credentials(&headers)
        .ok_or_else(|| ApiError::unauthorized("Authenticate with HTTP Basic: your e-mail address and password."))?;
    let user = match sign_in::sign_in(&svc, &email, &password, &client_address).await {
        Ok(user) => user,
        Err(SignInError::Invalid) => {
            return Err(ApiError::unauthorized(
                "The e-mail address or the password is not right.",
            ));
        }
        Err(SignInError::Unverified { .. }) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "email_not_verified",
                "Verify your e-mail address first (the link in the mail).",
            ));
        }
        Err(SignInError::Disabled) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "account_disabled",
                "This account is disabled. Contact the bank.",
            ));
        }
        Err(SignInError::Throttled(retry)) => return Err(ApiError::too_many(retry.0)),
        Err(SignInError::Internal(e)) => return Err(ApiError::internal(e)),
    };
    // Read only once the caller is known. No body at all is allowed.
    let request = match body {
        Ok(Json(b)) => b,
        Err(JsonRejection::MissingJsonContentType(_)) if !has_body(&headers) => TokenRequest::default(),
        Err(e) => return Err(e.into()),
    };
    let name = request
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "API".into());
    let (pat, token) = personal_tokens::create(&svc, &user, &client_address, &name, request.expires_in_days).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenDto {
            id: pat.id,
            name: pat.name,
            token,
            expires_at: pat
                .expires_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }),
    ))
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (email, password) = decoded.split_once(':')?;
    Some((email.to_string(), password.to_string()))
}
