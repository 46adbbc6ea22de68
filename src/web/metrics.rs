//! `/metrics` in Prometheus's text format, on the metrics listener only
//! (`DEVPORTAL_METRICS_BIND`): never on the public listeners.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
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

/// Counts every request by route template (not the path: ids would make
/// every application its own series), method and status, with its latency.
pub async fn count(State(svc): State<Services>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = req.method().as_str().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let m = &svc.metrics;
    m.http_latency
        .with_label_values(&[&route])
        .observe(started.elapsed().as_secs_f64());
    m.http_requests
        .with_label_values(&[&route, &method, res.status().as_str()])
        .inc();
    res
}
