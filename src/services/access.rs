//! Who may call the sandbox APIs: issuing access tokens (the OAuth token
//! endpoint) and checking them on every call. Checks (and client ids at the
//! token endpoint) are answered from memory;
//! an entry is reloaded from the database after `access_cache_ttl`, and is
//! dropped at once on this instance when a secret is regenerated, keys are
//! revoked, a subscription changes or the application is deleted.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::Services;
use crate::domain::catalogue::Environment;
use crate::domain::personnummer::Personnummer;
use crate::domain::secret::{SecretToken, hash_secret};
use crate::storage::{access_tokens, keys, subscriptions};

/// A token's lifetime, as the bank's sandbox: one hour.
pub const TOKEN_LIFETIME: time::Duration = time::Duration::hours(1);

/// What a valid access token lets its holder do.
#[derive(Debug, Clone)]
pub struct Access {
    pub application_id: Arc<str>,
    pub environment: Environment,
    /// The customer (12-digit personnummer) the token acts for.
    pub ssn: Arc<str>,
    pub expires_at: i64,
    /// Slugs of the APIs the application subscribes to.
    pub apis: Arc<HashSet<String>>,
    /// Slugs of subscribed APIs a bank admin has blocked.
    pub blocked: Arc<HashSet<String>>,
    /// The x5t#S256 of the client certificate the token is bound to (RFC
    /// 8705): every call must come with that certificate.
    pub bound_to: Option<Arc<str>>,
}

struct Cached {
    access: Access,
    loaded: Instant,
}

/// A client id's application, environment and secret hash.
#[derive(Clone)]
struct Client {
    application_id: String,
    environment: Environment,
    secret_hash: String,
    loaded: Instant,
}

pub struct AccessCache {
    entries: RwLock<HashMap<String, Cached>>,
    clients: RwLock<HashMap<String, Client>>,
    ttl: Duration,
}

impl AccessCache {
    pub fn new(ttl: Duration) -> Self {
        AccessCache {
            entries: RwLock::new(HashMap::new()),
            clients: RwLock::new(HashMap::new()),
            ttl,
        }
    }

    fn get(&self, hash: &str) -> Option<Access> {
        let entries = self.entries.read().ok()?;
        entries
            .get(hash)
            .filter(|c| c.loaded.elapsed() < self.ttl)
            .map(|c| c.access.clone())
    }

    fn put(&self, hash: String, access: Access) {
        if let Ok(mut entries) = self.entries.write() {
            entries.insert(
                hash,
                Cached {
                    access,
                    loaded: Instant::now(),
                },
            );
        }
    }

    /// Forgets everything about an application on this instance.
    pub fn evict_application(&self, application_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| &*c.access.application_id != application_id);
        }
        if let Ok(mut clients) = self.clients.write() {
            clients.retain(|_, c| c.application_id != application_id);
        }
    }

    fn client(&self, client_id: &str) -> Option<Client> {
        let clients = self.clients.read().ok()?;
        clients
            .get(client_id)
            .filter(|c| c.loaded.elapsed() < self.ttl)
            .cloned()
    }

    fn put_client(&self, client_id: &str, c: Client) {
        if let Ok(mut clients) = self.clients.write() {
            if clients.len() > 100_000 {
                clients.clear();
            }
            clients.insert(client_id.to_string(), c);
        }
    }

    /// Drops tokens that have expired.
    pub fn prune(&self, now: i64) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| c.access.expires_at > now);
        }
    }
}

#[derive(Debug)]
pub enum AccessDenied {
    /// Unknown, revoked or expired: the bank answers "access token expired".
    Expired,
    Internal(anyhow::Error),
}

/// Checks a bearer token.
pub async fn check(svc: &Services, token: &str) -> Result<Access, AccessDenied> {
    let hash = hash_secret(token);
    let access = match svc.access.get(&hash) {
        Some(a) => a,
        None => {
            let loaded = load(svc, &hash).await.map_err(AccessDenied::Internal)?;
            let Some(access) = loaded else {
                return Err(AccessDenied::Expired);
            };
            svc.access.put(hash, access.clone());
            access
        }
    };
    if access.expires_at <= svc.now().unix_timestamp() {
        return Err(AccessDenied::Expired);
    }
    Ok(access)
}

