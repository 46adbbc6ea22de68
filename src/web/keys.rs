//! Sandbox keys of an application: generate, regenerate the secret, revoke.
//! A secret is shown once, in the response to the POST that made it; it is
//! never stored in clear, not even in the session.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use super::render;
use super::session::{self, ClientAddr, FlashKind, Layout, SignedIn};
use crate::domain::application::Application;
use crate::domain::catalogue::Environment;
use crate::error::AppError;
use crate::services::keys::IssuedKeys;
use crate::services::{ServiceError, Services, applications, keys};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/applications/{id}/sandbox-keys", post(generate))
        .route("/applications/{id}/sandbox-keys/secret", post(regenerate))
        .route("/applications/{id}/sandbox-keys/revoke", post(revoke))
        .route("/applications/{id}/production-keys", post(generate_production))
}

#[derive(Template)]
#[template(path = "applications/secret.html")]
struct SecretView {
    layout: Layout,
    app: Application,
    client_id: String,
    client_secret: String,
    token_url: String,
    regenerated: bool,
    environment: &'static str,
}

async fn shown_once(
    svc: &Services,
    layout: Layout,
    app: Application,
    issued: IssuedKeys,
    regenerated: bool,
    env: Environment,
) -> Result<Response, AppError> {
    render(&SecretView {
        layout,
        app,
        client_id: issued.client_id,
        client_secret: issued.client_secret.expose().to_string(),
        token_url: svc.url("/oauth2/token"),
        regenerated,
        environment: env.label(),
    })
}

async fn generate(
    State(svc): State<Services>,
    signed_in: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    generate_for(&svc, signed_in, &client_address, &id, Environment::Sandbox).await
}

async fn generate_production(
    State(svc): State<Services>,
    signed_in: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    generate_for(&svc, signed_in, &client_address, &id, Environment::Production).await
}

async fn generate_for(
    svc: &Services,
    SignedIn { user, page }: SignedIn,
    client_address: &str,
    id: &str,
    env: Environment,
) -> Result<Response, AppError> {
    let app = applications::owned(svc, &user, id).await?;
    let back = match env {
        Environment::Sandbox => keys_tab(&app.id),
        Environment::Production => format!("/applications/{}?tab=production", app.id),
    };
    match keys::generate(svc, &app, client_address, env).await {
        Ok(issued) => shown_once(svc, page.layout, app.into_inner(), issued, false, env).await,
        Err(ServiceError::Conflict { message, .. }) => {
            session::redirect_with(&page.session, FlashKind::Info, message, &back).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn regenerate(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    match keys::regenerate_secret(&svc, &app, &client_address, Environment::Sandbox).await {
        Ok(issued) => shown_once(&svc, page.layout, app.into_inner(), issued, true, Environment::Sandbox).await,
        Err(ServiceError::Conflict { message, .. }) => {
            session::redirect_with(&page.session, FlashKind::Info, message, &keys_tab(&app.id)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    let (kind, message) = match keys::revoke(&svc, &app, &client_address, Environment::Sandbox).await {
        Ok(()) => (
            FlashKind::Success,
            format!("The sandbox keys of {} are revoked; they no longer work.", app.name),
        ),
        Err(ServiceError::Conflict { message, .. }) => (FlashKind::Info, message),
        Err(e) => return Err(e.into()),
    };
    session::redirect_with(&page.session, kind, message, &keys_tab(&app.id)).await
}

fn keys_tab(id: &str) -> String {
    format!("/applications/{id}?tab=keys")
}
