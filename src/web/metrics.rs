//! `/metrics` in Prometheus's text format, on the metrics listener only
//! (`DEVPORTAL_METRICS_BIND`): never on the public listeners.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::services::{Services, operations};

pub fn router(svc: Services) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(svc)
}

async fn scrape(State(svc): State<Services>) -> Response {
    if let Err(e) = operations::refresh_gauges(&svc).await {
        tracing::warn!(error = %format!("{e:#}"), "metrics: reading the outbox and the pool");
    }
    let mut res = svc.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}
