//! The dev mailbox: with no SMTP server configured, every mail the portal
//! sends is readable here, so `cargo run` works end to end. The routes exist
//! only in that mode.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;

use super::render;
use super::session::{Layout, Page};
use crate::domain::mail::StoredMail;
use crate::error::AppError;
use crate::services::Services;
use crate::services::outbox;
use crate::web::Reply;

#[derive(Template)]
#[template(path = "dev/mailbox.html")]
struct ListView {
    layout: Layout,
    mails: Vec<StoredMail>,
}

impl ListView {
    fn when(m: &StoredMail) -> String {
        super::format_time(m.created_at)
    }
}

pub async fn list(State(svc): State<Services>, page: Page) -> Reply {
    let mails = outbox::recent(&svc).await?;
    render(&ListView {
        layout: page.layout,
        mails,
    })
}

/// `GET /dev/mailbox.json`: the same mails for an automated sign-up test,
/// newest first, each with the links it holds.
pub async fn list_json(State(svc): State<Services>) -> Result<axum::response::Response, AppError> {
    let mails = outbox::recent(&svc).await?;
    let f = time::format_description::well_known::Rfc3339;
    let body: Vec<serde_json::Value> = mails
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.id,
                "to": m.recipient,
                "subject": m.subject,
                "created_at": m.created_at.format(&f).unwrap_or_default(),
                "links": links_in(&m.body_text),
            })
        })
        .collect();
    let mut res = axum::Json(serde_json::json!({ "mails": body })).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Template)]
#[template(path = "dev/mail.html")]
struct ShowView {
    layout: Layout,
    mail: StoredMail,
    links: Vec<String>,
    when: String,
}

async fn find(svc: &Services, id: i64) -> Result<StoredMail, AppError> {
    Ok(outbox::find(svc, id).await?)
}

pub async fn show(State(svc): State<Services>, page: Page, Path(id): Path<i64>) -> Reply {
    let mail = find(&svc, id).await?;
    let links = links_in(&mail.body_text);
    let when = super::format_time(mail.created_at);
    render(&ShowView {
        layout: page.layout,
        mail,
        links,
        when,
    })
}

/// The HTML part as the recipient would see it, sandboxed: no scripts, no
/// forms, nothing loaded from elsewhere.
pub async fn show_html(State(svc): State<Services>, Path(id): Path<i64>) -> Reply {
    let mail = find(&svc, id).await?;
    let mut res = axum::response::Html(mail.body_html).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'",
        ),
    );
    Ok(res)
}

/// The http(s) links of a text body, so they can be clicked.
fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_string)
        .collect()
}
