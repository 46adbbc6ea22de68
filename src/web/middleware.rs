//! Middleware of the portal's pages: CSRF, and friendly
//! error pages that carry the request id.

use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::session::{self, Layout};
use crate::error::{AppError, ErrorPage};
use crate::services::Services;

/// Largest form body the portal reads.
pub const FORM_LIMIT: usize = 64 * 1024;

/// Where a page notes whose session it served, for the request's log line
/// (the session layer runs in a span of its own, so the page cannot reach
/// the request's span itself).
#[derive(Clone, Default)]
pub struct AccountSlot(pub std::sync::Arc<std::sync::OnceLock<i64>>);

/// The policy for a page whose form's answer redirects to `origin` (the
/// bank's pages send the customer back to the TPP after a POST; browsers
/// apply `form-action` to that redirect too).
pub fn csp_allowing_form_redirect_to(origin: &str) -> String {
    super::edge::CSP.replace("form-action 'self'", &format!("form-action 'self' {origin}"))
}

/// Refuses a state-changing request whose CSRF token (form field
/// `csrf_token`, or header `X-CSRF-Token`) is not the session's.
pub async fn csrf_guard(session: Session, req: Request, next: Next) -> Result<Response, AppError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(req).await);
    }
    let (parts, body) = req.into_parts();
    // A file upload may carry up to 64 KiB of file plus the form around it.
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let limit = if multipart { FORM_LIMIT + 16 * 1024 } else { FORM_LIMIT };
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Ok(too_large()),
    };
    // The header for scripts, else the form's field (in a multipart body
    // too: a token never travels in the URL, where logs and Referer keep it).
    let header = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let presented = match header {
        Some(h) => Some(h),
        None if multipart => {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            multipart_field(content_type, bytes.clone(), "csrf_token").await
        }
        None => url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.into_owned()),
    };
    let expected = session::expected_csrf(&session).await?;
    let ok = match (presented, expected) {
        (Some(p), Some(e)) => bool::from(p.as_bytes().ct_eq(e.as_bytes())),
        _ => false,
    };
    if !ok {
        tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
        return Err(AppError::Forbidden("CSRF token missing or wrong"));
    }
    Ok(next.run(Request::from_parts(parts, Body::from(bytes))).await)
}

/// One text field of a buffered multipart body.
async fn multipart_field(content_type: &str, body: axum::body::Bytes, name: &str) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn too_large() -> Response {
    ErrorPage::response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Too much data",
        "The form sent more data than the portal accepts (64 KiB). Shorten what you typed and try again.",
        None,
    )
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorView {
    layout: Layout,
    status: u16,
    title: String,
    message: String,
    request_id: String,
}

/// Turns every error response of the portal into a page with the layout.
/// A 5xx shows only the request id; its detail is logged under that id.
pub async fn error_pages(State(svc): State<Services>, req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let session = req.extensions().get::<Session>().cloned();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let page = match res.extensions().get::<ErrorPage>() {
        Some(p) => p.clone(),
        None if is_html(&res) => return res,
        None => default_page(status),
    };
    if status.is_server_error() {
        tracing::error!(%request_id, status = status.as_u16(), detail = page.detail.as_deref().unwrap_or("-"), "request failed");
    } else if let Some(detail) = &page.detail {
        tracing::info!(%request_id, status = status.as_u16(), %detail, "request refused");
    }
    let mut layout = Layout {
        dev_mailbox: svc.dev_mailbox,
        brand: svc.brand.clone(),
        ..Layout::default()
    };
    // The signed-in navigation (with Admin for an admin) on error pages too.
    if let Some(s) = &session
        && session::has_auth(s).await
    {
        if let Ok(Some(user)) = session::signed_in_user(s, &svc).await {
            layout.is_admin = user.role == crate::domain::user::Role::Admin;
            layout.user_name = Some(user.display_name());
        }
        layout.csrf = session::csrf_token(s).await.unwrap_or_default();
    }
    let view = ErrorView {
        layout,
        status: status.as_u16(),
        title: page.title,
        message: page.message,
        request_id,
    };
    let body = view.render().unwrap_or_else(|_| "Something went wrong.".into());
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (parts, Html(body)).into_response()
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn default_page(status: StatusCode) -> ErrorPage {
    let (title, message) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is nothing at this address. Check the link, or start again from the home page.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("Not allowed", "This address does not take that kind of request."),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Too much data",
            "The form sent more data than the portal accepts (64 KiB). Shorten what you typed and try again.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => (
            "The form could not be read",
            "The portal could not read what was sent. Go back, reload the page and try again.",
        ),
        s if s.is_server_error() => (
            "Something went wrong",
            "Something went wrong on our side and nothing was changed. Try again in a moment; \
             if it keeps happening, contact the bank and quote the request id below.",
        ),
        _ => ("Request refused", "The portal could not handle this request."),
    };
    ErrorPage {
        title: title.into(),
        message: message.into(),
        detail: None,
    }
}
