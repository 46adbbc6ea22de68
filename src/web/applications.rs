//! Application pages: list, create, view with tabs, edit, delete.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::session::{self, FlashKind, Layout, Page, SignedIn};
use super::{chart, format_time, render, render_status};
use crate::domain::application::{Application, DeletionPreview, Keys, Subscription};
use crate::domain::catalogue::Environment;
use crate::domain::qwac::Registered;
use crate::domain::validation::FieldErrors;
use crate::services::applications::{self, ApplicationInput};
use crate::services::usage::{self, UsageReport};
use crate::services::{ServiceError, Services, certificates, keys, subscriptions};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "applications/list.html")]
struct ListView {
    layout: Layout,
    applications: Vec<Application>,
}

pub async fn list(State(svc): State<Services>, me: SignedIn) -> Reply {
    let applications = applications::list(&svc, &me.user).await?;
    render(&ListView {
        layout: me.page.layout,
        applications,
    })
}

/// The application form as the page sends it: the redirect URIs one per line.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ApplicationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    redirect_uris: String,
}

impl ApplicationForm {
    fn input(&self) -> ApplicationInput {
        ApplicationInput {
            name: self.name.clone(),
            description: self.description.clone(),
            callback_url: String::new(),
            redirect_uris: Some(self.redirect_uris.lines().map(str::to_string).collect()),
        }
    }
}

#[derive(Template)]
#[template(path = "applications/form.html")]
struct FormView {
    layout: Layout,
    /// None: a new application.
    id: Option<String>,
    form: ApplicationForm,
    errors: FieldErrors,
}

pub async fn new_form(SignedIn { page, .. }: SignedIn) -> Reply {
    render(&FormView {
        layout: page.layout,
        id: None,
        form: ApplicationForm::default(),
        errors: FieldErrors::new(),
    })
}

pub async fn create(State(svc): State<Services>, me: SignedIn, Form(form): Form<ApplicationForm>) -> Reply {
    let result = applications::create(&svc, &me.user, &form.input()).await;
    answer_form(result, me.page, form, None, "created").await
}

/// After create or update: to the application with a flash, or the form
/// again with each error next to its field and what was typed.
async fn answer_form(
    result: Result<Application, ServiceError>,
    page: Page,
    form: ApplicationForm,
    id: Option<String>,
    done: &str,
) -> Reply {
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
pub struct TabQuery {
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
    test_certificates: Vec<crate::domain::test_qtsp::TestCertificate>,
    /// `https://host:port` of the mutual-TLS listener, when it is on.
    mtls_url: Option<String>,
    /// The simulated bank answers some production API.
    simulated_production: bool,
    /// Customers' consents to the application (the Consents tab).
    consents: Vec<crate::domain::consent::Consent>,
    today: time::Date,
    /// Why the certificate just uploaded was refused (shown by its form).
    certificate_error: Option<String>,
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

    fn last_used(c: &crate::domain::consent::Consent) -> String {
        c.last_used_at.map(format_time).unwrap_or_else(|| "never".into())
    }

    fn production_subscriptions(&self) -> Vec<&Subscription> {
        self.subscriptions
            .iter()
            .filter(|s| s.environment == Environment::Production)
            .collect()
    }
}

pub async fn show(
    State(svc): State<Services>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<TabQuery>,
) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let tab = match q.tab.as_str() {
        "subscriptions" => "subscriptions",
        "keys" => "keys",
        "production" => "production",
        "consents" => "consents",
        _ => "overview",
    };
    page(&svc, me.page.layout, app, tab, None).await
}

/// The production tab again, with why the certificate was refused beside
/// its form (nothing was stored).
pub async fn refused_certificate(
    svc: &Services,
    layout: Layout,
    app: applications::Owned,
    status: axum::http::StatusCode,
    refusal: String,
) -> Reply {
    let mut res = page(svc, layout, app, "production", Some(refusal)).await?;
    *res.status_mut() = status;
    Ok(res)
}

async fn page(
    svc: &Services,
    layout: Layout,
    app: applications::Owned,
    tab: &'static str,
    certificate_error: Option<String>,
) -> Reply {
    let subscriptions = subscriptions::for_application(svc, &app).await?;
    let sandbox_key = keys::find(svc, &app, Environment::Sandbox).await?;
    let usage = usage::last_24_hours(svc, &app.id).await?;
    let certificates = certificates::history(svc, &app).await?;
    let production_key = keys::find(svc, &app, Environment::Production).await?;
    let test_certificates = crate::services::test_qtsp::of_application(svc, &app).await?;
    let chart = chart::calls_per_hour(&usage);
    let consents = crate::services::consents::of_application(svc, &app).await?;
    render(&ShowView {
        consents,
        today: svc.now().date(),
        usage,
        chart,
        certificates,
        production_key,
        test_certificates,
        mtls_url: svc
            .tls_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string()),
        simulated_production: ["accounts", "payments"]
            .iter()
            .any(|f| svc.config.production.simulates(f)),
        layout,
        certificate_error,
        app: app.into_inner(),
        tab,
        subscriptions,
        sandbox_key,
        token_url: svc.url("/oauth2/token"),
    })
}

pub async fn edit_form(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?.into_inner();
    let form = ApplicationForm {
        name: app.name,
        description: app.description,
        redirect_uris: app.redirect_uris,
    };
    render(&FormView {
        layout: me.page.layout,
        id: Some(app.id),
        form,
        errors: FieldErrors::new(),
    })
}

pub async fn update(
    State(svc): State<Services>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ApplicationForm>,
) -> Reply {
    let result = applications::update(&svc, &me.user, &id, &form.input()).await;
    answer_form(result, me.page, form, Some(id), "saved").await
}

#[derive(Template)]
#[template(path = "applications/delete.html")]
struct DeleteView {
    layout: Layout,
    app: Application,
    preview: DeletionPreview,
    error: Option<String>,
}

pub async fn delete_page(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let preview = applications::deletion_preview(&svc, &app).await?;
    render(&DeleteView {
        layout: me.page.layout,
        app: app.into_inner(),
        preview,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

pub async fn delete(
    State(svc): State<Services>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let preview = applications::deletion_preview(&svc, &app).await?;
    if form.confirm_name.trim() != app.name {
        let error = Some(format!(
            "Type the application's name, {}, exactly to confirm.",
            app.name
        ));
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DeleteView {
                layout: me.page.layout,
                app: app.into_inner(),
                preview,
                error,
            },
        );
    }
    applications::delete(&svc, &app, &me.page.client_address).await?;
    let message = format!("Application {} is deleted, with its subscriptions and keys.", app.name);
    session::redirect_with(&me.page.session, FlashKind::Success, message, "/applications").await
}
