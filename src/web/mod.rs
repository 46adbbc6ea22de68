//! The portal's pages: routers, extractors, middleware and views. Handlers
//! are thin: extract, call a service, render.

pub mod admin;
pub mod api;
pub mod applications;
pub mod assets;
pub mod auth;
pub mod bank;
pub mod bankid_simulator;
pub mod certificates;
pub mod chart;
pub mod confirm;
pub mod console;
pub mod console_bankid;
pub mod contact;
pub mod dashboard;
pub mod data_export;
pub mod edge;
pub mod health;
pub mod keys;
pub mod legal;
pub mod mailbox;
pub mod markdown;
pub mod metrics;
pub mod middleware;
pub mod my_consents;
pub mod pages;
pub mod personal_tokens;
pub mod qr;
pub mod routes;
pub mod sandbox;
pub mod session;
pub mod store;
pub mod subscriptions;
pub mod test_certificates;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::error::AppError;
use crate::services::Services;
use crate::storage::sessions::SessionBackend;

/// What a page handler answers: a page, a redirect, or an error page.
pub type Reply = Result<Response, AppError>;

/// Renders a page template, or a 500 with the request id if that fails.
pub fn render(t: &impl Template) -> Result<Response, AppError> {
    let html = t
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering: {e}")))?;
    Ok(Html(html).into_response())
}

/// Renders a page with another status than 200 (a form with errors: 422).
pub fn render_status(status: axum::http::StatusCode, t: &impl Template) -> Result<Response, AppError> {
    let mut res = render(t)?;
    *res.status_mut() = status;
    Ok(res)
}

/// "2026-11-24 14:03 UTC".
pub fn format_time(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC).format(&f).unwrap_or_default()
}

/// The whole HTTP application.
pub fn app(svc: Services, sessions: SessionBackend) -> Router {
    let secure = svc.base_url.scheme() == "https";
    let idle = svc.config.session_idle.whole_seconds();
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("devportal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(idle)))
        // Without this the idle expiry moves only when the session changes, so
        // an active developer would be signed out `idle` after signing in.
        .with_always_save(true);

    let portal = routes::pages(svc.dev_mailbox);
    // Router::layer, one at a time, innermost first: each layer sees the
    // response as axum's, so the error pages also cover panics and 413s.
    let portal = portal
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn(middleware::csrf_guard))
        .layer(DefaultBodyLimit::max(middleware::FORM_LIMIT))
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(svc.clone(), middleware::error_pages))
        .layer(session_layer)
        // Again outside the session layer: when a session cannot be loaded
        // or saved (database down, disk full) that layer answers an empty
        // 500, which becomes the page with the request id too.
        .layer(from_fn_with_state(svc.clone(), middleware::error_pages));

    Router::new()
        .merge(health::router())
        .merge(api::router())
        .merge(store::documents())
        .merge(crate::gateway::router())
        .merge(assets::router())
        .merge(portal)
        .with_state(svc.clone())
        .layer(edge::EdgeLayer::new(svc))
}
