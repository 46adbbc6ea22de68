//! What a TPP's software calls: the OAuth token endpoint and the sandbox
//! APIs. It shares services and storage with the portal, never its sessions.

pub mod accounts;
pub mod call;
pub mod dto;
pub mod error;
pub mod examples;
pub mod mtls_check;
pub mod oauth;
pub mod payments;
pub mod production;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{any, get, post};
use utoipa::openapi::security::{
    ClientCredentials, Flow, Http, HttpAuthScheme, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::services::Services;
use call::ClientRequestId;
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

fn accounts_parts() -> (Router<Services>, OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(accounts::list))
        .routes(routes!(accounts::details))
        .routes(routes!(accounts::balances))
        .routes(routes!(accounts::transactions))
        .routes(routes!(accounts::transaction))
        .split_for_parts()
}

fn payments_parts() -> (Router<Services>, OpenApi) {
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

/// The OpenAPI 3.1 document of an API family, served at `server_url`.
pub fn openapi(
    family: &str,
    title: &str,
    version: &str,
    base_url: &str,
    server_url: &str,
    today: time::Date,
) -> Option<OpenApi> {
    let mut doc = match family {
        "accounts" => accounts_parts().1,
        "payments" => payments_parts().1,
        _ => return None,
    };
    doc.info = InfoBuilder::new()
        .title(format!("{title} API"))
        .version(version)
        .description(Some(
            "Get an access token from /oauth2/token (client credentials, scope=psd2_sandbox:<SSN>) and send it as \
             `Authorization: Bearer <token>`, with an `X-Request-ID` (UUID) on every call.",
        ))
        .build();
    crate::openapi::describe_publisher(&mut doc, base_url, server_url);
    // What the gateway's one extractor can refuse on any call, before the
    // operation runs (see `call::Call`).
    let payments = family == "payments";
    crate::openapi::document_refusals(&mut doc, "ErrorDto", |_| {
        let mut refusals = vec![
            (
                "400",
                "FORMAT_ERROR: a header, parameter or body is malformed (X-Request-ID must be a UUID)",
            ),
            ("401", "No valid access token"),
            (
                "403",
                "The application is not subscribed, the subscription is blocked, or the customer is refused",
            ),
            ("429", "Too many calls: try again after Retry-After seconds"),
        ];
        if payments {
            refusals.push((
                "404",
                "PRODUCT_UNKNOWN or RESOURCE_UNKNOWN: no such payment product or resource",
            ));
        }
        refusals
    });
    // Each operation takes the bearer token or the oauth2 scheme below.
    for op in crate::openapi::operations(&mut doc) {
        op.security
            .get_or_insert_with(Vec::new)
            .push(SecurityRequirement::new("oauth2", ["psd2_sandbox:195505063676"]));
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    // The same token, described so that tools (Postman) fetch it themselves:
    // client credentials at the token endpoint, one scope per test user.
    let token_url = format!("{}/oauth2/token", base_url.trim_end_matches('/'));
    let scopes: Scopes = crate::domain::sandbox_users::TEST_USERS
        .iter()
        .map(|u| (format!("psd2_sandbox:{}", u.ssn), u.behaviour.to_string()))
        .collect();
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
            token_url, scopes,
        ))])),
    );
    if family == "payments" {
        // Named only in path parameters, which utoipa-axum does not collect.
        components.schemas.insert(
            "PaymentProduct".into(),
            <dto::PaymentProduct as utoipa::PartialSchema>::schema(),
        );
    }
    examples::fill(&mut doc, today);
    crate::openapi::complete_descriptions(
        &mut doc,
        &[
            ("Accounts", "The customer's accounts, their balances and transactions"),
            (
                "Payments",
                "Single payments: initiate one, read it and its status, cancel it",
            ),
            (
                "Periodic payments",
                "Standing orders: a payment repeated until an end date",
            ),
            ("Signing baskets", "Several payments the customer authorises at once"),
        ],
    );
    // Last: every response, the refusals above included, echoes it.
    crate::openapi::document_echoed_header(&mut doc, "X-Request-ID", "The X-Request-ID of the request, echoed");
    Some(doc)
}

/// Outermost layer: notes the `X-Request-ID` the client sent, before the
/// portal's request-id layer fills in one of its own.
pub async fn note_client_request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    req.extensions_mut().insert(ClientRequestId(id));
    next.run(req).await
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
