//! The JSON API for automation under `/api/v1`. It calls the same services as
//! the pages, authenticates with personal access tokens (no cookies, so no
//! CSRF), and answers errors as `{"error": code, "message": …}`.
//! utoipa-axum builds the routes and the OpenAPI document from the same
//! handlers, so the document lists exactly the routes there are.

mod applications;
mod auth;
mod catalogue;
mod certificates;
mod error;
mod personal_tokens;
mod production;
mod test_certificates;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

use crate::services::Services;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Devportal API",
        description = "Automate the developer portal: applications, subscriptions and sandbox keys. \
                       Authenticate with a personal access token: `Authorization: Bearer dpat_…`.",
        version = "1.0.0"
    ),
    modifiers(&SecuritySchemes),
    tags((name = "apis", description = "The API catalogue"),
         (name = "applications", description = "Applications, subscriptions and keys"),
         (name = "tokens", description = "Personal access tokens"))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "personal_access_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme("password", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    }
}

/// The API's routes and its OpenAPI document.
pub fn parts() -> (Router<Services>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalogue::list))
        .routes(routes!(applications::list, applications::create))
        .routes(routes!(
            applications::get_one,
            applications::update,
            applications::delete
        ))
        .routes(routes!(applications::subscriptions, applications::subscribe))
        .routes(routes!(applications::unsubscribe))
        .routes(routes!(
            applications::keys,
            applications::generate_keys,
            applications::revoke_keys
        ))
        .routes(routes!(applications::regenerate_secret))
        .routes(routes!(applications::reset_sandbox))
        .routes(routes!(certificates::put, certificates::get, certificates::delete))
        .routes(routes!(certificates::confirm))
        .routes(routes!(test_certificates::create, test_certificates::list))
        .routes(routes!(production::generate_keys))
        .routes(routes!(production::state))
        .routes(routes!(personal_tokens::create))
        .split_for_parts();
    // Documented by rule, now that the operations exist: 401 where a token
    // is needed, 400/415/422 where a JSON body is read.
    crate::openapi::document_refusals(&mut doc, "ErrorBody", |op| {
        let mut refusals = Vec::new();
        if crate::openapi::secured_by(op, "personal_access_token") {
            refusals.push(("401", "No personal access token, or one that is revoked or expired"));
        }
        if crate::openapi::reads_json(op) {
            refusals.push(("400", "The body is not valid JSON"));
            refusals.push(("415", "The body is not sent as JSON"));
            refusals.push(("422", "The JSON does not have the documented shape"));
        }
        refusals
    });
    crate::openapi::complete_descriptions(&mut doc, &[]);
    // No body at all is allowed when creating a personal access token.
    if let Some(body) = doc
        .paths
        .paths
        .get_mut("/api/v1/personal-access-tokens")
        .and_then(|item| item.post.as_mut())
        .and_then(|op| op.request_body.as_mut())
    {
        body.required = Some(utoipa::openapi::Required::False);
    }
    (router, doc)
}

/// Times in the API: RFC 3339 (`format: date-time`).
fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn router() -> Router<Services> {
    let (router, doc) = parts();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/api/v1/openapi.json",
            get(move |State(svc): State<Services>| async move {
                let mut doc = doc.as_ref().clone();
                let base = svc.base_url.as_str();
                crate::openapi::describe_publisher(&mut doc, base, base.trim_end_matches('/'));
                Json(doc)
            }),
        )
        .route("/api/v1/{*rest}", any(|| async { ApiError::not_found() }))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This address does not take this method; the OpenAPI document lists the ones it takes.",
            )
        })
        .layer(DefaultBodyLimit::max(super::middleware::FORM_LIMIT))
}
