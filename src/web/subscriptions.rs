//! The developer's subscriptions: all of them, one, unsubscribe.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::session::{self, FlashKind, Layout, SignedIn};
use super::{format_time, render};
use crate::domain::application::Subscription;
use crate::error::AppError;
use crate::services::{ServiceError, Services, subscriptions};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/subscriptions", get(list))
        .route("/subscriptions/{id}", get(show))
        .route("/subscriptions/{id}/delete", post(unsubscribe))
}

#[derive(Template)]
#[template(path = "subscriptions/list.html")]
struct ListView {
    layout: Layout,
    subscriptions: Vec<Subscription>,
}

impl ListView {
    fn when(t: &time::OffsetDateTime) -> String {
        format_time(*t)
    }
}

async fn list(State(svc): State<Services>, SignedIn { user, page }: SignedIn) -> Result<Response, AppError> {
    let subscriptions = subscriptions::for_developer(&svc, &user).await?;
    render(&ListView {
        layout: page.layout,
        subscriptions,
    })
}

#[derive(Template)]
#[template(path = "subscriptions/show.html")]
struct ShowView {
    layout: Layout,
    sub: Subscription,
    since: String,
}

async fn show(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let sub = subscriptions::get(&svc, &user, &id).await?;
    let since = format_time(sub.created_at);
    render(&ShowView {
        layout: page.layout,
        sub,
        since,
    })
}

async fn unsubscribe(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let sub = match subscriptions::unsubscribe(&svc, &user, &id).await {
        Ok(sub) => sub,
        Err(ServiceError::Conflict { message, .. }) => {
            let back = format!("/subscriptions/{id}");
            return session::redirect_with(&page.session, FlashKind::Warning, message, &back).await;
        }
        Err(e) => return Err(e.into()),
    };
    let message = format!(
        "{} is no longer subscribed to {} {} ({}).",
        sub.application_name, sub.api_name, sub.api_version, sub.environment
    );
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        message,
        &format!("/applications/{}?tab=subscriptions", sub.application_id),
    )
    .await
}
