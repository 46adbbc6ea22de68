//! The application's sandbox data: reset to the documented state.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use super::session::{self, FlashKind, SignedIn};
use crate::error::AppError;
use crate::services::{Services, applications, sandbox};

pub fn router() -> Router<Services> {
    Router::new().route("/applications/{id}/sandbox/reset", post(reset))
}

async fn reset(
    State(svc): State<Services>,
    SignedIn { user, page }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let app = applications::owned(&svc, &user, &id).await?;
    let removed = sandbox::reset(&svc, &app).await?;
    let message = format!(
        "The sandbox data of this application is back to the documented state ({removed} payment{} and basket{} removed).",
        if removed == 1 { "" } else { "s" },
        if removed == 1 { "" } else { "s" }
    );
    session::redirect_with(
        &page.session,
        FlashKind::Success,
        message,
        &format!("/applications/{id}"),
    )
    .await
}
