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
async fn readyz(State(svc): State<Services>) -> (StatusCode, &'static str) {
    if !svc.db.ping().await {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    match rate_limits::hit(&svc, "readyz", i64::MAX, 60).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "readiness: the database takes no writes");
            (StatusCode::SERVICE_UNAVAILABLE, "database takes no writes")
        }
    }
}