async fn load(svc: &Services, hash: &str) -> anyhow::Result<Option<Access>> {
    let mut conn = svc.db.conn().await?;
    let Some(grant) = access_tokens::find(conn.exec(), hash).await? else {
        return Ok(None);
    };
    let (blocked, active): (Vec<_>, Vec<_>) = subscriptions::api_slugs(conn.exec(), &grant.application_id)
        .await?
        .into_iter()
        .partition(|(_, status)| status == "blocked");
    Ok(Some(Access {
        application_id: grant.application_id.into(),
        environment: grant.environment,
        ssn: grant.ssn.into(),
        expires_at: grant.expires_at,
        apis: Arc::new(active.into_iter().map(|(slug, _)| slug).collect()),
        blocked: Arc::new(blocked.into_iter().map(|(slug, _)| slug).collect()),
        bound_to: grant.cnf_x5t_s256.map(Into::into),
    }))
}

/// A token request (RFC 6749 §4.4), after reading the form and Basic auth.
#[derive(Debug, Default)]
pub struct TokenRequest {
    /// Who asks (rate limits on failures).
    pub client_address: String,
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
    /// The client certificate of the connection (DER), for `tls_client_auth`.
    pub client_certificate: Option<Vec<u8>>,
}

#[derive(Debug, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub scope: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// RFC 6749 §5.2 errors, plus throttling.
#[derive(Debug)]
pub enum OAuthError {
    InvalidRequest(String),
    InvalidClient(String),
    InvalidScope(String),
    UnsupportedGrantType(String),
    Throttled(Duration),
    Internal(anyhow::Error),
}

impl From<crate::storage::Error> for OAuthError {
    fn from(e: crate::storage::Error) -> Self {
        OAuthError::Internal(e.into())
    }
}

/// Issues an access token for the client credentials grant with
/// `scope=psd2_sandbox:<SSN>`.
pub async fn issue(svc: &Services, req: TokenRequest) -> Result<TokenResponse, OAuthError> {
    match req.grant_type.as_deref() {
        None | Some("") => {
            return Err(OAuthError::InvalidRequest(
                "grant_type is required: use client_credentials.".into(),
            ));
        }
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::UnsupportedGrantType(format!(
                "grant_type {other:?} is not supported here: use client_credentials."
            )));
        }
    }
    let client_id = req.client_id.filter(|s| !s.is_empty());
    let secret = req.client_secret.filter(|s| !s.is_empty());
    // tls_client_auth (RFC 8705 §2.1): a client id and the certificate of the
    // connection, no secret. A secret, when sent, is what authenticates.
    let certificate = match (&secret, req.client_certificate) {
        (None, Some(der)) => Some(der),
        _ => None,
    };
    let Some(client_id) = client_id.filter(|_| secret.is_some() || certificate.is_some()) else {
        return Err(OAuthError::InvalidClient(
            "Authenticate the client with HTTP Basic, the client_id and client_secret fields, or the client_id \
             and a client certificate over mutual TLS (tls_client_auth)."
                .into(),
        ));
    };
    let limits = &svc.rate_limits;
    let failures_here = format!("{client_id}|{}", req.client_address);
    limits
        .token_failures
        .check(&failures_here)
        .map_err(OAuthError::Throttled)?;
    let client = match svc.access.client(&client_id) {
        Some(c) => Some(c),
        None => {
            let mut conn = svc.db.conn().await?;
            let found = keys::by_client_id(conn.exec(), &client_id).await?;
            found.map(|(application_id, environment, secret_hash)| {
                let c = Client {
                    application_id,
                    environment,
                    secret_hash,
                    loaded: Instant::now(),
                };
                svc.access.put_client(&client_id, c.clone());
                c
            })
        }
    };
    let Some(Client {
        application_id,
        environment: env,
        secret_hash: stored_hash,
        ..
    }) = client
    else {
        let unknown_here = format!("unknown|{}", req.client_address);
        limits
            .token_failures
            .take(&unknown_here)
            .map_err(OAuthError::Throttled)?;
        return Err(OAuthError::InvalidClient("Unknown client or wrong secret.".into()));
    };
    let bound_to = match (&secret, &certificate) {
        (Some(secret), _) => {
            if !bool::from(hash_secret(secret).as_bytes().ct_eq(stored_hash.as_bytes())) {
                // Counted after the answer is decided: the next one from here waits.
                let _ = limits.token_failures.take(&failures_here);
                return Err(OAuthError::InvalidClient("Unknown client or wrong secret.".into()));
            }
            None
        }
        (None, Some(der)) => match certificate_of(svc, &application_id, der).await? {
            Ok(thumbprint) => Some(thumbprint),
            Err(why) => {
                let _ = limits.token_failures.take(&failures_here);
                return Err(OAuthError::InvalidClient(why));
            }
        },
        (None, None) => return Err(OAuthError::InvalidClient("Unknown client or wrong secret.".into())),
    };
    limits.token_endpoint.take(&client_id).map_err(OAuthError::Throttled)?;
    let now = svc.now();
    let ssn = parse_scope(req.scope.as_deref(), now)?;
    // The reply repeats the scope as asked (RFC 6749 §5.1): OAuth libraries
    // refuse a token whose scope "changed", even to the same customer's
    // personnummer written in 12 digits. The customer is stored normalised.
    let asked = req.scope.as_deref().unwrap_or("").trim().to_string();
    if env != Environment::Sandbox {
        return Err(OAuthError::InvalidScope(
            "psd2_sandbox scopes are for sandbox keys.".into(),
        ));
    }
    mint(svc, &application_id, env, &ssn, asked, bound_to.as_deref(), now).await
}

