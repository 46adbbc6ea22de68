//! The OAuth token endpoint's use cases: the client credentials grant
//! (RFC 6749 §4.4) for sandbox keys (`scope=psd2_sandbox:<SSN>`, a secret or
//! a test certificate) and for production keys (`tls_client_auth` with the
//! registered QWAC, RFC 8705, scope `accounts`/`payments`), and revocation
//! (RFC 7009). A token authenticated by a certificate is bound to it.

use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::Services;
use super::access::Client;
use crate::domain::catalogue::Environment;
use crate::domain::personnummer::Personnummer;
use crate::domain::secret::{SecretToken, access_token_key, hash_secret};
use crate::storage::token_batch::PendingToken;
use crate::storage::{access_tokens, keys};

/// How the client authenticates (RFC 6749 §2.3, RFC 8705 §2), as the
/// request brought it.
#[derive(Debug, Default)]
pub struct ClientAuth {
    /// Who asks (rate limits on failures).
    pub client_address: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// The client certificate of the connection (DER), for `tls_client_auth`.
    pub client_certificate: Option<Vec<u8>>,
}

/// A token request (RFC 6749 §4.4), after reading the form and Basic auth.
#[derive(Debug, Default)]
pub struct TokenRequest {
    pub client: ClientAuth,
    pub grant_type: Option<String>,
    pub scope: Option<String>,
    /// authorization_code: the code, the authorize request's redirect URI, the PKCE verifier.
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    /// refresh_token
    pub refresh_token: Option<String>,
    /// urn:openid:params:grant-type:ciba
    pub auth_req_id: Option<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub scope: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The CIBA grant type (OpenID CIBA Core §10.1).
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// RFC 6749 §5.2 errors, plus throttling.
#[derive(Debug)]
pub enum OAuthError {
    InvalidRequest(String),
    InvalidClient(String),
    InvalidScope(String),
    InvalidGrant(String),
    UnauthorizedClient(String),
    UnsupportedGrantType(String),
    /// CIBA polling (OpenID CIBA Core §11).
    AuthorizationPending,
    SlowDown,
    ExpiredToken(String),
    AccessDenied(String),
    /// The bank cannot do it now (BankID off or unreachable).
    Unavailable(String),
    Throttled(Duration),
    Internal(anyhow::Error),
}

impl From<crate::storage::Error> for OAuthError {
    fn from(e: crate::storage::Error) -> Self {
        OAuthError::Internal(e.into())
    }
}

/// A client the endpoint has authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub client_id: String,
    pub application_id: String,
    pub environment: Environment,
    /// The x5t#S256 of the certificate it authenticated with (tls_client_auth).
    pub certificate: Option<String>,
    /// The client id and (with a secret) the secret's hash it authenticated
    /// with: a token is stored only while these still hold in the database.
    /// None for the portal's own requests (the console).
    pub keys: Option<(String, Option<String>)>,
}

/// Issues an access token for the client credentials grant: with sandbox
/// keys `scope=psd2_sandbox:<SSN>`; with production keys `accounts` and/or
/// `payments` (all the application may have when the scope is left out).
#[tracing::instrument(name = "oauth.token", skip_all, fields(grant = req.grant_type.as_deref().unwrap_or("")))]
pub async fn issue(svc: &Services, mut req: TokenRequest) -> Result<TokenResponse, OAuthError> {
    const GRANTS: &str = "client_credentials, authorization_code, refresh_token or urn:openid:params:grant-type:ciba";
    let grant_type = match req.grant_type.take().as_deref() {
        None | Some("") => {
            return Err(OAuthError::InvalidRequest(format!("grant_type is required: {GRANTS}.")));
        }
        Some(g @ ("client_credentials" | "authorization_code" | "refresh_token" | CIBA_GRANT)) => g.to_string(),
        Some(other) => {
            return Err(OAuthError::UnsupportedGrantType(format!(
                "grant_type {other:?} is not supported here: use {GRANTS}."
            )));
        }
    };
    let client = authenticate(svc, std::mem::take(&mut req.client)).await?;
    svc.rate_limits
        .token_endpoint
        .take(&client.client_id)
        .await
        .map_err(OAuthError::Throttled)?;
    match grant_type.as_str() {
        "authorization_code" => return super::token_grants::code(svc, &client, req).await,
        "refresh_token" => return super::token_grants::refresh(svc, &client, req).await,
        CIBA_GRANT => return super::token_grants::ciba(svc, &client, req).await,
        _ => {}
    }
    let now = svc.now();
    // The reply repeats the scope as asked (RFC 6749 §5.1): OAuth libraries
    // refuse a token whose scope "changed", even to the same customer's
    // personnummer written in 12 digits. The customer is stored normalised.
    let asked = req.scope.as_deref().unwrap_or("").trim().to_string();
    match client.environment {
        // A client token: it asks for consents or initiates payments; the
        // customer comes later.
        Environment::Sandbox if asked == "accounts" || asked == "payments" => {
            let scope = asked.clone();
            let grant = Grant {
                application_id: &client.application_id,
                environment: Environment::Sandbox,
                ssn: "",
                scope: Some(&scope),
                bound_to: client.certificate.as_deref(),
                keys: keys_of(&client),
                ..Grant::default()
            };
            mint(svc, &grant, asked, now).await
        }
        Environment::Sandbox => {
            let ssn = parse_scope(req.scope.as_deref(), now)?;
            let grant = Grant {
                application_id: &client.application_id,
                environment: Environment::Sandbox,
                ssn: &ssn,
                bound_to: client.certificate.as_deref(),
                keys: keys_of(&client),
                ..Grant::default()
            };
            mint(svc, &grant, asked, now).await
        }
        Environment::Production => {
            let scope = production_scope(svc, &client.application_id, &asked).await?;
            let grant = Grant {
                application_id: &client.application_id,
                environment: Environment::Production,
                ssn: "",
                scope: Some(&scope),
                bound_to: client.certificate.as_deref(),
                keys: keys_of(&client),
                ..Grant::default()
            };
            mint(svc, &grant, scope.clone(), now).await
        }
    }
}

