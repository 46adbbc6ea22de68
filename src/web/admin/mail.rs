//! The outbox for admins: every recent mail with its state (waiting,
//! retrying after an error, sent, given up for good), and "Send again" for a
//! mail given up once the mail server's problem is fixed. "The verification
//! mail never arrived" starts here.

use askama::Template;
use axum::extract::{Path, State};

use super::Admin;
use crate::domain::mail::StoredMail;
use crate::services::{Services, outbox};
use crate::web::session::{self, Layout};
use crate::web::{Reply, format_time, render};

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailView {
    layout: Layout,
    mails: Vec<StoredMail>,
}

impl MailView {
    fn when(t: &time::OffsetDateTime) -> String {
        format_time(*t)
    }
}

pub async fn undelivered(State(svc): State<Services>, admin: Admin) -> Reply {
    let page = admin.page.with_csrf().await?;
    let mails = outbox::overview(&svc, &admin.user).await?;
    render(&MailView {
        layout: page.layout,
        mails,
    })
}

/// `POST /admin/mail/{id}/send-again`.
pub async fn send_again(State(svc): State<Services>, admin: Admin, Path(id): Path<i64>) -> Reply {
    let outcome = outbox::send_again(&svc, &admin.user, id, &admin.page.client_address)
        .await
        .map(|()| format!("Mail {id} is queued again."));
    session::redirect_after(&admin.page.session, outcome, "/admin/mail").await
}
