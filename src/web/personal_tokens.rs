//! Personal access tokens on the profile page: create (shown once) and revoke.

use askama::Template;
use axum::extract::{Form, Path, State};
use serde::Deserialize;

use super::session::{self, FlashKind, Layout, SignedIn};
use super::{format_time, render};
use crate::services::{Services, personal_tokens};
use crate::web::Reply;

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    /// Days the token works (the form offers `OFFERED_DAYS`).
    #[serde(default)]
    days: Option<i64>,
}

#[derive(Template)]
#[template(path = "profile/token_created.html")]
struct CreatedView {
    layout: Layout,
    name: String,
    token: String,
    api_url: String,
    expires: String,
}

pub async fn create(State(svc): State<Services>, me: SignedIn, Form(form): Form<CreateForm>) -> Reply {
    match personal_tokens::create(&svc, &me.user, &me.page.client_address, &form.name, form.days).await {
        Ok((pat, token)) => render(&CreatedView {
            layout: me.page.layout,
            name: pat.name,
            token,
            api_url: svc.url("/api/v1"),
            expires: format_time(pat.expires_at),
        }),
        Err(e) => session::redirect_after(&me.page.session, Err(e), "/profile#tokens").await,
    }
}

pub async fn revoke(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    personal_tokens::revoke(&svc, &me.user, &me.page.client_address, &id).await?;
    session::redirect_with(
        &me.page.session,
        FlashKind::Success,
        "The token is revoked; it no longer works.",
        "/profile#tokens",
    )
    .await
}