/// RFC 7009: ends a token the authenticated client holds. A token that is
/// unknown, expired or another client's is answered the same (nothing to end).
#[tracing::instrument(name = "oauth.revoke", skip_all)]
pub async fn revoke(svc: &Services, client: ClientAuth, token: &str) -> Result<(), OAuthError> {
    let client = authenticate(svc, client).await?;
    let hash = access_token_key(token.trim());
    let mut tx = svc.db.begin().await?;
    if access_tokens::delete_one(tx.exec(), &hash, &client.application_id).await? {
        super::access::announce(tx.exec(), super::access::Change::Tokens(std::slice::from_ref(&hash))).await?;
        tx.commit().await?;
        svc.access.evict_token(&hash);
        tracing::info!(application_id = %client.application_id, "access token revoked by its client");
    }
    Ok(())
}

/// Who the client is: a client id with its secret, or (RFC 8705
/// `tls_client_auth`) with the certificate of the connection: for sandbox
/// keys one of the application's test certificates, for production keys its
/// registered QWAC and nothing else.
pub async fn authenticate(svc: &Services, auth: ClientAuth) -> Result<Authenticated, OAuthError> {
    let client_id = auth.client_id.filter(|s| !s.is_empty());
    let secret = auth.client_secret.filter(|s| !s.is_empty());
    let certificate = auth.client_certificate;
    let Some(client_id) = client_id.filter(|_| secret.is_some() || certificate.is_some()) else {
        return Err(OAuthError::InvalidClient(
            "Authenticate the client with HTTP Basic, the client_id and client_secret fields, or the client_id \
             and a client certificate over mutual TLS (tls_client_auth)."
                .into(),
        ));
    };
    let limits = &svc.rate_limits;
    let failures_here = format!("{client_id}|{}", auth.client_address);
    limits
        .token_failures
        .check(&failures_here)
        .await
        .map_err(OAuthError::Throttled)?;
    let Some(client) = client(svc, &client_id).await? else {
        let unknown_here = format!("unknown|{}", auth.client_address);
        limits
            .token_failures
            .take(&unknown_here)
            .await
            .map_err(OAuthError::Throttled)?;
        return Err(OAuthError::InvalidClient("Unknown client or wrong secret.".into()));
    };
    let refuse = async |why: String| {
        // Counted after the answer is decided: the next one from here waits.
        let _ = limits.token_failures.take(&failures_here).await;
        Err(OAuthError::InvalidClient(why))
    };
    let mut secret_hash = None;
    let bound_to = match (client.environment, secret, certificate) {
        (Environment::Production, Some(_), _) | (Environment::Production, None, None) => {
            return refuse(
                "Production clients authenticate with the application's registered certificate over mutual TLS \
                 (tls_client_auth): send the client_id, no secret, from a connection that presents the QWAC."
                    .into(),
            )
            .await;
        }
        (Environment::Sandbox, Some(secret), _) => {
            if !bool::from(hash_secret(&secret).as_bytes().ct_eq(client.secret_hash.as_bytes())) {
                return refuse("Unknown client or wrong secret.".into()).await;
            }
            secret_hash = Some(client.secret_hash.clone());
            None
        }
        (env, None, Some(der)) => match certificate_of(svc, &client.application_id, env, &der).await? {
            Ok(thumbprint) => Some(thumbprint),
            Err(why) => return refuse(why).await,
        },
        (Environment::Sandbox, None, None) => return refuse("Unknown client or wrong secret.".into()).await,
    };
    Ok(Authenticated {
        keys: Some((client_id.clone(), secret_hash)),
        client_id,
        application_id: client.application_id,
        environment: client.environment,
        certificate: bound_to,
    })
}

