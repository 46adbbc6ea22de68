//! Applications, their subscriptions and sandbox keys.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::{ApiError, rfc3339};
use crate::domain::application::{Application, Keys, Subscription};
use crate::domain::catalogue::Environment;
use crate::services::applications::{self as apps, ApplicationInput};
use crate::services::keys::IssuedKeys;
use crate::services::{Services, keys, subscriptions};

/// A JSON body, with the reasons it cannot be read answered as JSON errors.
type Body<T> = Result<Json<T>, JsonRejection>;

fn body<T>(b: Body<T>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(ApiError::from)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationDto {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Deprecated: the first of `redirect_uris`.
    pub callback_url: Option<String>,
    /// Where the authorization endpoint may send the customer back to.
    pub redirect_uris: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Application> for ApplicationDto {
    fn from(a: Application) -> Self {
        ApplicationDto {
            redirect_uris: a.redirect_uri_list().into_iter().map(str::to_string).collect(),
            id: a.id,
            name: a.name,
            description: a.description,
            callback_url: a.callback_url,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SubscriptionDto {
    pub id: String,
    pub application_id: String,
    pub api_id: String,
    pub api_name: String,
    pub api_version: String,
    pub environment: String,
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Subscription> for SubscriptionDto {
    fn from(s: Subscription) -> Self {
        SubscriptionDto {
            id: s.id,
            application_id: s.application_id,
            api_id: s.api_slug,
            api_name: s.api_name,
            api_version: s.api_version,
            environment: s.environment.as_str().into(),
            status: s.status,
            created_at: rfc3339(s.created_at),
        }
    }
}

/// Client credentials as issued: the only time the secret is shown.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedKeysDto {
    pub client_id: String,
    pub client_secret: String,
}

impl From<IssuedKeys> for IssuedKeysDto {
    fn from(k: IssuedKeys) -> Self {
        IssuedKeysDto {
            client_id: k.client_id,
            client_secret: k.client_secret.expose().to_string(),
        }
    }
}

/// The public half of the keys; the secret is never shown again.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeysDto {
    pub client_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub secret_changed_at: String,
}

impl From<Keys> for KeysDto {
    fn from(k: Keys) -> Self {
        KeysDto {
            client_id: k.client_id,
            created_at: rfc3339(k.created_at),
            secret_changed_at: rfc3339(k.secret_changed_at),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApplicationPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Deprecated (use `redirect_uris`): replaces the redirect URIs with this
    /// one; an empty string removes them.
    pub callback_url: Option<String>,
    /// Replaces the registered redirect URIs.
    pub redirect_uris: Option<Vec<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SubscribeBody {
    /// The `id` of an API from `GET /api/v1/apis`.
    #[schema(example = "accounts-sandbox")]
    pub api_id: String,
}

type R<T> = Result<T, ApiError>;

/// The caller's applications.
#[utoipa::path(get, path = "/api/v1/applications", operation_id = "listApplications", tag = "applications", security(("personal_access_token" = [])),
    responses((status = 200, body = [ApplicationDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(svc): State<Services>, ApiUser { user, .. }: ApiUser) -> R<Json<Vec<ApplicationDto>>> {
    Ok(Json(
        apps::list(&svc, &user).await?.into_iter().map(Into::into).collect(),
    ))
}

/// Creates an application.
#[utoipa::path(post, path = "/api/v1/applications", operation_id = "createApplication", tag = "applications", security(("personal_access_token" = [])),
    request_body = ApplicationInput,
    responses((status = 201, body = ApplicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    input: Body<ApplicationInput>,
) -> R<(StatusCode, Json<ApplicationDto>)> {
    let app = apps::create(&svc, &user, &body(input)?).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

/// One application.
#[utoipa::path(get, path = "/api/v1/applications/{id}", operation_id = "getApplication", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDto), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
) -> R<Json<ApplicationDto>> {
    Ok(Json(apps::owned(&svc, &user, &id).await?.into_inner().into()))
}

/// Changes the fields given.
#[utoipa::path(patch, path = "/api/v1/applications/{id}", operation_id = "updateApplication", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")), request_body = ApplicationPatch,
    responses((status = 200, body = ApplicationDto), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
    patch: Body<ApplicationPatch>,
) -> R<Json<ApplicationDto>> {
    let patch = body(patch)?;
    let current = apps::owned(&svc, &user, &id).await?.into_inner();
    let registered: Vec<String> = current.redirect_uri_list().into_iter().map(str::to_string).collect();
    let input = ApplicationInput {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.unwrap_or(current.description),
        redirect_uris: match (patch.redirect_uris, &patch.callback_url) {
            (Some(list), _) => Some(list),
            (None, Some(_)) => None,
            (None, None) => Some(registered),
        },
        callback_url: patch.callback_url.unwrap_or(current.callback_url.unwrap_or_default()),
    };
    Ok(Json(apps::update(&svc, &user, &id, &input).await?.into()))
}

/// Deletes the application with its subscriptions and keys.
#[utoipa::path(delete, path = "/api/v1/applications/{id}", operation_id = "deleteApplication", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(State(svc): State<Services>, me: ApiUser, Path(id): Path<String>) -> R<StatusCode> {
    apps::delete(&svc, &apps::owned(&svc, &me.user, &id).await?, &me.client_address).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The application's subscriptions.
#[utoipa::path(get, path = "/api/v1/applications/{id}/subscriptions", operation_id = "listSubscriptions", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = [SubscriptionDto]), (status = 404, body = ErrorBody)))]
pub async fn subscriptions(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
) -> R<Json<Vec<SubscriptionDto>>> {
    let app = apps::owned(&svc, &user, &id).await?;
    Ok(Json(
        subscriptions::for_application(&svc, &app)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Subscribes the application to an API.
#[utoipa::path(post, path = "/api/v1/applications/{id}/subscriptions", operation_id = "subscribe", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")), request_body = SubscribeBody,
    responses((status = 201, body = SubscriptionDto), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Already subscribed, or the API cannot be subscribed to", body = ErrorBody)))]
pub async fn subscribe(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
    b: Body<SubscribeBody>,
) -> R<(StatusCode, Json<SubscriptionDto>)> {
    let b = body(b)?;
    let app = apps::owned(&svc, &user, &id).await?;
    let sub = subscriptions::subscribe(&svc, &app, &b.api_id).await?;
    Ok((StatusCode::CREATED, Json(sub.into())))
}

/// Ends a subscription.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/subscriptions/{subscription_id}", operation_id = "unsubscribe", tag = "applications",
    security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id"), ("subscription_id" = String, Path, description = "Subscription id")),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 409, description = "Blocked by the bank (subscription_blocked)", body = ErrorBody)))]
pub async fn unsubscribe(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path((id, subscription_id)): Path<(String, String)>,
) -> R<StatusCode> {
    let app = apps::owned(&svc, &user, &id).await?;
    subscriptions::unsubscribe_of(&svc, &app, &subscription_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The application's sandbox client id (never the secret).
#[utoipa::path(get, path = "/api/v1/applications/{id}/sandbox-keys", operation_id = "getSandboxKeys", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = KeysDto), (status = 404, body = ErrorBody)))]
pub async fn keys(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
) -> R<Json<KeysDto>> {
    let key = keys::find(&svc, &apps::owned(&svc, &user, &id).await?, Environment::Sandbox).await?;
    key.map(|k| Json(k.into())).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_keys",
            "This application has no sandbox keys.",
        )
    })
}

/// Generates sandbox keys; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/applications/{id}/sandbox-keys", operation_id = "generateSandboxKeys", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 201, body = IssuedKeysDto), (status = 404, body = ErrorBody), (status = 409, description = "Keys exist", body = ErrorBody)))]
pub async fn generate_keys(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
) -> R<(StatusCode, Json<IssuedKeysDto>)> {
    let issued = keys::generate(
        &svc,
        &apps::owned(&svc, &me.user, &id).await?,
        &me.client_address,
        Environment::Sandbox,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// A new client secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/applications/{id}/sandbox-keys/secret", operation_id = "regenerateSandboxSecret", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = IssuedKeysDto), (status = 404, body = ErrorBody), (status = 409, description = "No keys yet", body = ErrorBody)))]
pub async fn regenerate_secret(
    State(svc): State<Services>,
    me: ApiUser,
    Path(id): Path<String>,
) -> R<Json<IssuedKeysDto>> {
    Ok(Json(
        keys::regenerate_secret(
            &svc,
            &apps::owned(&svc, &me.user, &id).await?,
            &me.client_address,
            Environment::Sandbox,
        )
        .await?
        .into(),
    ))
}

/// Revokes the sandbox keys.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/sandbox-keys", operation_id = "revokeSandboxKeys", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, description = "No keys", body = ErrorBody)))]
pub async fn revoke_keys(State(svc): State<Services>, me: ApiUser, Path(id): Path<String>) -> R<StatusCode> {
    keys::revoke(
        &svc,
        &apps::owned(&svc, &me.user, &id).await?,
        &me.client_address,
        Environment::Sandbox,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetDto {
    /// Payments and signing baskets removed.
    pub removed: u64,
}

/// Returns the application's sandbox data (payments, baskets) to the documented state.
#[utoipa::path(post, path = "/api/v1/applications/{id}/sandbox/reset", operation_id = "resetSandbox", tag = "applications", security(("personal_access_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ResetDto), (status = 404, body = ErrorBody)))]
pub async fn reset_sandbox(
    State(svc): State<Services>,
    ApiUser { user, .. }: ApiUser,
    Path(id): Path<String>,
) -> R<Json<ResetDto>> {
    Ok(Json(ResetDto {
        removed: crate::services::sandbox::reset(&svc, &apps::owned(&svc, &user, &id).await?).await?,
    }))
}
