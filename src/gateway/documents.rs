//! The OpenAPI 3.1 documents of the APIs, one per family and environment:
//! the same operations (the sandbox's handlers describe them), with the
//! security each environment asks for: in the sandbox a client-credentials
//! token per test customer; in production mutual TLS with the registered
//! QWAC and a certificate-bound token with scope `accounts`/`payments`.

use utoipa::openapi::security::{
    AuthorizationCode, ClientCredentials, Flow, Http, HttpAuthScheme, OAuth2, Scopes, SecurityRequirement,
    SecurityScheme,
};
use utoipa::openapi::{InfoBuilder, OpenApi};

use super::{accounts_parts, dto, examples, payments_parts};
use crate::domain::catalogue::Environment;

/// Which document, and where its API and token endpoint are reached.
pub struct DocumentFor<'a> {
    pub family: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub environment: Environment,
    /// The portal's public URL (contact and terms links).
    pub base_url: &'a str,
    /// Where the API is called (its base path included).
    pub server_url: &'a str,
    /// The token endpoint to use (the mutual-TLS one for production).
    pub token_url: &'a str,
    /// Where the customer authorises a consent or payment (`/oauth2/authorize`).
    pub authorization_url: &'a str,
    /// The simulated bank answers this production API.
    pub simulated: bool,
    /// Dates in the examples are relative to it.
    pub today: time::Date,
}

const SANDBOX: &str = "Get an access token from /oauth2/token (client credentials, scope=psd2_sandbox:<SSN>) and send \
                       it as `Authorization: Bearer <token>`, with an `X-Request-ID` (UUID) on every call. To \
                       rehearse production, ask for a consent (or initiate a payment) with a client token \
                       (scope=accounts or payments), let the test customer authorise it with the simulated BankID \
                       (authorization code with PKCE at /oauth2/authorize, scope AIS:<consentId> or \
                       PIS:<paymentId>, or the decoupled flow at /oauth2/bankid/authorize), and call with the \
                       customer's token.";

const PRODUCTION: &str = "Production: every call, the token request included, goes over mutual TLS with the \
                          application's registered QWAC. Get the token at the mutual-TLS token endpoint (client \
                          credentials, `tls_client_auth`: the production client id and the certificate, no secret; \
                          scope `accounts` and/or `payments`) to ask for consents and initiate payments; the \
                          customer authorises them with BankID (a pushed request at /oauth2/par, then \
                          /oauth2/authorize; or the decoupled flow), and the code gives a token with scope \
                          AIS:<consentId> or PIS:<paymentId>. Tokens are bound to the certificate. Send them as \
                          `Authorization: Bearer <token>`, with an `X-Request-ID` (UUID) on every call.";

const SIMULATED: &str = " **Simulated production**: the bank's system is not connected; a simulated bank answers, \
                         with no real customer data, and says so in a `Devportal-Simulation` header.";

