//! Personal access tokens on the profile page: create (shown once) and revoke.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

use super::render;
use super::session::{self, ClientAddr, FlashKind, Layout, SignedIn};
use crate::error::AppError;
use crate::services::{ServiceError, Services, personal_tokens};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/profile/tokens", post(create))
        .route("/profile/tokens/{id}/revoke", post(revoke))
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "profile/token_created.html")]
struct CreatedView {
    layout: Layout,
    name: String,
    token: String,
    api_url: String,
}

async fn create(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    match personal_tokens::create(&svc, &user, &client_address, &form.name).await {
        Ok((pat, token)) => render(&CreatedView {
            layout: page.layout,
            name: pat.name,
            token,
            api_url: svc.url("/api/v1"),
        }),
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.get("name").unwrap_or("Give the token a name.").to_string();
            session::redirect_with(&page.session, FlashKind::Warning, message, "/profile#tokens").await
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
    personal_tokens::revoke(&svc, &user, &client_address, &id).await?;
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        "The token is revoked; it no longer works.",
        "/profile#tokens",
    )
    .await
}
