//! Application pages: list, create, view with tabs, edit, delete.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::session::{self, ClientAddr, FlashKind, Layout, Page, SignedIn};
use super::{chart, format_time, render, render_status};
use crate::domain::application::{Application, DeletionPreview, Keys, Subscription};
use crate::domain::catalogue::Environment;
use crate::domain::qwac::Registered;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::services::applications::{self, ApplicationInput};
use crate::services::usage::{self, UsageReport};
use crate::services::{ServiceError, Services, certificates, keys, subscriptions};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/applications", get(list).post(create))
        .route("/applications/new", get(new_form))
        .route("/applications/{id}", get(show))
        .route("/applications/{id}/edit", get(edit_form).post(update))
        .route("/applications/{id}/delete", get(delete_page).post(delete))
}

#[derive(Template)]
#[template(path = "applications/list.html")]
struct ListView {
    layout: Layout,
    applications: Vec<Application>,
}

async fn list(State(svc): State<Services>, SignedIn { user, page }: SignedIn) -> Result<Response, AppError> {
    let applications = applications::list(&svc, &user).await?;
    render(&ListView {
        layout: page.layout,
        applications,
    })
}

#[derive(Template)]
#[template(path = "applications/form.html")]
struct FormView {
    layout: Layout,
    /// None: a new application.
    id: Option<String>,
    form: ApplicationInput,
    errors: FieldErrors,
}

async fn new_form(SignedIn { page, .. }: SignedIn) -> Result<Response, AppError> {
    render(&FormView {
        layout: page.layout,
        id: None,
        form: ApplicationInput::default(),
        errors: FieldErrors::new(),
    })
}

async fn create(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Form(form): Form<ApplicationInput>,
) -> Result<Response, AppError> {
    let result = applications::create(&svc, &user, &form).await;
    answer_form(result, page, form, None, "created").await
}

/// After create or update: to the application with a flash, or the form
/// again with each error next to its field and what was typed.
async fn answer_form(
    result: Result<Application, ServiceError>,
    page: Page,
    form: ApplicationInput,
    id: Option<String>,
    done: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(app) => {
            let to = format!("/applications/{}", app.id);
            session::redirect_with(
                &page.session,
                FlashKind::Success,
                format!("Application {} {done}.", app.name),
                &to,
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormView {
                layout: page.layout,
                id,
                form,
                errors,
            },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TabQuery {
    #[serde(default)]
    tab: String,
}

#[derive(Template)]
#[template(path = "applications/show.html")]
struct ShowView {
    layout: Layout,
    app: Application,
    tab: &'static str,
    subscriptions: Vec<Subscription>,
    sandbox_key: Option<Keys>,
    token_url: String,
    usage: UsageReport,
    chart: String,
    certificates: Vec<Registered>,
    production_key: Option<Keys>,
}

impl ShowView {
    fn when(t: &time::OffsetDateTime) -> String {
        format_time(*t)
    }

    fn sandbox_subscriptions(&self) -> Vec<&Subscription> {
        self.subscriptions
            .iter()
            .filter(|s| s.environment == Environment::Sandbox)
            .collect()
    }

    fn hour_label(start: &i64) -> String {
        let h = start.rem_euclid(86_400) / 3600;
        format!("{h:02}:00")
    }

    fn throttled_percent(&self) -> String {
        format!("{:.1}", self.usage.throttled_percent())
    }

    fn active_certificate(&self) -> Option<&Registered> {
        self.certificates.iter().find(|c| c.active)
    }

    fn production_subscriptions(&self) -> Vec<&Subscription> {
        self.subscriptions
            .iter()
            .filter(|s| s.environment == Environment::Production)
            .collect()
    }
}

async fn show(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<TabQuery>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    let tab = match q.tab.as_str() {
        "subscriptions" => "subscriptions",
        "keys" => "keys",
        "production" => "production",
        _ => "overview",
    };
    let subscriptions = subscriptions::for_application(&svc, &app).await?;
    let sandbox_key = keys::find(&svc, &app, Environment::Sandbox).await?;
    let usage = usage::last_24_hours(&svc, &app.id).await?;
    let certificates = certificates::history(&svc, &app).await?;
    let production_key = keys::find(&svc, &app, Environment::Production).await?;
    let chart = chart::calls_per_hour(&usage);
    render(&ShowView {
        usage,
        chart,
        certificates,
        production_key,
        layout: page.layout,
        app: app.into_inner(),
        tab,
        subscriptions,
        sandbox_key,
        token_url: svc.url("/oauth2/token"),
    })
}

async fn edit_form(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?.into_inner();
    let form = ApplicationInput {
        name: app.name,
        description: app.description,
        callback_url: app.callback_url.unwrap_or_default(),
    };
    render(&FormView {
        layout: page.layout,
        id: Some(app.id),
        form,
        errors: FieldErrors::new(),
    })
}

async fn update(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ApplicationInput>,
) -> Result<Response, AppError> {
    let result = applications::update(&svc, &user, &id, &form).await;
    answer_form(result, page, form, Some(id), "saved").await
}

#[derive(Template)]
#[template(path = "applications/delete.html")]
struct DeleteView {
    layout: Layout,
    app: Application,
    preview: DeletionPreview,
    error: Option<String>,
}

async fn delete_page(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    let preview = applications::deletion_preview(&svc, &app).await?;
    render(&DeleteView {
        layout: page.layout,
        app: app.into_inner(),
        preview,
        error: None,
    })
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

async fn delete(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    ClientAddr(client_address): ClientAddr,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    let preview = applications::deletion_preview(&svc, &app).await?;
    if form.confirm_name.trim() != app.name {
        let error = Some(format!(
            "Type the application's name, {}, exactly to confirm.",
            app.name
        ));
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DeleteView {
                layout: page.layout,
                app: app.into_inner(),
                preview,
                error,
            },
        );
    }
    applications::delete(&svc, &app, &client_address).await?;
    let message = format!("Application {} is deleted, with its subscriptions and keys.", app.name);
    session::redirect_with(&page.session, FlashKind::Success, message, "/applications").await
}