/// The document, or None for a family without one.
pub fn openapi(d: &DocumentFor<'_>) -> Option<OpenApi> {
    let mut doc = match d.family {
        "accounts" => accounts_parts().1,
        "payments" => payments_parts().1,
        _ => return None,
    };
    let production = d.environment == Environment::Production;
    let mut description = if production {
        PRODUCTION.to_string()
    } else {
        SANDBOX.to_string()
    };
    if production && d.simulated {
        description.push_str(SIMULATED);
    }
    doc.info = InfoBuilder::new()
        .title(format!(
            "{} API{}",
            d.title,
            if production { " (Production)" } else { "" }
        ))
        .version(d.version)
        .description(Some(description))
        .build();
    crate::openapi::describe_publisher(&mut doc, d.base_url, d.server_url);
    refusals(&mut doc, d.family, production);
    if production {
        production_security(&mut doc, d);
    } else {
        sandbox_security(&mut doc, d.token_url);
    }
    customer_security(&mut doc, d);
    if d.family == "payments" {
        // Named only in path parameters, which utoipa-axum does not collect.
        doc.components.get_or_insert_with(Default::default).schemas.insert(
            "PaymentProduct".into(),
            <dto::PaymentProduct as utoipa::PartialSchema>::schema(),
        );
    }
    examples::fill(&mut doc, d.today);
    crate::openapi::complete_descriptions(
        &mut doc,
        &[
            ("Accounts", "The customer's accounts, their balances and transactions"),
            (
                "Consents",
                "The customer's consent to account information: ask for it, read it, end it",
            ),
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

/// What the gateway can refuse on any call, before the operation runs
/// (see `call::checked`), and in production what the bank's system can.
fn refusals(doc: &mut OpenApi, family: &str, production: bool) {
    let payments = family == "payments";
    crate::openapi::document_refusals(doc, "ErrorDto", |_| {
        let mut refusals = vec![
            (
                "400",
                "FORMAT_ERROR: a header, parameter or body is malformed (X-Request-ID must be a UUID)",
            ),
            (
                "401",
                "No valid access token (or, in production, not with the certificate it is bound to)",
            ),
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
        if production {
            refusals.push(("502", "BANK_UNAVAILABLE: the bank's system cannot be reached"));
            refusals.push(("504", "BANK_TIMEOUT: the bank's system did not answer in time"));
        }
        refusals
    });
}

/// Each operation takes the bearer token, or the oauth2 scheme that tells
/// tools (Postman) how to fetch it: client credentials, a scope per test user.
fn sandbox_security(doc: &mut OpenApi, token_url: &str) {
    for op in crate::openapi::operations(doc) {
        // The bearer requirement comes from the handlers' annotations.
        op.security
            .get_or_insert_with(Vec::new)
            .push(SecurityRequirement::new("oauth2", ["psd2_sandbox:195505063676"]));
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
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
}

/// Each operation also takes a customer's token: the authorization code
/// flow (with PKCE) for a consent or payment the customer authorised.
fn customer_security(doc: &mut OpenApi, d: &DocumentFor<'_>) {
    let scope = if d.family == "payments" {
        "PIS:<paymentId>"
    } else {
        "AIS:<consentId>"
    };
    let production = d.environment == Environment::Production;
    for op in crate::openapi::operations(doc) {
        let customer = SecurityRequirement::new("customer", [scope]);
        let customer = if production {
            SecurityRequirement::new("mutualTLS", Vec::<String>::new()).add("customer", [scope])
        } else {
            customer
        };
        op.security.get_or_insert_with(Vec::new).push(customer);
    }
    let scopes = Scopes::from_iter([
        (
            "AIS:<consentId>".to_string(),
            "Read what the customer's consent covers".to_string(),
        ),
        (
            "PIS:<paymentId>".to_string(),
            "Act on the one payment the customer authorised".to_string(),
        ),
    ]);
    doc.components.get_or_insert_with(Default::default).add_security_scheme(
        "customer",
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::AuthorizationCode(AuthorizationCode::new(
                d.authorization_url,
                d.token_url,
                scopes,
            ))],
            "The customer authorises a consent or payment with BankID at the bank (PKCE S256 required; \
             production clients push the request to /oauth2/par first).",
        )),
    );
}

/// Each operation needs both: the client certificate (mutual TLS) and a
/// token with this family's scope.
fn production_security(doc: &mut OpenApi, d: &DocumentFor<'_>) {
    for op in crate::openapi::operations(doc) {
        op.security = Some(vec![
            SecurityRequirement::new("mutualTLS", Vec::<String>::new()).add("oauth2", [d.family]),
        ]);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "mutualTLS",
        SecurityScheme::MutualTls {
            description: Some("The application's registered eIDAS QWAC, in the TLS handshake.".into()),
            extensions: None,
        },
    );
    let scopes = Scopes::from_iter([
        ("accounts".to_string(), "The Accounts API (PSP_AI)".to_string()),
        ("payments".to_string(), "The Payments API (PSP_PI)".to_string()),
    ]);
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
            d.token_url,
            scopes,
        ))])),
    );
}
