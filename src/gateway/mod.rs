//! What a TPP's software calls: the OAuth token endpoint, the sandbox APIs
//! and the production APIs. It shares services and storage with the portal,
//! never its sessions.

pub mod accounts;
pub mod authorization;
pub mod bankid_simulator;
pub mod call;
pub mod consents;
pub mod documents;
pub mod dto;
pub mod error;
pub mod examples;
pub mod mtls_check;
pub mod oauth;
pub mod payments;
pub mod production;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Response;
use axum::routing::{any, get, post};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::services::Services;
use error::GatewayError;

/// The headers every sandbox call carries.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Headers {
    /// A new UUID for each call; echoed in the response.
    #[serde(rename = "X-Request-ID")]
    #[param(format = Uuid, example = "99391c7e-ad88-49ec-a2ad-99ddcb1f7721")]
    #[allow(dead_code)]
    x_request_id: String,
    /// The customer's IP address when they are actively asking. Without it,
    /// PSD2 allows 4 reads a day per account (Accounts API).
    #[serde(rename = "PSU-IP-Address")]
    #[param(value_type = Option<String>, nullable = false, format = Ipv4, example = "192.0.2.10")]
    #[allow(dead_code)]
    psu_ip_address: Option<String>,
}

pub(crate) fn accounts_parts() -> (Router<Services>, OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(accounts::list))
        .routes(routes!(accounts::details))
        .routes(routes!(accounts::balances))
        .routes(routes!(accounts::transactions))
        .routes(routes!(accounts::transaction))
        .routes(routes!(consents::create))
        .routes(routes!(consents::get, consents::delete))
        .routes(routes!(consents::status))
        .split_for_parts()
}

pub(crate) fn payments_parts() -> (Router<Services>, OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(payments::create))
        .routes(routes!(payments::get, payments::delete))
        .routes(routes!(payments::status))
        .routes(routes!(payments::create_periodic))
        .routes(routes!(payments::get_periodic, payments::delete_periodic))
        .routes(routes!(payments::status_periodic))
        .routes(routes!(payments::create_basket))
        .routes(routes!(payments::get_basket, payments::update_basket))
        .split_for_parts()
}

pub fn router() -> Router<Services> {
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/revoke", post(oauth::revoke))
        .route("/oauth2/par", post(authorization::par))
        .route("/oauth2/bankid/authorize", post(authorization::decoupled))
        .route("/oauth2/bankid/{auth_req_id}/qr", get(authorization::qr))
        .merge(bankid_simulator::router())
        .route("/.well-known/oauth-authorization-server", get(oauth::metadata))
        .route("/mtls/check", get(mtls_check::check))
        .merge(production::router())
        .nest("/sandbox/accounts/1.0.0", accounts_parts().0)
        .nest("/sandbox/payments/1.0.0", payments_parts().0)
        .route(
            "/sandbox/{*rest}",
            any(|| async {
                GatewayError::not_found("This path").into_response_with_hint(
                    "There is no sandbox API at this path. The APIs are at /sandbox/accounts/1.0.0 and /sandbox/payments/1.0.0.",
                )
            }),
        )
        .layer(DefaultBodyLimit::max(64 * 1024))
}

impl GatewayError {
    fn into_response_with_hint(self, message: &str) -> Response {
        use axum::response::IntoResponse;
        GatewayError {
            message: message.into(),
            ..self
        }
        .into_response()
    }
}
