//! Developer accounts as an admin sees them; disabling and enabling.

use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::Admin;
use crate::domain::user::User;
use crate::services::developers::{self, AppOverview};
use crate::services::{ServiceError, Services};
use crate::web::Reply;
use crate::web::session::{self, Layout, Page};
use crate::web::{format_time, render};

#[derive(Deserialize, Default)]
pub struct SearchQuery {
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

pub async fn search(State(svc): State<Services>, admin: Admin, Query(q): Query<SearchQuery>) -> Reply {
    let developers = developers::search(&svc, &admin.user, &q.q).await?;
    render(&DevelopersView {
        layout: admin.page.layout,
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

pub async fn developer(State(svc): State<Services>, admin: Admin, Path(id): Path<i64>) -> Reply {
    let (developer, apps) = developers::detail(&svc, &admin.user, id).await?;
    render(&DeveloperView {
        layout: admin.page.layout,
        developer,
        apps,
    })
}

pub async fn disable(State(svc): State<Services>, admin: Admin, Path(id): Path<i64>) -> Reply {
    let outcome = developers::disable(&svc, &admin.user, &admin.page.client_address, id)
        .await
        .map(|dev| {
            format!(
                "{} is disabled: signed out everywhere, tokens ended, sign-in refused.",
                dev.email
            )
        });
    back_to_developer(&admin.page, id, outcome).await
}

pub async fn enable(State(svc): State<Services>, admin: Admin, Path(id): Path<i64>) -> Reply {
    let outcome = developers::enable(&svc, &admin.user, &admin.page.client_address, id)
        .await
        .map(|dev| format!("{} is enabled again and can sign in.", dev.email));
    back_to_developer(&admin.page, id, outcome).await
}

pub async fn block(State(svc): State<Services>, admin: Admin, Path((id, sub)): Path<(i64, String)>) -> Reply {
    set_blocked(&svc, admin, id, &sub, true).await
}

pub async fn unblock(State(svc): State<Services>, admin: Admin, Path((id, sub)): Path<(i64, String)>) -> Reply {
    set_blocked(&svc, admin, id, &sub, false).await
}

async fn set_blocked(svc: &Services, admin: Admin, id: i64, sub: &str, blocked: bool) -> Reply {
    let outcome = developers::set_subscription_blocked(svc, &admin.user, &admin.page.client_address, id, sub, blocked)
        .await
        .map(|s| match blocked {
            true => format!(
                "{}'s subscription to {} is blocked; its calls are refused. The developer is told by e-mail.",
                s.application_name, s.api_name
            ),
            false => format!(
                "{}'s subscription to {} works again. The developer is told by e-mail.",
                s.application_name, s.api_name
            ),
        });
    back_to_developer(&admin.page, id, outcome).await
}

async fn back_to_developer(page: &Page, id: i64, outcome: Result<String, ServiceError>) -> Reply {
    session::redirect_after(&page.session, outcome, &format!("/admin/developers/{id}")).await
}
