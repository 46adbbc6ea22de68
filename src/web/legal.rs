//! The privacy policy and the terms of use (the bank's Markdown, in the
//! brand folder), and the page that asks for a new version's approval.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::session::{self, Layout, Page, SignedIn};
use super::{markdown, render, render_status};
use crate::brand::LegalText;
use crate::domain::validation::FieldErrors;
use crate::services::{Services, legal};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "legal/document.html")]
struct DocumentView {
    layout: Layout,
    title: &'static str,
    version: String,
    html: String,
}

fn document(page: Page, title: &'static str, text: &LegalText) -> Reply {
    render(&DocumentView {
        title,
        version: text.version.clone(),
        html: markdown::to_html(&text.markdown),
        layout: page.layout,
    })
}

pub async fn privacy(State(svc): State<Services>, page: Page) -> Reply {
    document(page, "Privacy policy", &svc.brand.privacy)
}

pub async fn terms(State(svc): State<Services>, page: Page) -> Reply {
    document(page, "Terms of use", &svc.brand.terms)
}

#[derive(Template)]
#[template(path = "legal/approve.html")]
struct ApproveView {
    layout: Layout,
    pending: Vec<(&'static str, String)>,
    next: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

/// Only a signed-in account reaches it (`SignedIn` itself would send it here).
pub async fn approve_page(State(svc): State<Services>, me: SignedIn, Query(q): Query<Next>) -> Reply {
    let next = session::local_path(Some(&q.next))?;
    let pending = legal::pending(&svc, &me.user);
    if pending.is_empty() {
        return Ok(Redirect::to(&next).into_response());
    }
    render(&ApproveView {
        layout: me.page.layout,
        pending,
        next,
        errors: FieldErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    next: String,
    accept_privacy: Option<String>,
    accept_terms: Option<String>,
}

pub async fn approve(State(svc): State<Services>, me: SignedIn, Form(form): Form<ApproveForm>) -> Reply {
    let next = session::local_path(Some(&form.next))?;
    let pending = legal::pending(&svc, &me.user);
    let mut errors = FieldErrors::new();
    for (doc, version) in &pending {
        match *doc {
            "privacy" if form.accept_privacy.is_none() => errors.add(
                "accept_privacy",
                format!("Read and approve the privacy policy (version {version}) to go on."),
            ),
            "terms" if form.accept_terms.is_none() => errors.add(
                "accept_terms",
                format!("Read and approve the terms of use (version {version}) to go on."),
            ),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &ApproveView {
                layout: me.page.layout,
                pending,
                next,
                errors,
            },
        );
    }
    if !pending.is_empty() {
        legal::approve(&svc, &me.user, &me.page.client_address).await?;
    }
    session::redirect_with(
        &me.page.session,
        session::FlashKind::Success,
        "Thank you: your approval is recorded.",
        &next,
    )
    .await
}
