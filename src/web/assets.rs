//! The stylesheet and the one small script, built into the binary so that
//! it runs from any folder; the brand's colours, logo and favicon.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::brand::Asset;
use crate::services::Services;

const STYLE: &str = include_str!("../../static/style.css");
const SCRIPT: &str = include_str!("../../static/app.js");

pub fn router() -> Router<Services> {
    Router::new()
        .route(
            "/static/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route("/brand.css", get(brand_css))
        .route("/brand/logo", get(logo))
        .route("/brand/favicon", get(favicon))
        .route("/favicon.ico", get(favicon))
}

/// The brand's accent colours, over the stylesheet's neutral ones.
async fn brand_css(State(svc): State<Services>) -> Response {
    let mut res = svc.brand.stylesheet().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}

async fn logo(State(svc): State<Services>) -> Response {
    match &svc.brand.logo {
        Some(logo) => image(logo),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn favicon(State(svc): State<Services>) -> Response {
    image(&svc.brand.favicon)
}

/// An image of the brand. An SVG opened on its own runs no script: it gets
/// a CSP of its own (the security headers keep a CSP that is set).
fn image(asset: &Asset) -> Response {
    let mut res = asset.bytes.clone().into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    res
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
