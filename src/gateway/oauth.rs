//! `POST /oauth2/token`: the client credentials grant (RFC 6749 §4.4), with
//! client authentication by HTTP Basic or form fields (§2.3.1), or by the
//! client certificate of a mutual TLS connection (RFC 8705 `tls_client_auth`,
//! which binds the token to the certificate), and errors as §5.2 says.

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::client_address::ClientAddr;
use crate::client_certificate::ClientCertificate;
use crate::services::Services;
use crate::services::token_endpoint::{self, CIBA_GRANT, ClientAuth, OAuthError, TokenRequest};

#[derive(Deserialize, Default)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    auth_req_id: Option<String>,
}

#[derive(Serialize)]
struct OAuthErrorBody {
    error: &'static str,
    error_description: String,
}

/// Who calls the token or the revocation endpoint, as the connection and
/// the headers tell: address, client certificate, HTTP Basic credentials.
pub struct Caller {
    address: String,
    certificate: Option<Vec<u8>>,
    basic: Option<(String, String)>,
}

impl FromRequestParts<Services> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, svc: &Services) -> Result<Self, Self::Rejection> {
        let Ok(ClientAddr(address)) = ClientAddr::from_request_parts(parts, svc).await;
        let Ok(ClientCertificate(certificate)) = ClientCertificate::from_request_parts(parts, svc).await;
        Ok(Caller {
            address,
            certificate,
            basic: basic_credentials(&parts.headers),
        })
    }
}

impl Caller {
    /// Where the call comes from.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The client's authentication: the id and secret from HTTP Basic or the
    /// form (one way, not both: then the refusal to answer), with the
    /// address and certificate; and whether Basic was used.
    pub(crate) fn client<F: Credentials>(
        self,
        form: Result<Form<F>, FormRejection>,
    ) -> Result<(F, ClientAuth, bool), Box<Response>> {
        let Ok(Form(mut form)) = form else {
            return Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Send the parameters form-encoded (application/x-www-form-urlencoded).".into(),
                None,
            )));
        };
        let (id, secret) = form.credentials();
        if self.basic.is_some() && secret.is_some() {
            return Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Use one way to authenticate the client, not both.".into(),
                None,
            )));
        }
        let used_basic = self.basic.is_some();
        let (client_id, client_secret) = match self.basic {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (id, secret),
        };
        let auth = ClientAuth {
            client_address: self.address,
            client_id,
            client_secret,
            client_certificate: self.certificate,
        };
        Ok((form, auth, used_basic))
    }
}

/// A form that may carry the client's id and secret (RFC 6749 §2.3.1).
pub trait Credentials {
    fn credentials(&mut self) -> (Option<String>, Option<String>);
}

impl Credentials for TokenForm {
    fn credentials(&mut self) -> (Option<String>, Option<String>) {
        (self.client_id.take(), self.client_secret.take())
    }
}

impl Credentials for RevokeForm {
    fn credentials(&mut self) -> (Option<String>, Option<String>) {
        (self.client_id.take(), self.client_secret.take())
    }
}

pub async fn token(
    State(svc): State<Services>,
    caller: Caller,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let (form, client, used_basic) = match caller.client(form) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let grant = grant_label(form.grant_type.as_deref());
    let req = TokenRequest {
        client,
        grant_type: form.grant_type,
        scope: form.scope,
        code: form.code,
        redirect_uri: form.redirect_uri,
        code_verifier: form.code_verifier,
        refresh_token: form.refresh_token,
        auth_req_id: form.auth_req_id,
    };
    match token_endpoint::issue(&svc, req).await {
        Ok(issued) => {
            svc.metrics.tokens_issued.with_label_values(&[grant]).inc();
            let mut res = Json(issued).into_response();
            no_store(&mut res);
            res
        }
        Err(e) => {
            let res = oauth_error(e, used_basic);
            svc.metrics
                .tokens_refused
                .with_label_values(&[refusal_reason(&res)])
                .inc();
            res
        }
    }
}

/// The grant type as a metric label: the known ones, else `other`.
fn grant_label(grant_type: Option<&str>) -> &'static str {
    match grant_type {
        Some("client_credentials") => "client_credentials",
        Some("authorization_code") => "authorization_code",
        Some("refresh_token") => "refresh_token",
        Some(CIBA_GRANT) => "ciba",
        _ => "other",
    }
}

