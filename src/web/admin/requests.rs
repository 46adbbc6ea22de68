//! The admin inbox: developers' requests, and deciding on them.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use serde::Deserialize;

use super::Admin;
use crate::domain::contact::ContactRequest;
use crate::domain::contact::{Category, PROFILE_FIELDS, Status};
use crate::domain::user::User;
use crate::services::contact::Applied;
use crate::services::{ServiceError, Services, contact};
use crate::web::Reply;
use crate::web::session::{self, Layout, Page};
use crate::web::{format_time, render};

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "admin/inbox.html")]
struct InboxView {
    layout: Layout,
    requests: Vec<ContactRequest>,
    status: String,
    q: String,
    statuses: [Status; 4],
}

impl InboxView {
    fn when(t: &time::OffsetDateTime) -> String {
        format_time(*t)
    }

    fn category(r: &ContactRequest) -> &'static str {
        Category::parse(&r.category).map(Category::label).unwrap_or("Other")
    }

    fn status_label(r: &ContactRequest) -> &'static str {
        Status::parse(&r.status).map(Status::label).unwrap_or("Open")
    }
}

pub async fn inbox(State(svc): State<Services>, admin: Admin, Query(q): Query<InboxQuery>) -> Reply {
    let status = Status::parse(&q.status);
    let requests = contact::inbox(&svc, &admin.user, status, &q.q).await?;
    render(&InboxView {
        layout: admin.page.layout,
        requests,
        status: q.status,
        q: q.q,
        statuses: Status::ALL,
    })
}

#[derive(Template)]
#[template(path = "admin/request.html")]
struct DetailView {
    layout: Layout,
    request: ContactRequest,
    developer: User,
    /// (label, current, requested) for each profile field asked for.
    changes: Vec<(&'static str, String, String)>,
    /// A request to close the account.
    closure: bool,
    closed: bool,
    status_label: &'static str,
    category: &'static str,
    when: String,
}

pub async fn detail(State(svc): State<Services>, admin: Admin, Path(id): Path<String>) -> Reply {
    let (request, developer) = contact::get(&svc, &admin.user, &id).await?;
    let values = contact::requested_values(&request);
    let current = |k: &str| match k {
        "first_name" => developer.first_name.clone(),
        "last_name" => developer.last_name.clone(),
        "organization" => developer.organization.clone(),
        "country" => developer.country.clone(),
        "phone" => developer.phone.clone().unwrap_or_default(),
        _ => developer.email.clone(),
    };
    let changes = PROFILE_FIELDS
        .iter()
        .filter_map(|(k, label)| values.get(*k).map(|v| (*label, current(k), v.clone())))
        .collect();
    let status = Status::parse(&request.status).unwrap_or(Status::Open);
    render(&DetailView {
        layout: admin.page.layout,
        changes,
        closed: status.is_closed(),
        closure: Category::parse(&request.category) == Some(Category::Closure),
        status_label: status.label(),
        category: Category::parse(&request.category)
            .map(Category::label)
            .unwrap_or("Other"),
        when: format_time(request.created_at),
        request,
        developer,
    })
}

fn back(id: &str) -> String {
    format!("/admin/requests/{id}")
}

async fn answer(page: &Page, id: &str, result: Result<(), ServiceError>, done: &str) -> Reply {
    session::redirect_after(&page.session, result.map(|()| done.to_string()), &back(id)).await
}

pub async fn start(State(svc): State<Services>, admin: Admin, Path(id): Path<String>) -> Reply {
    let r = contact::start(&svc, &admin.user, &admin.page.client_address, &id).await;
    answer(&admin.page, &id, r, "The request is marked in progress.").await
}

pub async fn apply(State(svc): State<Services>, admin: Admin, Path(id): Path<String>) -> Reply {
    match contact::apply(&svc, &admin.user, &admin.page.client_address, &id).await {
        Ok(Applied::AccountClosed) => {
            let done = "The account is closed: everything that hung on it is deleted, its audit rows keep a \
                        pseudonym, and the developer is told by e-mail.";
            session::redirect_after(&admin.page.session, Ok(done.to_string()), "/admin/requests").await
        }
        r => {
            let done = "Applied. The developer is told by e-mail; a new e-mail address takes effect once its owner \
                        confirms it.";
            answer(&admin.page, &id, r.map(|_| ()), done).await
        }
    }
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(svc): State<Services>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<RejectForm>,
) -> Reply {
    let r = contact::reject(&svc, &admin.user, &admin.page.client_address, &id, &f.reason).await;
    answer(
        &admin.page,
        &id,
        r,
        "Rejected. The developer is told the reason by e-mail.",
    )
    .await
}
