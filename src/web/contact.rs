//! "Contact us" for signed-in developers, and the link that confirms a new
//! e-mail address.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::session::{self, ClientAddr, FlashKind, Layout, Page, SignedIn};
use super::{render, render_status};
use crate::domain::contact::PROFILE_FIELDS;
use crate::domain::profile::COUNTRIES;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::services::contact::{self, EmailChange};
use crate::services::{ServiceError, Services};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/contact", get(form).post(send))
        .route("/verify-email-change", get(confirm_email))
}

#[derive(Template)]
#[template(path = "pages/contact.html")]
struct ContactView {
    layout: Layout,
    form: BTreeMap<String, String>,
    errors: FieldErrors,
    fields: &'static [(&'static str, &'static str)],
    countries: &'static [(&'static str, &'static str)],
}

impl ContactView {
    fn value(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
}

async fn form(SignedIn { page, .. }: SignedIn) -> Result<Response, AppError> {
    let form = BTreeMap::from([("category".to_string(), "profile".to_string())]);
    render(&ContactView {
        layout: page.layout,
        form,
        errors: FieldErrors::new(),
        fields: PROFILE_FIELDS,
        countries: COUNTRIES,
    })
}

async fn send(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Form(mut input): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    input.remove("csrf_token");
    match contact::send(&svc, &user, &input).await {
        Ok(_) => {
            session::redirect_with(
                &page.session,
                FlashKind::Success,
                "Your message is sent to the bank. You can follow it on your profile.",
                "/profile#requests",
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            let view = ContactView {
                layout: page.layout,
                form: input,
                errors,
                fields: PROFILE_FIELDS,
                countries: COUNTRIES,
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "pages/email_changed.html")]
struct ChangedView {
    layout: Layout,
    outcome: &'static str,
    email: String,
}

async fn confirm_email(
    State(svc): State<Services>,
    page: Page,
    ClientAddr(client_address): ClientAddr,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let (outcome, email) = match contact::confirm_email_change(&svc, &client_address, &q.token).await? {
        EmailChange::Changed(e) => ("changed", e),
        EmailChange::Taken => ("taken", String::new()),
        EmailChange::Invalid => ("invalid", String::new()),
    };
    render(&ChangedView {
        layout: page.layout,
        outcome,
        email,
    })
}