/// The OAuth error code of a refusal (kept on the response for the metrics).
#[derive(Clone, Copy)]
struct ErrorCode(&'static str);

fn refusal_reason(res: &Response) -> &'static str {
    res.extensions().get::<ErrorCode>().map_or("other", |c| c.0)
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /oauth2/revoke` (RFC 7009): the client ends one of its tokens;
/// 200 whether or not there was such a token.
pub async fn revoke(
    State(svc): State<Services>,
    caller: Caller,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    let (form, client, used_basic) = match caller.client(form) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let Some(token) = form.token.filter(|t| !t.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.".into(),
            None,
        );
    };
    match token_endpoint::revoke(&svc, client, &token).await {
        Ok(()) => {
            let mut res = StatusCode::OK.into_response();
            no_store(&mut res);
            res
        }
        Err(e) => oauth_error(e, used_basic),
    }
}

pub(crate) fn oauth_error(e: OAuthError, used_basic: bool) -> Response {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        OAuthError::InvalidGrant(m) => error(bad, "invalid_grant", m, None),
        OAuthError::UnauthorizedClient(m) => error(bad, "unauthorized_client", m, None),
        OAuthError::AuthorizationPending => error(
            bad,
            "authorization_pending",
            "The customer has not finished in BankID yet; poll again after the interval.".into(),
            None,
        ),
        OAuthError::SlowDown => error(
            bad,
            "slow_down",
            "Polled too often: wait the interval (and 5 seconds more) between polls.".into(),
            None,
        ),
        OAuthError::ExpiredToken(m) => error(bad, "expired_token", m, None),
        OAuthError::AccessDenied(m) => error(StatusCode::FORBIDDEN, "access_denied", m, None),
        OAuthError::Unavailable(m) => error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", m, None),
        OAuthError::InvalidRequest(m) => error(StatusCode::BAD_REQUEST, "invalid_request", m, None),
        OAuthError::InvalidClient(m) => error_to(used_basic, StatusCode::UNAUTHORIZED, "invalid_client", m, None),
        OAuthError::InvalidScope(m) => error(StatusCode::BAD_REQUEST, "invalid_scope", m, None),
        OAuthError::UnsupportedGrantType(m) => error(StatusCode::BAD_REQUEST, "unsupported_grant_type", m, None),
        OAuthError::Throttled(wait) => error(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            "Too many token requests for this client; a token lives an hour, so reuse it.".into(),
            Some(wait.as_secs_f64().ceil().max(1.0) as u64),
        ),
        OAuthError::Internal(e) => {
            tracing::error!(error = %format!("{e:#}"), "token endpoint");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Something went wrong; try again.".into(),
                None,
            )
        }
    }
}

pub(crate) fn error(status: StatusCode, code: &'static str, description: String, retry_after: Option<u64>) -> Response {
    error_to(false, status, code, description, retry_after)
}

/// An RFC 6749 §5.2 error. `WWW-Authenticate` goes only to a client that
/// authenticated with HTTP Basic (as §5.2 asks); one that sent its secret in
/// the body gets the JSON error alone, which libraries then report as
/// `invalid_client` instead of an authentication challenge.
fn error_to(
    used_basic: bool,
    status: StatusCode,
    code: &'static str,
    description: String,
    retry_after: Option<u64>,
) -> Response {
    let mut res = (
        status,
        Json(OAuthErrorBody {
            error: code,
            error_description: description,
        }),
    )
        .into_response();
    no_store(&mut res);
    res.extensions_mut().insert(ErrorCode(code));
    if status == StatusCode::UNAUTHORIZED && used_basic {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"devportal\", error=\"invalid_client\""),
        );
    }
    if let Some(s) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    res
}

pub(crate) fn no_store(res: &mut Response) {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// RFC 6749 §2.3.1: the id and secret are form-urlencoded before Base64.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// RFC 8414 authorization server metadata, so OAuth libraries can discover
/// the token endpoint and what it takes.
pub async fn metadata(State(svc): State<Services>) -> Response {
    let mut metadata = serde_json::json!({
        "issuer": crate::services::authorization::issuer(&svc),
        "token_endpoint": svc.url("/oauth2/token"),
        "revocation_endpoint": svc.url("/oauth2/revoke"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "tls_client_auth"],
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token", CIBA_GRANT],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "tls_client_auth"],
        "tls_client_certificate_bound_access_tokens": true,
        "authorization_endpoint": svc.url("/oauth2/authorize"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["accounts", "payments", "AIS:<consentId>", "PIS:<paymentId>", "psd2_sandbox:<SSN>"],
        "pushed_authorization_request_endpoint": svc.url("/oauth2/par"),
        // Production clients must push (FAPI 2.0); the sandbox also takes
        // the parameters in the URL, so this says what production requires.
        "require_pushed_authorization_requests": true,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_authentication_endpoint": svc.url("/oauth2/bankid/authorize"),
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": false,
        "service_documentation": svc.url("/apis"),
    });
    // RFC 8705 §5: where a client that authenticates with its certificate goes.
    if let Some(tls) = &svc.tls_url {
        let tls = tls.as_str().trim_end_matches('/');
        metadata["mtls_endpoint_aliases"] = serde_json::json!({
            "token_endpoint": format!("{tls}/oauth2/token"),
            "revocation_endpoint": format!("{tls}/oauth2/revoke"),
            "pushed_authorization_request_endpoint": format!("{tls}/oauth2/par"),
            "backchannel_authentication_endpoint": format!("{tls}/oauth2/bankid/authorize"),
        });
    }
    let mut res = Json(metadata).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    res
}