/// Whether `der` authenticates the application by tls_client_auth: in the
/// sandbox, one of its unexpired test certificates. Answers the thumbprint
/// the token is bound to, or why not.
async fn certificate_of(
    svc: &Services,
    application_id: &str,
    der: &[u8],
) -> crate::storage::Result<Result<String, String>> {
    let fingerprint = crate::domain::qwac::fingerprint(der);
    let mut conn = svc.db.conn().await?;
    let found = crate::storage::test_qtsp::by_fingerprint(conn.exec(), &fingerprint).await?;
    Ok(match found {
        Some(c) if c.application_id == application_id && c.not_after > svc.now() => {
            Ok(crate::domain::qwac::x5t_s256(der))
        }
        Some(c) if c.application_id == application_id => {
            Err("The client certificate has expired: create a new test certificate.".into())
        }
        _ => Err(
            "The client certificate is not one of this application's test certificates (tls_client_auth in the \
             sandbox takes a test certificate the portal issued to the application)."
                .into(),
        ),
    })
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
    mint(svc, application_id, Environment::Sandbox, &ssn, asked, None, now).await
}

/// Stores a new token (its hash) and answers it.
async fn mint(
    svc: &Services,
    application_id: &str,
    env: Environment,
    ssn: &str,
    scope: String,
    bound_to: Option<&str>,
    now: OffsetDateTime,
) -> Result<TokenResponse, OAuthError> {
    let token = SecretToken::generate();
    let mut conn = svc.db.conn().await?;
    let new = access_tokens::NewToken {
        token_hash: &token.hash(),
        application_id,
        environment: env,
        ssn,
        bound_to,
    };
    access_tokens::insert(conn.exec(), &new, now, now + TOKEN_LIFETIME).await?;
    Ok(TokenResponse {
        access_token: token.expose().to_string(),
        scope,
        token_type: "bearer",
        expires_in: TOKEN_LIFETIME.whole_seconds(),
    })
}

/// `psd2_sandbox:<SSN>` with a valid personnummer; answers its 12-digit form.
fn parse_scope(scope: Option<&str>, now: OffsetDateTime) -> Result<String, OAuthError> {
    let scope = scope.map(str::trim).unwrap_or("");
    if scope.is_empty() {
        return Err(OAuthError::InvalidScope(
            "scope is required: psd2_sandbox:<SSN> with a test user's personnummer.".into(),
        ));
    }
    let Some(ssn) = scope.strip_prefix("psd2_sandbox:") else {
        return Err(OAuthError::InvalidScope(format!(
            "Unknown scope {scope:?}: use psd2_sandbox:<SSN>."
        )));
    };
    Personnummer::parse(ssn, now.date())
        .map(|p| p.to_string())
        .map_err(|m| OAuthError::InvalidScope(format!("{m} ({ssn:?})")))
}
