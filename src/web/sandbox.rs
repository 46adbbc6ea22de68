//! The application's sandbox data: reset to the documented state.

use axum::extract::{Path, State};

use super::session::{self, FlashKind, SignedIn};
use crate::services::{Services, applications, sandbox};
use crate::web::Reply;

pub async fn reset(State(svc): State<Services>, me: SignedIn, Path(id): Path<String>) -> Reply {
    let app = applications::owned(&svc, &me.user, &id).await?;
    let removed = sandbox::reset(&svc, &app).await?;
    let message = format!(
        "The sandbox data of this application is back to the documented state ({removed} payment{} and basket{} removed).",
        if removed == 1 { "" } else { "s" },
        if removed == 1 { "" } else { "s" }
    );
    session::redirect_with(
        &me.page.session,
        FlashKind::Success,
        message,
        &format!("/applications/{id}"),
    )
    .await
}
