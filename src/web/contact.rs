//! "Contact us" for signed-in developers, and the link that confirms a new
//! e-mail address.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::session::{self, FlashKind, Layout, Page, SignedIn};
use super::{render, render_status};
use crate::domain::contact::{Category, PROFILE_FIELDS};
use crate::domain::profile::COUNTRIES;
use crate::domain::validation::FieldErrors;
use crate::services::contact::{self, EmailChange};
use crate::services::{ServiceError, Services};
use crate::web::Reply;

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

#[derive(Deserialize)]
pub struct FormQuery {
    category: Option<String>,
}

pub async fn form(SignedIn { page, .. }: SignedIn, Query(q): Query<FormQuery>) -> Reply {
    let category = q
        .category
        .filter(|c| Category::parse(c).is_some())
        .unwrap_or_else(|| "profile".into());
    let form = BTreeMap::from([("category".to_string(), category)]);
    render(&ContactView {
        layout: page.layout,
        form,
        errors: FieldErrors::new(),
        fields: PROFILE_FIELDS,
        countries: COUNTRIES,
    })
}

pub async fn send(State(svc): State<Services>, me: SignedIn, Form(mut input): Form<BTreeMap<String, String>>) -> Reply {
    input.remove("csrf_token");
    match contact::send(&svc, &me.user, &input).await {
        Ok(_) => {
            session::redirect_with(
                &me.page.session,
                FlashKind::Success,
                "Your message is sent to the bank. You can follow it on your profile.",
                "/profile#requests",
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            let view = ContactView {
                layout: me.page.layout,
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
pub struct TokenQuery {
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

pub async fn confirm_email(State(svc): State<Services>, page: Page, Query(q): Query<TokenQuery>) -> Reply {
    let (outcome, email) = match contact::confirm_email_change(&svc, &page.client_address, &q.token).await? {
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
