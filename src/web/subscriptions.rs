//! The developer's subscriptions: all of them, one, unsubscribe.

use askama::Template;
use axum::extract::{Path, State};

use super::session::{self, FlashKind, Layout, SignedIn};
use super::{format_time, render};
use crate::domain::application::Subscription;
use crate::services::{Services, subscriptions};
use crate::web::Reply;

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

pub async fn list(State(svc): State<Services>, me: SignedIn) -> Reply {
    let subscriptions = subscriptions::for_developer(&svc, &me.user).await?;
    render(&ListView {
        layout: me.page.layout,
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

pub async fn show(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let sub = subscriptions::get(&svc, &me.user, &id).await?;
    let since = format_time(sub.created_at);
    render(&ShowView {
        layout: me.page.layout,
        sub,
        since,
    })
}

pub async fn unsubscribe(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let sub = match subscriptions::unsubscribe(&svc, &me.user, &id).await {
        Ok(sub) => sub,
        Err(e) => return session::redirect_after(&me.page.session, Err(e), &format!("/subscriptions/{id}")).await,
    };
    let message = format!(
        "{} is no longer subscribed to {} {} ({}).",
        sub.application_name, sub.api_name, sub.api_version, sub.environment
    );
    session::redirect_with(
        &me.page.session,
        FlashKind::Success,
        message,
        &format!("/applications/{}?tab=subscriptions", sub.application_id),
    )
    .await
}