/// The client id's keys, from memory or the database.
async fn client(svc: &Services, client_id: &str) -> Result<Option<Client>, OAuthError> {
    if let Some(c) = svc.access.client(client_id) {
        return Ok(Some(c));
    }
    let generation = svc.access.generation();
    let mut conn = svc.db.conn().await?;
    let found = keys::by_client_id(conn.exec(), client_id).await?;
    Ok(found.map(|(application_id, environment, secret_hash)| {
        let c = Client {
            application_id,
            environment,
            secret_hash,
            loaded: Instant::now(),
        };
        svc.access.put_client(client_id, c.clone(), generation);
        c
    }))
}

/// Whether `der` authenticates the application by tls_client_auth. Answers
/// the thumbprint the token is bound to, or why not.
async fn certificate_of(
    svc: &Services,
    application_id: &str,
    env: Environment,
    der: &[u8],
) -> crate::storage::Result<Result<String, String>> {
    let fingerprint = crate::domain::qwac::fingerprint(der);
    let now = svc.now();
    let mut conn = svc.db.conn().await?;
    let verdict = match env {
        Environment::Sandbox => match crate::storage::test_qtsp::by_fingerprint(conn.exec(), &fingerprint).await? {
            Some(c) if c.application_id == application_id && c.not_after > now => Ok(()),
            Some(c) if c.application_id == application_id => {
                Err("The client certificate has expired: create a new test certificate.".to_string())
            }
            _ => Err(
                "The client certificate is not one of this application's test certificates \
                      (tls_client_auth in the sandbox takes a test certificate the portal issued to the application)."
                    .to_string(),
            ),
        },
        Environment::Production => {
            // The registered certificate first: that is the path of every
            // token; the reasons for a refusal are worked out only then.
            match crate::storage::certificates::active(conn.exec(), application_id).await? {
                Some(c) if c.qwac.fingerprint == fingerprint && c.qwac.not_after > now => Ok(()),
                Some(c) if c.qwac.fingerprint == fingerprint => Err(
                    "The registered certificate has expired: register the renewed QWAC on the Production tab."
                        .to_string(),
                ),
                _ if svc.test_ca.issued(der) => Err(
                    "This is a test certificate: it works in the sandbox only. Production takes the application's \
                     registered QWAC."
                        .to_string(),
                ),
                Some(_) => Err(
                    "The client certificate is not the application's registered QWAC (after a renewal, \
                                register the new certificate first)."
                        .to_string(),
                ),
                None => Err("The application has no registered certificate.".to_string()),
            }
        }
    };
    Ok(verdict.map(|()| crate::domain::qwac::x5t_s256(der)))
}

/// The production scope to grant: what was asked (`accounts`, `payments`,
/// space separated), each allowed by an active production subscription
/// (whose roles were checked when subscribing); all of those when nothing
/// was asked.
async fn production_scope(svc: &Services, application_id: &str, asked: &str) -> Result<String, OAuthError> {
    let mut conn = svc.db.conn().await?;
    let subscribed = crate::storage::subscriptions::api_slugs(conn.exec(), application_id).await?;
    let allowed: Vec<&str> = ["accounts", "payments"]
        .into_iter()
        .filter(|family| {
            subscribed
                .iter()
                .any(|(slug, status)| *slug == format!("{family}-production") && status != "blocked")
        })
        .collect();
    if asked.is_empty() {
        if allowed.is_empty() {
            return Err(OAuthError::InvalidScope(
                "The application has no production subscription: subscribe it to a production API first.".into(),
            ));
        }
        return Ok(allowed.join(" "));
    }
    let mut granted = Vec::new();
    for wanted in asked.split_whitespace() {
        if !["accounts", "payments"].contains(&wanted) {
            return Err(OAuthError::InvalidScope(format!(
                "Unknown scope {wanted:?}: production tokens have scope accounts and/or payments."
            )));
        }
        if !allowed.contains(&wanted) {
            return Err(OAuthError::InvalidScope(format!(
                "The application has no active production subscription for {wanted}."
            )));
        }
        if !granted.contains(&wanted) {
            granted.push(wanted);
        }
    }
    Ok(granted.join(" "))
}

/// A token for one of a signed-in developer's applications (the API console;
/// the caller has checked that the application is theirs).
pub async fn issue_for_application(
    svc: &Services,
    application_id: &str,
    ssn: &str,
) -> Result<TokenResponse, OAuthError> {
    let now = svc.now();
    let asked = format!("psd2_sandbox:{}", ssn.trim());
    let ssn = parse_scope(Some(&asked), now)?;
    let grant = Grant {
        application_id,
        environment: Environment::Sandbox,
        ssn: &ssn,
        ..Grant::default()
    };
    mint(svc, &grant, asked, now).await
}

