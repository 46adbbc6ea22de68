//! Sandbox keys of an application: generate, regenerate the secret, revoke.
//! A secret is shown once, in the response to the POST that made it; it is
//! never stored in clear, not even in the session.

use askama::Template;
use axum::extract::{Path, State};

use super::render;
use super::session::{self, Layout, SignedIn};
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

/// Shows new keys (or a new secret) once, or goes back to the tab with why not.
async fn issue(svc: &Services, me: SignedIn, id: &str, env: Environment, regenerated: bool) -> Reply {
    let app = applications::owned(svc, &me.user, id).await?;
    let issued = if regenerated {
        keys::regenerate_secret(svc, &app, &me.page.client_address, env).await
    } else {
        keys::generate(svc, &app, &me.page.client_address, env).await
    };
    match issued {
        Ok(issued) => render(&SecretView {
            layout: me.page.layout,
            app: app.into_inner(),
            client_id: issued.client_id,
            client_secret: issued.client_secret.expose().to_string(),
            token_url: svc.url("/oauth2/token"),
            regenerated,
            environment: env.label(),
        }),
        Err(e) => session::redirect_after(&me.page.session, Err(e), &tab(&app.id, env)).await,
    }
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
