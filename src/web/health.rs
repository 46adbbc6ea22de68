//! Probes for a load balancer or orchestrator.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::services::{Services, rate_limits};

pub fn router() -> Router<Services> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and takes a write (a full disk fails the write
/// while reads still work, and this instance must then take no traffic).
/// Redis is not part of readiness: without it the instance falls back to its
/// own rate limits (and says so here), it never refuses traffic for it.
async fn readyz(State(svc): State<Services>) -> (StatusCode, String) {
    let limits = crate::services::operations::rate_limits_state(&svc);
    if !svc.db.ping().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable\n{limits}"),
        );
    }
    match rate_limits::hit(&svc, "readyz", i64::MAX, 60).await {
        Ok(_) => (StatusCode::OK, format!("ready\n{limits}")),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "readiness: the database takes no writes");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database takes no writes\n{limits}"),
            )
        }
    }
}
