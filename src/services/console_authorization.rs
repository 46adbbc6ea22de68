//! "Authorize with BankID" in the API console: the portal plays the TPP for
//! a signed-in developer's application, so they can try a consent-bound call
//! from the browser. It asks for a consent (all accounts, as long as
//! allowed, 4 reads a day), sends the developer through the bank's BankID
//! and consent pages (the simulator stands in for the phone), and exchanges
//! the code itself (PKCE, the portal's own redirect URI) for the token.

use super::applications;
use super::authorization::{self, start_order_for};
use super::token_endpoint::{Authenticated, OAuthError, TokenRequest};
use super::{ServiceError, Services, consents};
use crate::domain::authorization::{REQUEST_LIFETIME, Scope};
use crate::domain::catalogue::Environment;
use crate::domain::consent;
use crate::domain::secret::SecretToken;
use crate::domain::user::User;
use crate::storage::authorizations::{self as store, StoredAuthorization};
use crate::storage::keys;

/// Where the bank sends the developer back to.
pub const CALLBACK: &str = "/console/authorized";

/// What the developer's session keeps until the way back.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub handle: String,
    pub state: String,
    pub verifier: String,
    pub application_id: String,
}

/// Starts the flow for one of the developer's applications.
pub async fn start(svc: &Services, dev: &User, application_id: &str, ip: &str) -> Result<Pending, ServiceError> {
    let app = applications::owned(svc, dev, application_id).await?;
    let now = svc.now();
    let request = consent::Request {
        all_psd2: Some("allAccounts".into()),
        recurring_indicator: Some(true),
        valid_until: Some("9999-12-31".into()),
        frequency_per_day: Some(4),
        ..consent::Request::default()
    };
    let c = consents::create(&svc.db, now, &app.id, Environment::Sandbox, request).await?;
    let client_id = {
        let mut conn = svc.db.conn().await?;
        keys::find(conn.exec(), &app.id, Environment::Sandbox)
            .await?
            .map_or_else(|| "console".to_string(), |k| k.client_id)
    };
    let verifier = format!(
        "{}{}",
        SecretToken::generate().expose(),
        SecretToken::generate().expose()
    );
    let challenge = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    let state = SecretToken::generate().expose().to_string();
    let a = StoredAuthorization {
        redirect_uri: Some(svc.url(CALLBACK)),
        state: Some(state.clone()),
        code_challenge: Some(challenge),
        ..authorization::pushed(
            &app.id,
            Environment::Sandbox,
            &client_id,
            &Scope::Ais(c.id),
            now,
            now + REQUEST_LIFETIME,
        )
    };
    {
        let mut conn = svc.db.conn().await?;
        store::insert(conn.exec(), &a).await?;
    }
    start_order_for(svc, &a, &app.name, ip).await?;
    Ok(Pending {
        handle: a.id,
        state,
        verifier,
        application_id: app.id.clone(),
    })
}

/// The way back: checks the state, exchanges the code for the developer's
/// application and answers the access token.
pub async fn finish(
    svc: &Services,
    dev: &User,
    pending: &Pending,
    code: &str,
    state: &str,
) -> Result<String, ServiceError> {
    if state != pending.state {
        return Err(ServiceError::refused(
            "STATE_MISMATCH",
            "This answer from the bank is not for the console's request: start again.",
        ));
    }
    applications::owned(svc, dev, &pending.application_id).await?;
    let a = authorization::find(svc, &pending.handle).await?;
    let client = Authenticated {
        client_id: a.client_id.clone(),
        application_id: a.application_id.clone(),
        environment: Environment::Sandbox,
        certificate: None,
        keys: None,
    };
    let req = TokenRequest {
        code: Some(code.to_string()),
        redirect_uri: a.redirect_uri.clone(),
        code_verifier: Some(pending.verifier.clone()),
        ..TokenRequest::default()
    };
    match super::token_grants::code(svc, &client, req).await {
        Ok(t) => Ok(t.access_token),
        Err(OAuthError::Internal(e)) => Err(ServiceError::Internal(e)),
        Err(other) => Err(ServiceError::refused(
            "CODE_REFUSED",
            format!("The bank refused the code: {other:?}"),
        )),
    }
}
