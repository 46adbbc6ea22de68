//! What every sandbox call must bring, checked in this order: an
//! `X-Request-ID` (UUID), a bearer token that is valid, a subscription of the
//! token's application to this API's sandbox version, and room in the
//! application's rate limit.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use super::error::GatewayError;
use crate::client_certificate::ClientCertificate;
use crate::domain::catalogue::Environment;
use crate::services::access::{self, Access, AccessDenied};
use crate::services::sandbox::Party;
use crate::services::{Services, usage};

/// Set by the outermost layer: the `X-Request-ID` the client sent, if any
/// (before the portal would make one up).
#[derive(Clone)]
pub struct ClientRequestId(pub Option<String>);

/// Which API a handler belongs to.
pub trait SandboxApi: Send + Sync + 'static {
    const SLUG: &'static str;
    const NAME: &'static str;
}

pub struct Accounts;
impl SandboxApi for Accounts {
    const SLUG: &'static str = "accounts-sandbox";
    const NAME: &'static str = "Accounts 1.0.0 (Sandbox)";
}

pub struct Payments;
impl SandboxApi for Payments {
    const SLUG: &'static str = "payments-sandbox";
    const NAME: &'static str = "Payments 1.0.0 (Sandbox)";
}

/// A checked call: who calls, for which customer.
pub struct Call<A> {
    pub access: Access,
    /// Present when the customer is actively asking (`PSU-IP-Address`).
    pub psu_present: bool,
    _api: PhantomData<A>,
}

impl<A> Call<A> {
    /// Whose sandbox the call acts in: the token's application and customer.
    pub fn party(&self) -> Party<'_> {
        Party {
            application_id: &self.access.application_id,
            ssn: &self.access.ssn,
        }
    }
}

impl<A: SandboxApi> FromRequestParts<Services> for Call<A> {
    type Rejection = GatewayError;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let (access, psu_present) = checked(parts, svc, A::SLUG, A::NAME, Environment::Sandbox).await?;
        Ok(Call {
            access,
            psu_present,
            _api: PhantomData,
        })
    }
}

/// The checks every API call passes, sandbox or production, in order: the
/// `X-Request-ID`, the token (of this environment, with its certificate when
/// it is bound to one), the subscription to `slug`, the rate limit. Answers
/// the token's access and whether the customer is present (`PSU-IP-Address`).
pub async fn checked(
    parts: &Parts,
    svc: &Services,
    slug: &str,
    name: &str,
    env: Environment,
) -> Result<(Access, bool), GatewayError> {
    let request_id = parts.extensions.get::<ClientRequestId>().and_then(|r| r.0.as_deref());
    match request_id {
        Some(id) if uuid::Uuid::parse_str(id).is_ok() => {}
        Some(_) => {
            return Err(GatewayError::bad_request(
                "FORMAT_ERROR",
                "The X-Request-ID header must be a UUID.",
            ));
        }
        None => {
            return Err(GatewayError::bad_request(
                "FORMAT_ERROR",
                "The X-Request-ID header (a UUID) is required.",
            ));
        }
    }
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .unwrap_or(v)
                .trim()
        })
        .unwrap_or("");
    if token.is_empty() {
        return Err(GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "TOKEN_MISSING",
            "An access token is required: Authorization: Bearer <token> from /oauth2/token.",
        ));
    }
    let access = match access::check(svc, token).await {
        Ok(a) => a,
        Err(AccessDenied::Expired) => {
            return Err(GatewayError::new(
                StatusCode::UNAUTHORIZED,
                "TOKEN_EXPIRED",
                "access token expired",
            ));
        }
        Err(AccessDenied::Internal(e)) => return Err(GatewayError::internal(e)),
    };
    if access.environment != env {
        return Err(GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "TOKEN_INVALID",
            format!(
                "This is a {} token: {} APIs take tokens issued to the application's {} keys.",
                access.environment.label().to_lowercase(),
                env.label(),
                env.label().to_lowercase()
            ),
        ));
    }
    // A token with a scope (a client token, or any production token) works
    // only on the APIs it names.
    let family = slug.split('-').next().unwrap_or(slug);
    if let Some(scope) = &access.scope {
        // `AIS:<consentId>` calls the Accounts API, `PIS:<paymentId>` the Payments API.
        let covers = |s: &str| match crate::domain::authorization::Scope::parse(s) {
            Ok(customer) => customer.family() == family,
            Err(_) => s == family,
        };
        if !scope.split_whitespace().any(covers) {
            return Err(GatewayError::new(
                StatusCode::FORBIDDEN,
                "SCOPE_INVALID",
                format!("The access token's scope ({scope}) does not cover the {family} API."),
            ));
        }
    }
    if let Some(bound) = &access.bound_to {
        // RFC 8705 §3: a certificate-bound token works only with its certificate.
        let presented = ClientCertificate::of(parts, svc).1;
        if presented.map(|der| crate::domain::qwac::x5t_s256(&der)).as_deref() != Some(&**bound) {
            return Err(GatewayError::new(
                StatusCode::UNAUTHORIZED,
                "TOKEN_INVALID",
                "This access token is bound to a client certificate: call over mutual TLS with the certificate \
                 the token was issued to.",
            ));
        }
    }
    if access.blocked.contains(slug) {
        return Err(GatewayError::new(
            StatusCode::FORBIDDEN,
            "SUBSCRIPTION_BLOCKED",
            format!(
                "The bank has blocked this application's subscription to {name}. Contact the bank through the developer portal."
            ),
        ));
    }
    if !access.apis.contains(slug) {
        return Err(GatewayError::new(
            StatusCode::FORBIDDEN,
            "NOT_SUBSCRIBED",
            format!("The application is not subscribed to {name}. Subscribe it in the API store, then call again."),
        ));
    }
    if let Err(wait) = svc.rate_limits.sandbox.take(&access.application_id).await {
        usage::record(svc, &access.application_id, true);
        let secs = wait.as_secs_f64().ceil() as u64;
        return Err(GatewayError::too_many(
            "RATE_LIMITED",
            "Too many requests from this application. The bank asks TPPs to spread calls evenly over the day; \
             see Retry-After.",
            secs,
        ));
    }
    usage::record(svc, &access.application_id, false);
    let psu_present = parts.headers.get("psu-ip-address").is_some_and(|v| !v.is_empty());
    Ok((access, psu_present))
}
