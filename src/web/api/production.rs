//! An application's production state and its production client id. A
//! production client authenticates with the registered QWAC over mutual
//! TLS (`tls_client_auth`), so production keys have no secret.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::ApiError;
use super::applications::SubscriptionDto;
use super::auth::ApiUser;
use super::certificates::CertificateDto;
use super::error::ErrorBody;
use crate::domain::catalogue::Environment;
use crate::services::{Services, applications, certificates, keys, subscriptions};

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductionKeysDto {
    pub client_id: String,
    /// Always `tls_client_auth`: the registered certificate, no secret.
    #[schema(example = "tls_client_auth")]
    pub token_endpoint_auth_method: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductionDto {
    /// The registered QWAC, if any.
    pub certificate: Option<CertificateDto>,
    /// The production client id, once generated.
    pub client_id: Option<String>,
    pub subscriptions: Vec<SubscriptionDto>,
    /// The token endpoint on the mutual-TLS listener, when it is on.
    pub mtls_token_endpoint: Option<String>,
}

/// Generates the production client id (the certificate must be registered).
#[utoipa::path(post, path = "/api/v1/applications/{id}/production-keys", operation_id = "generateProductionKeys", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 201, body = ProductionKeysDto), (status = 404, body = ErrorBody),
              (status = 409, description = "No registered certificate, or production keys exist", body = ErrorBody)))]
pub async fn generate_keys(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ProductionKeysDto>), ApiError> {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let issued = keys::generate(&svc, &app, &me.client_address, Environment::Production).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProductionKeysDto {
            client_id: issued.client_id,
            token_endpoint_auth_method: "tls_client_auth",
        }),
    ))
}

/// The application's production state: certificate, client id, subscriptions.
#[utoipa::path(get, path = "/api/v1/applications/{id}/production", operation_id = "getProduction", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ProductionDto), (status = 404, body = ErrorBody)))]
pub async fn state(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ProductionDto>, ApiError> {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let certificate = certificates::active(&svc, &app).await?.map(Into::into);
    let client_id = keys::find(&svc, &app, Environment::Production)
        .await?
        .map(|k| k.client_id);
    let subscriptions = subscriptions::for_application(&svc, &app)
        .await?
        .into_iter()
        .filter(|s| s.environment == Environment::Production)
        .map(Into::into)
        .collect();
    Ok(Json(ProductionDto {
        certificate,
        client_id,
        subscriptions,
        mtls_token_endpoint: svc
            .tls_url
            .as_ref()
            .map(|u| format!("{}/oauth2/token", u.as_str().trim_end_matches('/'))),
    }))
}
