//! The token endpoint's grants that act for a customer who authorised a
//! consent or a payment: `authorization_code` (RFC 6749 §4.1.3 with PKCE),
//! `refresh_token` (§6, rotated; a reused one ends its family) and the
//! decoupled flow's `urn:openid:params:grant-type:ciba` (CIBA poll mode).
//! Tokens are bound to the client certificate when the client authenticated
//! with one (RFC 8705).

use time::OffsetDateTime;

use super::Services;
use super::authorization::{self, Step};
use super::token_endpoint::{Authenticated, Grant, OAuthError, TokenRequest, TokenResponse, mint};
use crate::domain::authorization::{self as rules, Scope, Status};
use crate::domain::consent::Status as ConsentStatus;
use crate::domain::secret::hash_secret;
use crate::storage::authorizations::{self as store, StoredAuthorization};
use crate::storage::{consents, refresh_tokens};

fn required(value: Option<String>, name: &str) -> Result<String, OAuthError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required.")))
}

/// Ends everything an authorization issued (a replayed code, a reused
/// refresh token): its refresh tokens and access tokens, at once.
async fn end_family(svc: &Services, family: &str) -> Result<(), OAuthError> {
    let mut tx = svc.db.begin().await?;
    let hashes = refresh_tokens::end_family(tx.exec(), family).await?;
    super::access::announce(tx.exec(), super::access::Change::Tokens(&hashes)).await?;
    tx.commit().await?;
    for h in &hashes {
        svc.access.evict_token(h);
    }
    tracing::warn!(
        family,
        revoked = hashes.len(),
        "token family ended (code replay or refresh token reuse)"
    );
    Ok(())
}

/// `authorization_code`: one use, within 60 s, by the client it was issued
/// to, with the same redirect URI and the PKCE verifier. A second use ends
/// what the first issued.
pub async fn code(svc: &Services, client: &Authenticated, req: TokenRequest) -> Result<TokenResponse, OAuthError> {
    let code = required(req.code, "code")?;
    let redirect_uri = required(req.redirect_uri, "redirect_uri")?;
    let verifier = required(req.code_verifier, "code_verifier")?;
    let now = svc.now();
    let found = {
        let mut conn = svc.db.conn().await?;
        store::by_code(conn.exec(), &hash_secret(code.trim())).await?
    };
    let Some(a) = found.filter(|a| a.application_id == client.application_id && a.client_id == client.client_id) else {
        return Err(OAuthError::InvalidGrant(
            "Unknown code (or issued to another client).".into(),
        ));
    };
    if a.status == Status::Exchanged.as_str() {
        end_family(svc, &a.id).await?;
        return Err(OAuthError::InvalidGrant(
            "The code has already been used: the tokens issued with it are revoked.".into(),
        ));
    }
    if a.status != Status::Approved.as_str() || a.code_expires_at.is_none_or(|t| t <= now) {
        return Err(OAuthError::InvalidGrant(
            "The code has expired (codes live 60 seconds): authorize again.".into(),
        ));
    }
    if a.redirect_uri.as_deref() != Some(redirect_uri.as_str()) {
        return Err(OAuthError::InvalidGrant(
            "redirect_uri differs from the authorization request's.".into(),
        ));
    }
    rules::verifier_matches(verifier.trim(), a.code_challenge.as_deref().unwrap_or(""))
        .map_err(OAuthError::InvalidGrant)?;
    exchange(svc, client, &a, now).await
}

/// Marks the approved request exchanged and issues its tokens.
async fn exchange(
    svc: &Services,
    client: &Authenticated,
    a: &StoredAuthorization,
    now: OffsetDateTime,
) -> Result<TokenResponse, OAuthError> {
    {
        let mut conn = svc.db.conn().await?;
        if !store::advance(
            conn.exec(),
            &a.id,
            Status::Approved.as_str(),
            Status::Exchanged.as_str(),
        )
        .await?
        {
            // A concurrent exchange won: this is a second use.
            drop(conn);
            end_family(svc, &a.id).await?;
            return Err(OAuthError::InvalidGrant(
                "The code has already been used: the tokens issued with it are revoked.".into(),
            ));
        }
    }
    let ssn = a.ssn.clone().unwrap_or_default();
    let scope = Scope::parse(&a.scope).map_err(|m| OAuthError::Internal(anyhow::anyhow!(m)))?;
    issue_for(svc, client, &a.id, &ssn, &scope, None, now).await
}

