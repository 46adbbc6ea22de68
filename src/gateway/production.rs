//! The production APIs, `/production/accounts/1.0.0/…` and
//! `/production/payments/1.0.0/…` (the same paths as the sandbox's): each
//! call is checked as a sandbox call is (request id, token and its scope,
//! subscription, rate limit), and more: the token must be a production
//! token, bound to the client certificate the call comes with (mutual TLS,
//! RFC 8705). Then the bank answers ([`crate::production_bank`]): its
//! backend, whose status and body are passed on, or the simulated bank.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use super::call::{ClientRequestId, checked};
use super::error::GatewayError;
use crate::domain::catalogue::Environment;
use crate::production_bank::{BankError, BankRequest, simulated};
use crate::services::Services;

/// The largest request body passed to the bank.
const MAX_BODY: usize = 64 * 1024;

pub fn router() -> Router<Services> {
    Router::new()
        .route(
            "/production/accounts/1.0.0/{*rest}",
            any(|State(svc): State<Services>, req: Request| forward(svc, "accounts", req)),
        )
        .route(
            "/production/payments/1.0.0/{*rest}",
            any(|State(svc): State<Services>, req: Request| forward(svc, "payments", req)),
        )
}

async fn forward(svc: Services, family: &'static str, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (slug, name) = match family {
        "accounts" => ("accounts-production", "Accounts 1.0.0 (Production)"),
        _ => ("payments-production", "Payments 1.0.0 (Production)"),
    };
    let (access, psu_present) = match checked(&parts, &svc, slug, name, Environment::Production).await {
        Ok(found) => found,
        Err(refusal) => return refusal.into_response(),
    };
    if access.bound_to.is_none() {
        // Every production token is issued by tls_client_auth; this is a guard, not a path.
        return GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "TOKEN_INVALID",
            "Production calls take a certificate-bound token.",
        )
        .into_response();
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return GatewayError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "FORMAT_ERROR",
            "The body is larger than 64 KiB.",
        )
        .into_response();
    };
    let base = format!("/production/{family}/1.0.0");
    let path = parts.uri.path().strip_prefix(&base).unwrap_or("/").to_string();
    if let Err(refusal) = consent_allows(&svc, &access, &path, psu_present).await {
        return refusal.into_response();
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request = BankRequest {
        family,
        method: parts.method.clone(),
        path,
        query: parts.uri.query().map(str::to_string),
        content_type: header("content-type"),
        body,
        request_id: parts
            .extensions
            .get::<ClientRequestId>()
            .and_then(|r| r.0.clone())
            .unwrap_or_default(),
        psu_ip_address: header("psu-ip-address"),
        organization_id: access.organization_id.as_deref().unwrap_or("").to_string(),
        application_id: access.application_id.to_string(),
        consent_id: access.consent_id().map(str::to_string),
        psu_id: Some(access.ssn.to_string()).filter(|s| !s.is_empty()),
    };
    match svc.production_bank.call(request).await {
        Ok(answer) => {
            let mut res = Response::new(Body::from(answer.body));
            *res.status_mut() = answer.status;
            if let Some(ct) = answer.content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                res.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            if answer.simulated {
                res.headers_mut()
                    .insert("devportal-simulation", HeaderValue::from_static(simulated::NOTICE));
            }
            res
        }
        Err(BankError::Timeout) => GatewayError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "BANK_TIMEOUT",
            "The bank's system did not answer in time. Try again; send the same X-Request-ID.",
        )
        .into_response(),
        Err(BankError::Unreachable(why)) => {
            tracing::warn!(family, error = %why, "production upstream unreachable");
            GatewayError::new(
                StatusCode::BAD_GATEWAY,
                "BANK_UNAVAILABLE",
                "The bank's system cannot be reached at the moment. Try again later.",
            )
            .into_response()
        }
    }
}

/// An AIS token reads only while its consent is valid, only the accounts and
/// data it covers, and without the customer present only `frequencyPerDay`
/// times a day per account. Checked here when the portal keeps the consent
/// (the simulated bank); the bank's backend checks its own.
async fn consent_allows(
    svc: &Services,
    access: &crate::services::access::Access,
    path: &str,
    psu_present: bool,
) -> Result<(), GatewayError> {
    let Some(id) = access.consent_id() else {
        return Ok(());
    };
    if !svc.config.production.simulates("accounts") {
        return Ok(());
    }
    let c = super::consents::usable(svc, &access.application_id, id).await?;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (account, what) = match segments[..] {
        ["Accounts"] => ("list", "list"),
        ["Accounts", account] => (account, "accounts"),
        ["Accounts", account, "balances"] => (account, "balances"),
        ["Accounts", account, "transactions", ..] => (account, "transactions"),
        _ => return Ok(()),
    };
    if what != "list" && !c.may(account, what) {
        return Err(super::consents::not_covered(account, what));
    }
    match crate::services::sandbox::consent_read(svc, &c, account, psu_present).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(retry)) => Err(GatewayError::too_many(
            "ACCESS_EXCEEDED",
            format!(
                "Without the customer present, this consent allows {} reads a day of each account. Send \
                 PSU-IP-Address when the customer is actively asking.",
                c.frequency_per_day
            ),
            retry.0,
        )),
        Err(e) => Err(GatewayError::internal(e)),
    }
}
