//! The outermost layer of every request, as one service: it notes the
//! `X-Request-ID` the client sent and fills in one of its own, counts the
//! request for `/metrics`, runs it in the request's log span (with the
//! account a page served), bounds it by the request timeout, and puts the
//! request id and the security headers on the answer.
//!
//! One service with one future, not eight middleware layers: each layer
//! costs a boxed future and a clone of the router per request, and on the
//! sandbox APIs that chain was most of the time a call took (BENCHMARKS.md,
//! issue #17).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};
use tracing::Instrument;

use super::middleware::AccountSlot;
use crate::gateway::call::ClientRequestId;
use crate::services::Services;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How long a request may take before it is answered 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(Clone)]
pub struct EdgeLayer {
    svc: Services,
    /// Served over https (directly or behind a TLS-terminating balancer).
    https: bool,
}

impl EdgeLayer {
    pub fn new(svc: Services) -> Self {
        let https = svc.base_url.scheme() == "https";
        EdgeLayer { svc, https }
    }
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;
    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            layer: self.clone(),
        }
    }
}

pub type EdgeFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

#[derive(Clone)]
pub struct Edge<S> {
    inner: S,
    layer: EdgeLayer,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let started = Instant::now();
            let sent = req.headers().get(REQUEST_ID).cloned();
            let client = sent.as_ref().and_then(|v| v.to_str().ok()).map(str::to_string);
            req.extensions_mut().insert(ClientRequestId(client));
            let request_id = match sent {
                Some(id) => id,
                None => {
                    // A UUID is always a valid header value.
                    let id = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                        .unwrap_or(HeaderValue::from_static("-"));
                    req.headers_mut().insert(REQUEST_ID, id.clone());
                    id
                }
            };
            let route = req.extensions().get::<MatchedPath>().cloned();
            let route_str = route.as_ref().map_or("unmatched", |m| m.as_str());
            let method = req.method().clone();
            // Built only when INFO is on for this target; the fields are
            // read then and not otherwise.
            let span = tracing::info_span!(
                "request",
                method = %method,
                route = %route_str,
                request_id = %request_id.to_str().unwrap_or("-"),
                account_id = tracing::field::Empty
            );
            let slot = (!span.is_disabled()).then(|| {
                let slot = AccountSlot::default();
                req.extensions_mut().insert(slot.clone());
                slot
            });
            let call = inner.call(req);
            let mut res = async {
                let res = match tokio::time::timeout(REQUEST_TIMEOUT, call).await {
                    Ok(Ok(res)) => res,
                    Ok(Err(never)) => match never {},
                    Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                };
                if let Some(id) = slot.as_ref().and_then(|s| s.0.get()) {
                    tracing::Span::current().record("account_id", *id);
                }
                // The same fields and words tower-http's trace layer wrote,
                // so log queries written against it keep working.
                let latency = format_args!("{} ms", started.elapsed().as_millis());
                let status = res.status().as_u16();
                if res.status().is_server_error() {
                    tracing::error!(status, latency = %latency, "response failed");
                } else {
                    tracing::info!(status, latency = %latency, "finished processing request");
                }
                res
            }
            .instrument(span)
            .await;
            let metrics = &layer.svc.metrics;
            metrics
                .http_latency
                .with_label_values(&[route_str])
                .observe(started.elapsed().as_secs_f64());
            metrics
                .http_requests
                .with_label_values(&[route_str, method.as_str(), res.status().as_str()])
                .inc();
            let h = res.headers_mut();
            if !h.contains_key(REQUEST_ID) {
                h.insert(REQUEST_ID, request_id);
            }
            security_headers(h, layer.https);
            Ok(res)
        })
    }
}

fn security_headers(h: &mut axum::http::HeaderMap, https: bool) {
    // Browsers must never fall back to plain http for this host.
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages can hold personal data; nothing dynamic is cached.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
