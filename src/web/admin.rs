//! The bank admin area under /admin. Anyone who is not a signed-in admin gets
//! 404: the area does not exist for them.

use askama::Template;
use axum::Router;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::session::{self, FlashKind, Layout, Page};
use super::{format_time, render};
use crate::domain::contact::{Category, PROFILE_FIELDS, Status};
use crate::domain::user::{Role, User};
use crate::error::AppError;
use crate::services::developers::{self, AppOverview};
use crate::services::{ServiceError, Services, contact};
use crate::storage::contact_requests::ContactRequest;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/admin", get(|_: Admin| async { Redirect::to("/admin/requests") }))
        .route("/admin/requests", get(inbox))
        .route("/admin/requests/{id}", get(detail))
        .route("/admin/requests/{id}/start", post(start))
        .route("/admin/requests/{id}/apply", post(apply))
        .route("/admin/requests/{id}/reject", post(reject))
        .route("/admin/developers", get(developers))
        .route("/admin/developers/{id}", get(developer))
        .route("/admin/developers/{id}/disable", post(disable))
        .route("/admin/developers/{id}/enable", post(enable))
}

/// A signed-in admin.
pub struct Admin {
    pub user: User,
    pub page: Page,
}

impl FromRequestParts<Services> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let mut page = Page::from_request_parts(parts, svc)
            .await
            .map_err(IntoResponse::into_response)?;
        match page.user.take() {
            Some(user) if user.role == Role::Admin => Ok(Admin { user, page }),
            _ => Err(AppError::NotFound.into_response()),
        }
    }
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
    Admin { user, page }: Admin,
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
    Admin { user, page }: Admin,
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
    Admin { user, page }: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = contact::start(&svc, &user, &id).await;
    answer(&page, &id, r, "The request is marked in progress.").await
}

async fn apply(
    State(svc): State<Services>,
    Admin { user, page }: Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = contact::apply(&svc, &user, &id).await;
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
    Admin { user, page }: Admin,
    Path(id): Path<String>,
    Form(f): Form<RejectForm>,
) -> Result<Response, AppError> {
    let r = contact::reject(&svc, &user, &id, &f.reason).await;
    answer(&page, &id, r, "Rejected. The developer is told the reason by e-mail.").await
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

async fn developers(
    State(svc): State<Services>,
    Admin { user, page }: Admin,
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
    Admin { user, page }: Admin,
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
    Admin { user, page }: Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let dev = developers::disable(&svc, &user, id).await?;
    let message = format!(
        "{} is disabled: signed out everywhere, tokens ended, sign-in refused.",
        dev.email
    );
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        message,
        &format!("/admin/developers/{id}"),
    )
    .await
}

async fn enable(
    State(svc): State<Services>,
    Admin { user, page }: Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let dev = developers::enable(&svc, &user, id).await?;
    let message = format!("{} is enabled again and can sign in.", dev.email);
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        message,
        &format!("/admin/developers/{id}"),
    )
    .await
}
