//! The admin inbox: developers' requests, and deciding on them.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::Admin;
use crate::domain::contact::ContactRequest;
use crate::domain::contact::{Category, PROFILE_FIELDS, Status};
use crate::domain::user::User;
use crate::error::AppError;
use crate::services::{ServiceError, Services, contact};
use crate::web::session::{self, FlashKind, Layout, Page};
use crate::web::{format_time, render};

pub(super) fn router() -> Router<Services> {
    Router::new()
        .route("/admin/requests", get(inbox))
        .route("/admin/requests/{id}", get(detail))
        .route("/admin/requests/{id}/start", post(start))
        .route("/admin/requests/{id}/apply", post(apply))
        .route("/admin/requests/{id}/reject", post(reject))
}

#[derive(Deserialize, Default)]
struct InboxQuery {
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

async fn inbox(
    State(svc): State<Services>,
    Admin { user, page, .. }: Admin,
    Query(q): Query<InboxQuery>,
) -> Result<Response, AppError> {
    let status = Status::parse(&q.status);
    let requests = contact::inbox(&svc, &user, status, &q.q).await?;
    render(&InboxView {
        layout: page.layout,
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
    closed: bool,
    status_label: &'static str,
    category: &'static str,
    when: String,
}

async fn detail(
    State(svc): State<Services>,
    Admin { user, page, .. }: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (request, developer) = contact::get(&svc, &user, &id).await?;
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
        layout: page.layout,
        changes,
        closed: status.is_closed(),
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

async fn answer(page: &Page, id: &str, result: Result<(), ServiceError>, done: &str) -> Result<Response, AppError> {
    match result {
        Ok(()) => session::redirect_with(&page.session, FlashKind::Success, done, &back(id)).await,
        Err(ServiceError::Conflict { message, .. }) => {
            session::redirect_with(&page.session, FlashKind::Info, message, &back(id)).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ");
            session::redirect_with(&page.session, FlashKind::Warning, message, &back(id)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn start(
    State(svc): State<Services>,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = contact::start(&svc, &user, &client_address, &id).await;
    answer(&page, &id, r, "The request is marked in progress.").await
}

async fn apply(
    State(svc): State<Services>,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = contact::apply(&svc, &user, &client_address, &id).await;
    answer(
        &page,
        &id,
        r,
        "Applied. The developer is told by e-mail; a new e-mail address takes effect once its owner confirms it.",
    )
    .await
}

#[derive(Deserialize)]
struct RejectForm {
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(svc): State<Services>,
    Admin {
        user,
        page,
        client_address,
    }: Admin,
    Path(id): Path<String>,
    Form(f): Form<RejectForm>,
) -> Result<Response, AppError> {
    let r = contact::reject(&svc, &user, &client_address, &id, &f.reason).await;
    answer(&page, &id, r, "Rejected. The developer is told the reason by e-mail.").await
}
