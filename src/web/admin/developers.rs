//! Developer accounts as an admin sees them; disabling and enabling.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::Admin;
use crate::domain::user::User;
use crate::error::AppError;
use crate::services::developers::{self, AppOverview};
use crate::services::{ServiceError, Services};
use crate::web::session::{self, FlashKind, Layout, Page};
use crate::web::{format_time, render};

pub(super) fn router() -> Router<Services> {
    Router::new()
        .route("/admin/developers", get(search))
        .route("/admin/developers/{id}", get(developer))
        .route("/admin/developers/{id}/disable", post(disable))
        .route("/admin/developers/{id}/enable", post(enable))
        .route("/admin/developers/{id}/subscriptions/{sub}/block", post(block))
        .route("/admin/developers/{id}/subscriptions/{sub}/unblock", post(unblock))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "admin/developers.html")]
struct DevelopersView {
    layout: Layout,
    developers: Vec<User>,
    q: String,
}

async fn search(
    State(svc): State<Services>,
    Admin { user, page, .. }: Admin,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let developers = developers::search(&svc, &user, &q.q).await?;
    render(&DevelopersView {
        layout: page.layout,
        developers,
        q: q.q,
    })
}

#[derive(Template)]
#[template(path = "admin/developer.html")]
struct DeveloperView {
    layout: Layout,
    developer: User,
    apps: Vec<AppOverview>,
}

impl DeveloperView {
    fn when(t: &time::OffsetDateTime) -> String {
        format_time(*t)
    }
}

async fn developer(
    State(svc): State<Services>,
    Admin { user, page, .. }: Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (developer, apps) = developers::detail(&svc, &user, id).await?;
    render(&DeveloperView {
        layout: page.layout,
        developer,
        apps,
    })
}

async fn disable(
    State(svc): State<Services>,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let dev = developers::disable(&svc, &user, &client_address, id).await?;
    let message = format!(
        "{} is disabled: signed out everywhere, tokens ended, sign-in refused.",
        dev.email
    );
    back_to_developer(&page, id, message).await
}

async fn enable(
    State(svc): State<Services>,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let dev = developers::enable(&svc, &user, &client_address, id).await?;
    back_to_developer(&page, id, format!("{} is enabled again and can sign in.", dev.email)).await
}

async fn block(
    State(svc): State<Services>,
    admin: Admin,
    Path((id, sub)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    set_blocked(&svc, admin, id, &sub, true).await
}

async fn unblock(
    State(svc): State<Services>,
    admin: Admin,
    Path((id, sub)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    set_blocked(&svc, admin, id, &sub, false).await
}

async fn set_blocked(
    svc: &Services,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    id: i64,
    sub: &str,
    blocked: bool,
) -> Result<Response, AppError> {
    let message = match developers::set_subscription_blocked(svc, &user, &client_address, id, sub, blocked).await {
        Ok(s) if blocked => format!(
            "{}'s subscription to {} is blocked; its calls are refused. The developer is told by e-mail.",
            s.application_name, s.api_name
        ),
        Ok(s) => format!(
            "{}'s subscription to {} works again. The developer is told by e-mail.",
            s.application_name, s.api_name
        ),
        Err(ServiceError::Conflict { message, .. }) => message,
        Err(e) => return Err(e.into()),
    };
    back_to_developer(&page, id, message).await
}

async fn back_to_developer(page: &Page, id: i64, message: String) -> Result<Response, AppError> {
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        message,
        &format!("/admin/developers/{id}"),
    )
    .await
}
