//! `/my-consents`: the bank's customer signs in with BankID and sees, and
//! revokes, the consents they gave (Open Banking UK asks banks for this).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use time::OffsetDateTime;

use super::session::{self, FlashKind, Layout, Page};
use super::{Reply, format_time, qr, render};
use crate::bankid::Collect;
use crate::domain::bankid;
use crate::error::AppError;
use crate::services::Services;
use crate::services::customer_consents::{self, Given};

const CUSTOMER: &str = "customer_ssn";
const ORDER: &str = "customer_order";

/// The sign-in order the session waits for: ref, QR token, QR secret, start (unix).
type PendingOrder = (String, String, String, i64, String);

#[derive(Template)]
#[template(path = "bank/my_consents.html")]
struct ListView {
    layout: Layout,
    consents: Vec<Given>,
    customer: String,
}

impl ListView {
    fn when(t: &Option<OffsetDateTime>) -> String {
        t.map(format_time).unwrap_or_else(|| "never".into())
    }
}

#[derive(Template)]
#[template(path = "bank/my_consents_sign_in.html")]
struct SignInView {
    layout: Layout,
    qr_svg: Option<String>,
    autostart: String,
    words: &'static str,
    simulated: bool,
}

pub async fn show(State(svc): State<Services>, page: Page) -> Reply {
    let page = page.with_csrf().await?;
    if let Some(ssn) = page.session.get::<String>(CUSTOMER).await? {
        let consents = customer_consents::list(&svc, &ssn).await?;
        return render(&ListView {
            layout: page.layout,
            consents,
            customer: ssn,
        });
    }
    let simulated = svc.bankid.as_ref().is_some_and(|b| b.simulated());
    let Some((order_ref, token, secret, started, autostart)) = page.session.get::<PendingOrder>(ORDER).await? else {
        return render(&SignInView {
            layout: page.layout,
            qr_svg: None,
            autostart: String::new(),
            words: "Sign in with BankID to see the consents you gave.",
            simulated,
        });
    };
    let collected = customer_consents::collect(&svc, &order_ref).await?;
    match collected {
        Collect::Complete { personal_number } => {
            page.session.remove::<PendingOrder>(ORDER).await?;
            page.session.cycle_id().await?;
            page.session.insert(CUSTOMER, personal_number).await?;
            Ok(Redirect::to("/my-consents").into_response())
        }
        Collect::Failed(_) => {
            page.session.remove::<PendingOrder>(ORDER).await?;
            session::redirect_with(
                &page.session,
                FlashKind::Warning,
                bankid::in_words(&collected),
                "/my-consents",
            )
            .await
        }
        Collect::Pending(_) => {
            let seconds = svc.now().unix_timestamp() - started;
            render(&SignInView {
                layout: page.layout,
                qr_svg: Some(qr::inline_svg(&bankid::qr_data(&token, &secret, seconds.max(0)))),
                autostart: bankid::autostart_link(&autostart, None),
                words: bankid::in_words(&collected),
                simulated,
            })
        }
    }
}

/// `POST /my-consents/sign-in`: starts the BankID order.
pub async fn sign_in(State(svc): State<Services>, page: Page) -> Reply {
    let o = customer_consents::start_sign_in(&svc, &page.client_address).await?;
    let pending: PendingOrder = (
        o.order_ref,
        o.qr_start_token,
        o.qr_start_secret,
        o.started_at.unix_timestamp(),
        o.auto_start_token,
    );
    page.session.insert(ORDER, pending).await?;
    Ok(Redirect::to("/my-consents").into_response())
}

pub async fn sign_out(page: Page) -> Reply {
    page.session.remove::<String>(CUSTOMER).await?;
    page.session.remove::<PendingOrder>(ORDER).await?;
    Ok(Redirect::to("/my-consents").into_response())
}

/// `POST /my-consents/{id}/revoke`.
pub async fn revoke(State(svc): State<Services>, page: Page, Path(id): Path<String>) -> Reply {
    let Some(ssn) = page.session.get::<String>(CUSTOMER).await? else {
        return Err(AppError::NotFound);
    };
    let result = customer_consents::revoke(&svc, &ssn, &id).await.map(|g| {
        format!(
            "{} can no longer read your accounts with this consent.",
            g.application_name
        )
    });
    match result {
        Ok(message) => session::redirect_with(&page.session, FlashKind::Success, message, "/my-consents").await,
        Err(e) => session::redirect_after(&page.session, Err(e), "/my-consents").await,
    }
}
