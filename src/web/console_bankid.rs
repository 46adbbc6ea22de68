//! "Authorize with BankID" in the API console (see
//! [`crate::services::console_authorization`]): the button starts the flow,
//! the bank's pages do the rest, and the way back fills the token in.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::Reply;
use super::session::{self, FlashKind, SignedIn};
use crate::error::AppError;
use crate::services::Services;
use crate::services::console_authorization::{self, Pending};

const PENDING: &str = "console_authorization";
/// The token the console form shows next (once).
pub const TOKEN: &str = "console_token";

#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    application_id: String,
    #[serde(default)]
    op: usize,
}

/// `POST /apis/{slug}/console/authorize`.
pub async fn start(State(svc): State<Services>, me: SignedIn, Path(slug): Path<String>, Form(f): Form<Start>) -> Reply {
    let console = format!("/apis/{slug}/console?op={}", f.op);
    let pending = match console_authorization::start(&svc, &me.user, &f.application_id, &me.page.client_address).await {
        Ok(p) => p,
        Err(e) => return session::redirect_after(&me.page.session, Err(e), &console).await,
    };
    super::bank::remember(&me.page.session, &pending.handle).await?;
    let to = format!("/bank/authorize/{}", pending.handle);
    me.page.session.insert(PENDING, (pending, console)).await?;
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub struct Back {
    code: Option<String>,
    state: Option<String>,
    error_description: Option<String>,
}

/// `GET /console/authorized`: the bank sends the developer back here.
pub async fn back(State(svc): State<Services>, me: SignedIn, Query(q): Query<Back>) -> Reply {
    let session = &me.page.session;
    let Some((pending, console)) = session.remove::<(Pending, String)>(PENDING).await? else {
        return Err(AppError::NotFound);
    };
    let Some(code) = q.code else {
        let why = q
            .error_description
            .unwrap_or_else(|| "The customer did not approve.".into());
        return session::redirect_with(session, FlashKind::Warning, format!("No token: {why}"), &console).await;
    };
    let state = q.state.unwrap_or_default();
    match console_authorization::finish(&svc, &me.user, &pending, &code, &state).await {
        Ok(token) => {
            session.insert(TOKEN, token).await?;
            session::redirect_with(
                session,
                FlashKind::Success,
                "Authorized with BankID: the consent's access token is filled in below.",
                &console,
            )
            .await
        }
        Err(e) => session::redirect_after(session, Err(e), &console).await,
    }
}
