//! Mail that did not go out: given up after the mail server refused it for
//! good, or waiting for another try after an error. "The verification mail
//! never arrived" starts here.

use askama::Template;
use axum::extract::State;

use super::Admin;
use crate::domain::mail::StoredMail;
use crate::services::{Services, outbox};
use crate::web::session::Layout;
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
    let mails = outbox::undelivered(&svc, &admin.user).await?;
    render(&MailView {
        layout: admin.page.layout,
        mails,
    })
}
