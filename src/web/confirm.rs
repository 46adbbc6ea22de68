//! Confirmation pages for destructive actions: before keys are revoked, a
//! subscription removed, the sandbox data reset or a certificate deleted,
//! the page says exactly what will go and offers the one (danger) button
//! that does it, and a way back. (Deleting an application has its own page,
//! which also asks for the name.)

use askama::Template;
use axum::extract::{Path, State};

use super::session::{Layout, SignedIn};
use super::{Reply, render};
use crate::domain::catalogue::Environment;
use crate::error::AppError;
use crate::services::{Services, applications, certificates, keys, subscriptions};

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmView {
    layout: Layout,
    title: String,
    goes: Vec<String>,
    action: String,
    button: &'static str,
    back: String,
}

async fn page(
    me: SignedIn,
    title: String,
    goes: Vec<String>,
    action: String,
    button: &'static str,
    back: String,
) -> Reply {
    let page = me.page.with_csrf().await?;
    render(&ConfirmView {
        layout: page.layout,
        title,
        goes,
        action,
        button,
        back,
    })
}

/// `GET /applications/{id}/sandbox-keys/revoke`.
pub async fn revoke_keys(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let key = keys::find(&svc, &app, Environment::Sandbox)
        .await?
        .ok_or(AppError::NotFound)?;
    let goes = vec![
        format!(
            "The client id {} and its secret: token requests with them fail at once.",
            key.client_id
        ),
        "Every access token issued with them: calls with those tokens fail at once.".into(),
    ];
    let title = format!("Revoke the sandbox keys of {}?", app.name);
    let action = format!("/applications/{}/sandbox-keys/revoke", app.id);
    page(
        me,
        title,
        goes,
        action,
        "Revoke the keys",
        format!("/applications/{}?tab=keys", app.id),
    )
    .await
}

/// `GET /applications/{id}/sandbox/reset`.
pub async fn reset_sandbox(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let goes = vec![
        "Every payment, standing order and signing basket this application made in the sandbox.".into(),
        "The balances and histories those payments changed: the test users are back to the documented state.".into(),
    ];
    let title = format!("Reset the sandbox data of {}?", app.name);
    let action = format!("/applications/{}/sandbox/reset", app.id);
    page(
        me,
        title,
        goes,
        action,
        "Reset the sandbox data",
        format!("/applications/{}", app.id),
    )
    .await
}

/// `GET /applications/{id}/certificate/delete`.
pub async fn delete_certificate(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let cert = certificates::history(&svc, &app)
        .await?
        .into_iter()
        .find(|c| c.active)
        .ok_or(AppError::NotFound)?;
    let goes = vec![
        format!(
            "The registered certificate of {} ({}): production token requests with it fail.",
            cert.qwac.organization_name, cert.qwac.organization_id
        ),
        "Every production access token bound to it: production calls with them fail at once.".into(),
        "New production subscriptions need a certificate again (existing ones stay).".into(),
    ];
    let title = format!("Delete the certificate of {}?", app.name);
    let action = format!("/applications/{}/certificate/delete", app.id);
    page(
        me,
        title,
        goes,
        action,
        "Delete the certificate",
        format!("/applications/{}?tab=production", app.id),
    )
    .await
}

/// `GET /subscriptions/{id}/delete`.
pub async fn unsubscribe(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let sub = subscriptions::get(&svc, &me.user, &id).await?;
    if sub.is_blocked() {
        return Err(AppError::NotFound);
    }
    let goes = vec![format!(
        "{}'s subscription to {} {} ({}): its calls to that API answer NOT_SUBSCRIBED at once.",
        sub.application_name, sub.api_name, sub.api_version, sub.environment
    )];
    let title = format!("Unsubscribe {} from {}?", sub.application_name, sub.api_name);
    let action = format!("/subscriptions/{}/delete", sub.id);
    page(
        me,
        title,
        goes,
        action,
        "Unsubscribe",
        format!("/subscriptions/{}", sub.id),
    )
    .await
}