/// What a token is for.
#[derive(Default)]
pub(super) struct Grant<'a> {
    pub(super) application_id: &'a str,
    pub(super) environment: Environment,
    /// The customer; empty for a client token.
    pub(super) ssn: &'a str,
    /// What the token may be used for: `accounts`, `payments`, `AIS:<consentId>`, `PIS:<paymentId>`.
    pub(super) scope: Option<&'a str>,
    pub(super) bound_to: Option<&'a str>,
    /// The authorization the token comes from (ends with it).
    pub(super) family: Option<&'a str>,
    /// Shorter than the usual lifetime (a payment, a consent about to end).
    pub(super) lifetime: Option<time::Duration>,
    /// Also issue a refresh token, valid until then.
    pub(super) refresh_until: Option<OffsetDateTime>,
    /// The keys the client authenticated with (see [`Authenticated::keys`]).
    pub(super) keys: Option<(&'a str, Option<&'a str>)>,
}

/// The keys to check when storing the client's token.
pub(super) fn keys_of(client: &Authenticated) -> Option<(&str, Option<&str>)> {
    client.keys.as_ref().map(|(id, hash)| (id.as_str(), hash.as_deref()))
}

/// Stores a new token (its hash), and a refresh token when the grant has
/// one, in one transaction; answers them.
pub(super) async fn mint(
    svc: &Services,
    grant: &Grant<'_>,
    scope: String,
    now: OffsetDateTime,
) -> Result<TokenResponse, OAuthError> {
    let token = SecretToken::generate_ordered();
    let usual = svc.config.gateway.access_token_lifetime;
    let lifetime = grant.lifetime.map_or(usual, |l| l.min(usual));
    let new = access_tokens::NewToken {
        token_hash: &access_token_key(token.expose()),
        application_id: grant.application_id,
        environment: grant.environment,
        ssn: grant.ssn,
        scope: grant.scope,
        bound_to: grant.bound_to,
        family: grant.family,
        keys: grant.keys,
    };
    let refused = || {
        // Revoked or replaced since this instance cached them (another
        // instance did it): the database has the last word.
        if let Some((client_id, _)) = grant.keys {
            svc.access.forget_client(client_id);
        }
        OAuthError::InvalidClient("Unknown client or wrong secret.".into())
    };
    let refresh_token = match (grant.refresh_until, grant.family) {
        (Some(until), Some(family)) => {
            // The access and the refresh token together, or neither.
            let mut tx = svc.db.begin().await?;
            if !access_tokens::insert(tx.exec(), &new, now, now + lifetime).await? {
                return Err(refused());
            }
            let refresh = SecretToken::generate();
            let stored = crate::storage::refresh_tokens::StoredRefresh {
                family: family.to_string(),
                application_id: grant.application_id.to_string(),
                environment: grant.environment,
                ssn: grant.ssn.to_string(),
                scope: grant.scope.unwrap_or_default().to_string(),
                cnf_x5t_s256: grant.bound_to.map(str::to_string),
                expires_at: until,
                used_at: None,
            };
            crate::storage::refresh_tokens::insert(tx.exec(), &refresh.hash(), &stored, now).await?;
            tx.commit().await?;
            Some(refresh.expose().to_string())
        }
        // The hot path of client credentials: committed with the tokens
        // other requests are issuing at the same moment (group commit).
        _ => {
            let pending = PendingToken::new(&new, now, now + lifetime);
            if !svc.token_writes.insert(pending).await? {
                return Err(refused());
            }
            None
        }
    };
    Ok(TokenResponse {
        access_token: token.expose().to_string(),
        scope,
        token_type: "bearer",
        expires_in: lifetime.whole_seconds(),
        refresh_token,
    })
}

/// `psd2_sandbox:<SSN>` with a valid personnummer; answers its 12-digit form.
fn parse_scope(scope: Option<&str>, now: OffsetDateTime) -> Result<String, OAuthError> {
    let scope = scope.map(str::trim).unwrap_or("");
    if scope.is_empty() {
        return Err(OAuthError::InvalidScope(
            "scope is required: psd2_sandbox:<SSN> with a test user's personnummer, or accounts / payments for \
             a client token that asks for consents or initiates payments."
                .into(),
        ));
    }
    let Some(ssn) = scope.strip_prefix("psd2_sandbox:") else {
        return Err(OAuthError::InvalidScope(format!(
            "Unknown scope {scope:?}: use psd2_sandbox:<SSN>, or accounts / payments for a client token."
        )));
    };
    Personnummer::parse(ssn, now.date())
        .map(|p| p.to_string())
        .map_err(|m| OAuthError::InvalidScope(format!("{m} ({ssn:?})")))
}
