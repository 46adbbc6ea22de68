//! Sandbox keys of an application: generate, regenerate the secret, revoke.
//! A secret is shown once, on the page the POST that made it redirects to
//! (Post/Redirect/Get: Back and reload never repeat the POST). Between the
//! two it waits in the session sealed with the server's key, and the first
//! view takes it out; it is never stored in clear.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use super::render;
use super::session::{self, FlashKind, Layout, SignedIn};
use crate::domain::application::Application;
use crate::domain::catalogue::Environment;
use crate::services::{Services, applications, keys};
use crate::web::Reply;

#[derive(Template)]
#[template(path = "applications/secret.html")]
struct SecretView {
    layout: Layout,
    app: Application,
    client_id: String,
    client_secret: String,
    token_url: String,
    regenerated: bool,
    environment: &'static str,
}

pub async fn generate(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    issue(&svc, me, &id, Environment::Sandbox, false).await
}

/// Production keys are a client id only: the client authenticates with the
/// registered certificate (tls_client_auth), so there is no secret to show.
pub async fn generate_production(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let outcome = keys::generate(&svc, &app, &me.page.client_address, Environment::Production)
        .await
        .map(|k| {
            format!(
                "Production client id {} generated. It authenticates with the registered certificate over mutual TLS: \
                 there is no secret.",
                k.client_id
            )
        });
    session::redirect_after(&me.page.session, outcome, &tab(&app.id, Environment::Production)).await
}

pub async fn regenerate(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    issue(&svc, me, &id, Environment::Sandbox, true).await
}

const ISSUED: &str = "issued_keys";

/// New keys on their way from the POST to the page that shows them once.
#[derive(Serialize, Deserialize)]
struct Issued {
    application_id: String,
    client_id: String,
    sealed_secret: String,
    regenerated: bool,
}

/// Makes new keys (or a new secret) and redirects to the page that shows
/// them, or goes back to the tab with why not.
async fn issue(svc: &Services, me: SignedIn, id: &str, env: Environment, regenerated: bool) -> Reply {
    let app = applications::owned(svc, &me.user, id).await?;
    let issued = if regenerated {
        keys::regenerate_secret(svc, &app, &me.page.client_address, env).await
    } else {
        keys::generate(svc, &app, &me.page.client_address, env).await
    };
    match issued {
        Ok(issued) => {
            let waiting = Issued {
                application_id: app.id.clone(),
                client_id: issued.client_id,
                sealed_secret: svc.sealer.seal(issued.client_secret.expose())?,
                regenerated,
            };
            me.page.session.insert(ISSUED, waiting).await?;
            Ok(Redirect::to(&format!("/applications/{}/sandbox-keys/new", app.id)).into_response())
        }
        Err(e) => session::redirect_after(&me.page.session, Err(e), &tab(&app.id, env)).await,
    }
}

/// The new secret, once: a reload or Back finds it gone and says so.
pub async fn shown(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let waiting = match me.page.session.get::<Issued>(ISSUED).await? {
        Some(w) if w.application_id == app.id => me.page.session.remove::<Issued>(ISSUED).await?,
        _ => None,
    };
    let Some(waiting) = waiting else {
        return session::redirect_with(
            &me.page.session,
            FlashKind::Info,
            "The client secret was shown once and is not kept. If you did not store it, regenerate it below.",
            &tab(&app.id, Environment::Sandbox),
        )
        .await;
    };
    render(&SecretView {
        layout: me.page.layout,
        app: app.into_inner(),
        client_id: waiting.client_id,
        client_secret: svc.sealer.open(&waiting.sealed_secret)?,
        token_url: svc.url("/oauth2/token"),
        regenerated: waiting.regenerated,
        environment: Environment::Sandbox.label(),
    })
}

pub async fn revoke(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let outcome = keys::revoke(&svc, &app, &me.page.client_address, Environment::Sandbox)
        .await
        .map(|()| format!("The sandbox keys of {} are revoked; they no longer work.", app.name));
    session::redirect_after(&me.page.session, outcome, &tab(&app.id, Environment::Sandbox)).await
}

/// The application tab where keys of the environment are managed.
fn tab(id: &str, env: Environment) -> String {
    match env {
        Environment::Sandbox => format!("/applications/{id}?tab=keys"),
        Environment::Production => format!("/applications/{id}?tab=production"),
    }
}