/// Tokens for a customer's authorization: for a consent an access token and
/// a refresh token that ends with the consent; for a payment a 15-minute
/// access token and no refresh token.
async fn issue_for(
    svc: &Services,
    client: &Authenticated,
    family: &str,
    ssn: &str,
    scope: &Scope,
    refresh_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<TokenResponse, OAuthError> {
    let scope_string = scope.as_string();
    let (lifetime, refresh_until) = match scope {
        Scope::Pis(_) => (rules::PAYMENT_TOKEN_LIFETIME, None),
        Scope::Ais(id) => {
            let ends = match refresh_until {
                Some(t) => t,
                None => {
                    let mut conn = svc.db.conn().await?;
                    let c = consents::find(conn.exec(), &client.application_id, id).await?;
                    // A consent the bank's backend keeps: at most 180 days.
                    c.map(|c| c.ends_at())
                        .unwrap_or(now + crate::domain::consent::MAX_VALIDITY)
                }
            };
            // The access token lives its usual hour even past the consent's
            // end: the API then answers CONSENT_EXPIRED, which tells the TPP
            // to ask the customer again (a refresh would not help).
            (svc.config.gateway.access_token_lifetime, Some(ends))
        }
    };
    let grant = Grant {
        application_id: &client.application_id,
        environment: client.environment,
        ssn,
        scope: Some(&scope_string),
        bound_to: client.certificate.as_deref(),
        family: Some(family),
        lifetime: Some(lifetime),
        refresh_until,
        keys: super::token_endpoint::keys_of(client),
    };
    mint(svc, &grant, scope_string.clone(), now).await
}

/// `refresh_token`: rotated on each use; a token used twice ends the whole
/// family (someone else has a copy). It works while the consent is valid,
/// and (when bound) only with the certificate it was issued to.
pub async fn refresh(svc: &Services, client: &Authenticated, req: TokenRequest) -> Result<TokenResponse, OAuthError> {
    let token = required(req.refresh_token, "refresh_token")?;
    let hash = hash_secret(token.trim());
    let now = svc.now();
    let found = {
        let mut conn = svc.db.conn().await?;
        refresh_tokens::find(conn.exec(), &hash).await?
    };
    let Some(r) = found.filter(|r| r.application_id == client.application_id) else {
        return Err(OAuthError::InvalidGrant("Unknown refresh token.".into()));
    };
    if r.used_at.is_some() {
        end_family(svc, &r.family).await?;
        return Err(OAuthError::InvalidGrant(
            "The refresh token was already used: every token of this authorization is revoked. Ask the customer \
             again."
                .into(),
        ));
    }
    if r.expires_at <= now {
        return Err(OAuthError::InvalidGrant(
            "The refresh token has expired with its consent.".into(),
        ));
    }
    if r.cnf_x5t_s256.is_some() && r.cnf_x5t_s256 != client.certificate {
        return Err(OAuthError::InvalidGrant(
            "The refresh token is bound to another client certificate.".into(),
        ));
    }
    if req
        .scope
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty() && !s.trim().eq_ignore_ascii_case(&r.scope))
    {
        return Err(OAuthError::InvalidScope(format!(
            "A refresh keeps the scope it was issued with: {}.",
            r.scope
        )));
    }
    let scope = Scope::parse(&r.scope).map_err(|m| OAuthError::Internal(anyhow::anyhow!(m)))?;
    let here = authorization::kept_here(svc, r.environment, &scope);
    if let (Scope::Ais(id), true) = (&scope, here) {
        let mut conn = svc.db.conn().await?;
        let status = consents::find(conn.exec(), &r.application_id, id)
            .await?
            .map(|c| c.status_on(now.date()));
        if status != Some(ConsentStatus::Valid) {
            return Err(OAuthError::InvalidGrant(format!(
                "The consent is {}: ask the customer for a new one.",
                status.map_or("gone", |s| s.as_str())
            )));
        }
    }
    {
        let mut conn = svc.db.conn().await?;
        if !refresh_tokens::use_once(conn.exec(), &hash, now).await? {
            drop(conn);
            end_family(svc, &r.family).await?;
            return Err(OAuthError::InvalidGrant(
                "The refresh token was already used: every token of this authorization is revoked.".into(),
            ));
        }
    }
    issue_for(svc, client, &r.family, &r.ssn, &scope, Some(r.expires_at), now).await
}

/// CIBA poll mode: `authorization_pending` until the customer has
/// identified and approved, `slow_down` when polled faster than the
/// interval, `expired_token`, `access_denied`, or the tokens (once).
pub async fn ciba(svc: &Services, client: &Authenticated, req: TokenRequest) -> Result<TokenResponse, OAuthError> {
    let id = required(req.auth_req_id, "auth_req_id")?;
    let Some(a) = authorization::decoupled_of(svc, client, id.trim()).await? else {
        return Err(OAuthError::InvalidGrant("Unknown auth_req_id.".into()));
    };
    let now = svc.now();
    {
        let mut conn = svc.db.conn().await?;
        store::polled(conn.exec(), &a.id, now).await?;
    }
    let too_soon = a
        .polled_at
        .is_some_and(|t| (now - t).whole_seconds() < rules::POLL_INTERVAL - 1);
    match authorization::step(svc, &a)
        .await
        .map_err(|e| OAuthError::Internal(e.into()))?
    {
        Step::Identify { .. } | Step::Decide if too_soon => Err(OAuthError::SlowDown),
        Step::Identify { .. } | Step::Decide => Err(OAuthError::AuthorizationPending),
        Step::Denied(why) if why.contains("in time") || why.contains("expired") => Err(OAuthError::ExpiredToken(why)),
        Step::Denied(why) => Err(OAuthError::AccessDenied(why)),
        Step::Exchanged => Err(OAuthError::InvalidGrant(
            "The tokens for this auth_req_id have been issued.".into(),
        )),
        Step::Approved => exchange(svc, client, &a, now).await,
    }
}
