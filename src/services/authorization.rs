//! The customer's authorization of a consent or a payment: the request
//! (pushed, RFC 9126, or sent to `/oauth2/authorize`, RFC 6749 §4.1 with
//! PKCE), the customer's BankID, their decision on the consent page, and the
//! way back to the TPP with a code (or, in the decoupled flow, the tokens
//! the TPP polls for; see [`super::token_grants`]). Every answer to the
//! client carries `iss` (RFC 9207).

use time::OffsetDateTime;

use super::token_endpoint::{self, ClientAuth, OAuthError};
use super::{ServiceError, Services};
use crate::bankid::{AuthRequest, Collect};
use crate::domain::application::Application;
use crate::domain::authorization::{self as rules, Scope, Status};
use crate::domain::bankid;
use crate::domain::catalogue::Environment;
use crate::domain::consent::{Access, Consent};
use crate::domain::personnummer::Personnummer;
use crate::domain::sandbox::Customer;
use crate::domain::secret::SecretToken;
use crate::storage::authorizations::{self as store, StoredAuthorization};
use crate::storage::sandbox::StoredPayment;
use crate::storage::{Exec, applications, consents, keys, sandbox as payments_store};

/// The parameters of an authorization request, as sent.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Params {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub request_uri: Option<String>,
}

/// Why a request is refused. `redirect` is where the refusal goes back to
/// the client; `None` when the client or its redirect URI cannot be trusted
/// (RFC 6749 §4.1.2.1: shown at the bank, never redirected).
#[derive(Debug)]
pub struct Refusal {
    pub error: &'static str,
    pub description: String,
    pub redirect: Option<String>,
}

fn page(description: impl Into<String>) -> Refusal {
    Refusal {
        error: "invalid_request",
        description: description.into(),
        redirect: None,
    }
}

impl From<crate::storage::Error> for Refusal {
    fn from(e: crate::storage::Error) -> Self {
        tracing::error!(error = %e, "authorization request");
        page("Something went wrong at the bank; try again.")
    }
}

/// The issuer, as the metadata and every authorization response say it.
pub fn issuer(svc: &Services) -> String {
    svc.base_url.as_str().trim_end_matches('/').to_string()
}

/// The client's redirect URI with the response parameters and `iss`.
fn back_to(svc: &Services, redirect_uri: &str, state: Option<&str>, pairs: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return redirect_uri.to_string();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", &issuer(svc));
    }
    url.to_string()
}

/// A checked request, ready to store.
struct Checked {
    app: Application,
    environment: Environment,
    client_id: String,
    scope: Scope,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: String,
}

/// The client's application and environment, by client id.
async fn client_app(ex: &mut Exec<'_>, client_id: &str) -> crate::storage::Result<Option<(Application, Environment)>> {
    let Some((application_id, env, _)) = keys::by_client_id(ex.reborrow(), client_id).await? else {
        return Ok(None);
    };
    Ok(applications::by_id(ex.reborrow(), &application_id)
        .await?
        .map(|a| (a, env)))
}

/// Checks what `/authorize` and `/par` take, in the order RFC 6749 §4.1.2.1
/// asks: the client and the redirect URI first (refused at the bank), then
/// the rest (refused back to the client).
async fn check(svc: &Services, p: &Params) -> Result<Checked, Refusal> {
    let client_id = p.client_id.as_deref().unwrap_or("").trim();
    if client_id.is_empty() {
        return Err(page("client_id is required."));
    }
    let mut conn = svc.db.conn().await?;
    let mut ex = conn.exec();
    let Some((app, environment)) = client_app(&mut ex, client_id).await? else {
        return Err(page("Unknown client_id: the application's keys may have been revoked."));
    };
    let Some(redirect_uri) = p.redirect_uri.as_deref().filter(|r| !r.is_empty()) else {
        return Err(page(
            "redirect_uri is required: one of the application's registered redirect URIs.",
        ));
    };
    if !app.redirect_uri_list().contains(&redirect_uri) {
        return Err(page(format!(
            "The redirect_uri {redirect_uri:?} is not registered for this application: register it on the \
             application's page (it must match exactly)."
        )));
    }
    if !rules::redirect_allowed(redirect_uri, environment) {
        return Err(page(format!(
            "The redirect_uri {redirect_uri:?} is not allowed in {}: https, not localhost.",
            environment.label().to_lowercase()
        )));
    }
    let back = |error: &'static str, description: String| Refusal {
        error,
        description,
        redirect: Some(redirect_uri.to_string()),
    };
    match p.response_type.as_deref() {
        Some("code") => {}
        None | Some("") => return Err(back("invalid_request", "response_type=code is required.".into())),
        Some(other) => {
            return Err(back(
                "unsupported_response_type",
                format!("response_type {other:?} is not supported: use code."),
            ));
        }
    }
    match p.code_challenge_method.as_deref() {
        Some("S256") => {}
        Some("plain") => {
            return Err(back(
                "invalid_request",
                "code_challenge_method plain is not accepted: use S256.".into(),
            ));
        }
        None | Some("") => {
            return Err(back(
                "invalid_request",
                "PKCE is required: send code_challenge and code_challenge_method=S256.".into(),
            ));
        }
        Some(other) => {
            return Err(back(
                "invalid_request",
                format!("code_challenge_method {other:?} is not supported: use S256."),
            ));
        }
    }
    let code_challenge = p.code_challenge.as_deref().unwrap_or("");
    if !rules::challenge_is_well_formed(code_challenge) {
        return Err(back(
            "invalid_request",
            "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 characters.".into(),
        ));
    }
    let scope = match scope_for(svc, &mut ex, &app.id, environment, p.scope.as_deref()).await? {
        Ok(s) => s,
        Err(m) => return Err(back("invalid_scope", m)),
    };
    if p.state.as_ref().is_some_and(|s| s.len() > 500) {
        return Err(back("invalid_request", "state is longer than 500 characters.".into()));
    }
    Ok(Checked {
        environment,
        client_id: client_id.to_string(),
        scope,
        redirect_uri: redirect_uri.to_string(),
        state: p.state.clone(),
        code_challenge: code_challenge.to_string(),
        app,
    })
}

/// Whether the portal keeps the consents or payments this scope names: in
/// the sandbox, and in production where the simulated bank answers. With the
/// bank's backend behind an API family, they are the backend's: the portal
/// identifies the customer, records their approval and forwards it.
pub fn kept_here(svc: &Services, environment: Environment, scope: &Scope) -> bool {
    environment == Environment::Sandbox || svc.config.production.simulates(scope.family())
}

/// The scope, naming a consent that waits for the customer or a payment
/// that does, of this application in this environment.
async fn scope_for(
    svc: &Services,
    ex: &mut Exec<'_>,
    application_id: &str,
    environment: Environment,
    scope: Option<&str>,
) -> crate::storage::Result<Result<Scope, String>> {
    let scope = match Scope::parse(scope.unwrap_or("")) {
        Ok(s) => s,
        Err(m) => return Ok(Err(m)),
    };
    if !kept_here(svc, environment, &scope) {
        return Ok(Ok(scope));
    }
    let waiting = match &scope {
        Scope::Ais(id) => consents::find(ex.reborrow(), application_id, id)
            .await?
            .filter(|c| c.environment == environment)
            .map(|c| c.status == crate::domain::consent::Status::Received),
        Scope::Pis(id) => payments_store::waiting_payment(ex.reborrow(), application_id, id)
            .await?
            .map(|p| p.status == "RCVD"),
    };
    Ok(match waiting {
        Some(true) => Ok(scope),
        Some(false) => Err(format!(
            "{} has already been authorised, rejected or ended: create a new one.",
            scope.as_string()
        )),
        None => Err(format!(
            "{} names no consent or payment of this application in {}: create it with a client token first.",
            scope.as_string(),
            environment.label().to_lowercase()
        )),
    })
}

fn new_handle() -> String {
    SecretToken::generate().expose().to_string()
}

fn stored(c: &Checked, flow: &str, now: OffsetDateTime, expires_at: OffsetDateTime) -> StoredAuthorization {
    StoredAuthorization {
        flow: flow.into(),
        redirect_uri: Some(c.redirect_uri.clone()),
        state: c.state.clone(),
        code_challenge: Some(c.code_challenge.clone()),
        ..pushed(&c.app.id, c.environment, &c.client_id, &c.scope, now, expires_at)
    }
}

/// A new request of the client for `scope`, not yet opened, with nothing
/// else known: the one place its many fields start empty.
pub fn pushed(
    application_id: &str,
    environment: Environment,
    client_id: &str,
    scope: &Scope,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> StoredAuthorization {
    StoredAuthorization {
        id: new_handle(),
        application_id: application_id.to_string(),
        environment,
        client_id: client_id.to_string(),
        flow: "redirect".into(),
        scope: scope.as_string(),
        redirect_uri: None,
        state: None,
        code_challenge: None,
        request_uri: None,
        login_hint: None,
        status: Status::Pushed.as_str().into(),
        error: None,
        ssn: None,
        order_ref: None,
        auto_start_token: None,
        qr_start_token: None,
        qr_start_secret: None,
        order_started_at: None,
        code_expires_at: None,
        polled_at: None,
        created_at: now,
        expires_at,
    }
}

/// RFC 9126: the client pushes the request with its authentication and
/// gets a `request_uri` for the browser. Answers it and its lifetime.
#[tracing::instrument(name = "oauth.par", skip_all)]
pub async fn push(svc: &Services, client: ClientAuth, p: Params) -> Result<(String, i64), OAuthError> {
    let client = token_endpoint::authenticate(svc, client).await?;
    if p.client_id.as_deref().is_some_and(|c| c != client.client_id) {
        return Err(OAuthError::InvalidRequest(
            "client_id differs from the authenticated client.".into(),
        ));
    }
    if p.request_uri.is_some() {
        return Err(OAuthError::InvalidRequest(
            "request_uri cannot be pushed itself.".into(),
        ));
    }
    let p = Params {
        client_id: Some(client.client_id.clone()),
        ..p
    };
    let checked = check(svc, &p).await.map_err(|r| match r.error {
        "invalid_scope" => OAuthError::InvalidScope(r.description),
        _ => OAuthError::InvalidRequest(r.description),
    })?;
    let now = svc.now();
    let mut a = stored(&checked, "redirect", now, now + rules::REQUEST_URI_LIFETIME);
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", new_handle());
    a.request_uri = Some(request_uri.clone());
    let mut conn = svc.db.conn().await?;
    store::insert(conn.exec(), &a).await?;
    Ok((request_uri, rules::REQUEST_URI_LIFETIME.whole_seconds()))
}

/// `GET /oauth2/authorize`: checks the request (or takes the pushed one),
/// stores it and starts the customer's BankID order. Answers the request's
/// handle for the customer's page.
#[tracing::instrument(name = "oauth.authorize", skip_all)]
pub async fn begin(svc: &Services, p: Params, end_user_ip: &str) -> Result<String, Refusal> {
    let now = svc.now();
    let a = match p.request_uri.as_deref() {
        Some(uri) => {
            let mut conn = svc.db.conn().await?;
            let found = store::by_request_uri(conn.exec(), uri).await?;
            let Some(a) = found.filter(|a| Some(a.client_id.as_str()) == p.client_id.as_deref()) else {
                return Err(page("Unknown request_uri for this client_id: push the request again."));
            };
            if a.status != Status::Pushed.as_str() || a.expires_at <= now {
                return Err(Refusal {
                    error: "invalid_request_uri",
                    description: "The request_uri has expired or was used: push the request again.".into(),
                    redirect: a.redirect_uri.clone(),
                });
            }
            a
        }
        None => {
            let checked = check(svc, &p).await?;
            if checked.environment == Environment::Production {
                return Err(Refusal {
                    error: "invalid_request",
                    description: "Production clients push the request first (POST /oauth2/par) and send its \
                                  request_uri."
                        .into(),
                    redirect: Some(checked.redirect_uri),
                });
            }
            let a = stored(&checked, "redirect", now, now + rules::REQUEST_LIFETIME);
            let mut conn = svc.db.conn().await?;
            store::insert(conn.exec(), &a).await?;
            a
        }
    };
    let back = |error: &'static str, description: &str| Refusal {
        error,
        description: description.into(),
        redirect: a.redirect_uri.clone(),
    };
    let app_name = {
        let mut conn = svc.db.conn().await?;
        applications::by_id(conn.exec(), &a.application_id)
            .await?
            .map(|x| x.name)
            .unwrap_or_default()
    };
    match start_order(svc, &a, &app_name, None, end_user_ip).await {
        Ok(true) => Ok(a.id),
        Ok(false) => Err(back(
            "invalid_request_uri",
            "The request_uri was used: push the request again.",
        )),
        Err(e) => {
            tracing::error!(error = %e, "starting a BankID order");
            Err(back(
                "temporarily_unavailable",
                "The bank cannot identify customers at the moment; try again later.",
            ))
        }
    }
}

/// Starts the BankID order for a request the portal made itself (the
/// console's "Authorize with BankID").
pub async fn start_order_for(
    svc: &Services,
    a: &StoredAuthorization,
    app_name: &str,
    end_user_ip: &str,
) -> Result<(), ServiceError> {
    match start_order(svc, a, app_name, None, end_user_ip).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ServiceError::conflict("STARTED", "The request was started twice.")),
        Err(e) => Err(ServiceError::refused(
            "BANKID_UNAVAILABLE",
            format!("BankID is not available: {e}"),
        )),
    }
}

/// Starts the BankID order for a pushed request; false when someone else did.
async fn start_order(
    svc: &Services,
    a: &StoredAuthorization,
    app_name: &str,
    personal_number: Option<String>,
    end_user_ip: &str,
) -> anyhow::Result<bool> {
    let Some(bankid) = &svc.bankid else {
        anyhow::bail!("BankID is off (DEVPORTAL_BANKID=off)");
    };
    let what = if a.scope.starts_with("PIS:") {
        "to make a payment"
    } else {
        "to read your accounts"
    };
    let order = bankid
        .auth(AuthRequest {
            end_user_ip: end_user_ip.to_string(),
            personal_number,
            user_visible_data: format!("{app_name} asks for your approval {what}."),
        })
        .await?;
    let mut conn = svc.db.conn().await?;
    let expires_at = svc.now()
        + if a.flow == "decoupled" {
            rules::DECOUPLED_LIFETIME
        } else {
            rules::REQUEST_LIFETIME
        };
    Ok(store::set_order(conn.exec(), &a.id, Status::Pushed.as_str(), &order, expires_at).await?)
}

/// Where the customer (or the decoupled client) is.
#[derive(Debug)]
pub enum Step {
    /// Waiting for BankID: the QR code's data now, the autostart link, and
    /// what to tell the customer.
    Identify {
        qr_data: String,
        auto_start_token: String,
        words: &'static str,
        hint_code: &'static str,
    },
    /// Identified; the consent page is next.
    Decide,
    /// Approved and handed over (the code went back, or tokens may be collected).
    Approved,
    /// Refused; the description says why.
    Denied(String),
    /// Exchanged for tokens.
    Exchanged,
}

/// Loads a request by its handle.
pub async fn find(svc: &Services, id: &str) -> Result<StoredAuthorization, ServiceError> {
    let mut conn = svc.db.conn().await?;
    store::find(conn.exec(), id).await?.ok_or(ServiceError::NotFound)
}

/// Moves the request on as BankID says and answers where it is.
pub async fn step(svc: &Services, a: &StoredAuthorization) -> Result<Step, ServiceError> {
    let now = svc.now();
    let status = Status::parse(&a.status).unwrap_or(Status::Denied);
    let open = matches!(status, Status::Pushed | Status::Identifying | Status::Deciding);
    if open && a.expires_at <= now {
        deny(svc, a, "The customer did not finish in time.").await?;
        return Ok(Step::Denied("The customer did not finish in time.".into()));
    }
    match status {
        Status::Pushed => Ok(Step::Denied("The request has not been opened.".into())),
        Status::Deciding => Ok(Step::Decide),
        Status::Approved => Ok(Step::Approved),
        Status::Exchanged => Ok(Step::Exchanged),
        Status::Denied => Ok(Step::Denied(a.error.clone().unwrap_or_default())),
        Status::Identifying => {
            let (Some(bankid), Some(order_ref)) = (&svc.bankid, &a.order_ref) else {
                return Ok(Step::Denied("BankID is off.".into()));
            };
            let collected = bankid
                .collect(order_ref)
                .await
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
            match collected {
                Collect::Pending(hint) => {
                    let started = a.order_started_at.unwrap_or(a.created_at);
                    let seconds = (now - started).whole_seconds().max(0);
                    Ok(Step::Identify {
                        qr_data: bankid::qr_data(
                            a.qr_start_token.as_deref().unwrap_or(""),
                            a.qr_start_secret.as_deref().unwrap_or(""),
                            seconds,
                        ),
                        auto_start_token: a.auto_start_token.clone().unwrap_or_default(),
                        words: bankid::in_words(&Collect::Pending(hint)),
                        hint_code: hint,
                    })
                }
                Collect::Complete { personal_number } => {
                    let mut conn = svc.db.conn().await?;
                    store::identified(conn.exec(), &a.id, &personal_number).await?;
                    Ok(Step::Decide)
                }
                failed @ Collect::Failed(_) => {
                    let why = bankid::in_words(&failed);
                    deny(svc, a, why).await?;
                    Ok(Step::Denied(why.into()))
                }
            }
        }
    }
}

async fn deny(svc: &Services, a: &StoredAuthorization, why: &str) -> Result<(), ServiceError> {
    let mut conn = svc.db.conn().await?;
    store::deny(conn.exec(), &a.id, why).await?;
    Ok(())
}

/// Where a denied redirect request sends the customer: back with
/// `access_denied` (or None for a decoupled request).
pub fn denied_redirect(svc: &Services, a: &StoredAuthorization, why: &str) -> Option<String> {
    let uri = a.redirect_uri.as_deref().filter(|_| a.flow == "redirect")?;
    Some(back_to(
        svc,
        uri,
        a.state.as_deref(),
        &[("error", "access_denied"), ("error_description", why)],
    ))
}

/// An error that goes back to the client (RFC 6749 §4.1.2.1).
pub fn refusal_redirect(svc: &Services, r: &Refusal, state: Option<&str>) -> Option<String> {
    let uri = r.redirect.as_deref()?;
    Some(back_to(
        svc,
        uri,
        state,
        &[("error", r.error), ("error_description", &r.description)],
    ))
}

/// What the consent page shows.
#[derive(Debug)]
pub struct Request {
    pub authorization: StoredAuthorization,
    pub application_name: String,
    /// From the registered QWAC (production) or the latest test certificate.
    pub organization: Option<(String, String)>,
    pub customer: std::sync::Arc<Customer>,
    pub what: What,
}

#[derive(Debug)]
pub enum What {
    Consent(Consent),
    Payment(StoredPayment),
    /// Kept by the bank's backend: the page names it, the backend knows it.
    AtTheBank(String),
}

impl Request {
    /// The accounts the customer may pick (all theirs for availableAccounts
    /// and allPsd2; those named that are theirs otherwise).
    pub fn accounts(&self) -> Vec<&crate::domain::sandbox::Account> {
        match &self.what {
            What::Consent(c) => self
                .customer
                .accounts
                .iter()
                .filter(|a| match &c.access {
                    Access::Accounts { .. } => c.access.allows(&a.id, "accounts"),
                    _ => true,
                })
                .collect(),
            What::Payment(_) | What::AtTheBank(_) => vec![],
        }
    }
}

/// The request as the consent page shows it, once the customer is known.
pub async fn request(svc: &Services, a: StoredAuthorization) -> Result<Request, ServiceError> {
    let ssn = a.ssn.clone().ok_or(ServiceError::NotFound)?;
    let mut conn = svc.db.conn().await?;
    let mut ex = conn.exec();
    let app = applications::by_id(ex.reborrow(), &a.application_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let organization = match a.environment {
        Environment::Production => crate::storage::certificates::active(ex.reborrow(), &a.application_id)
            .await?
            .map(|c| (c.qwac.organization_name, c.qwac.organization_id)),
        Environment::Sandbox => crate::storage::test_qtsp::for_application(ex.reborrow(), &a.application_id)
            .await?
            .into_iter()
            .next()
            .map(|c| (c.subject, c.organization_id)),
    };
    let scope = Scope::parse(&a.scope).map_err(|m| ServiceError::Internal(anyhow::anyhow!(m)))?;
    let what = match scope {
        s if !kept_here(svc, a.environment, &s) => What::AtTheBank(s.as_string()),
        Scope::Ais(id) => What::Consent(
            consents::find(ex.reborrow(), &a.application_id, &id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        ),
        Scope::Pis(id) => What::Payment(
            payments_store::waiting_payment(ex.reborrow(), &a.application_id, &id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        ),
    };
    drop(conn);
    let customer = super::sandbox::customer_for(svc, &a.application_id, &ssn).await?;
    Ok(Request {
        authorization: a,
        application_name: app.name,
        organization,
        customer,
        what,
    })
}

/// The customer approves (with the accounts they picked) or rejects.
/// Answers where the customer goes next: back to the client with a code or
/// an error (redirect flow), or nowhere (decoupled).
#[tracing::instrument(name = "oauth.decide", skip_all, fields(application_id = %a.application_id, approve))]
pub async fn decide(
    svc: &Services,
    a: &StoredAuthorization,
    approve: bool,
    chosen: &[String],
) -> Result<Option<String>, ServiceError> {
    if a.status != Status::Deciding.as_str() {
        return Err(ServiceError::conflict(
            "NOT_WAITING",
            "This request is no longer waiting for a decision.",
        ));
    }
    let r = request(svc, a.clone()).await?;
    let now = svc.now();
    let ssn = r.customer.ssn.clone();
    if !approve {
        let mut tx = svc.db.begin().await?;
        match &r.what {
            What::Consent(c) => {
                use crate::domain::consent::Status as C;
                consents::set_status(tx.exec(), &c.id, C::Received, C::Rejected, now).await?;
            }
            What::Payment(p) => {
                payments_store::set_status(tx.exec(), &p.id, "RCVD", "RJCT", now).await?;
            }
            What::AtTheBank(_) => {}
        }
        store::deny(tx.exec(), &a.id, "The customer rejected the request.").await?;
        tx.commit().await?;
        return Ok(denied_redirect(svc, a, "The customer rejected the request."));
    }
    let mut tx = svc.db.begin().await?;
    // A transfer between the customer's own accounts settles at once.
    let mut settled = false;
    match &r.what {
        What::Consent(c) => {
            let offered: Vec<String> = r.accounts().iter().map(|x| x.id.clone()).collect();
            let picked: Vec<String> = offered.iter().filter(|id| chosen.contains(id)).cloned().collect();
            if picked.is_empty() {
                return Err(ServiceError::invalid("accounts", "Pick at least one account."));
            }
            let chosen = (picked != offered || !matches!(c.access, Access::Accounts { .. })).then_some(picked);
            if !consents::authorise(tx.exec(), &c.id, &ssn, chosen.as_deref(), now).await? {
                return Err(ServiceError::conflict(
                    "NOT_WAITING",
                    "The consent is no longer waiting for the customer.",
                ));
            }
        }
        What::AtTheBank(_) => {}
        What::Payment(p) => {
            let status = authorise_payment(&r.customer, p, now)?;
            let internal = status == "ACSC";
            if !payments_store::authorise(tx.exec(), &p.id, &ssn, status, internal, now).await? {
                return Err(ServiceError::conflict(
                    "NOT_WAITING",
                    "The payment is no longer waiting for the customer.",
                ));
            }
            if internal {
                super::sandbox::changed(tx.exec(), &a.application_id).await?;
                settled = true;
            }
        }
    }
    let code = (a.flow == "redirect").then(SecretToken::generate);
    let code_hash = code.as_ref().map(SecretToken::hash);
    let code_expires = code.as_ref().map(|_| now + rules::CODE_LIFETIME);
    if !store::approve(tx.exec(), &a.id, code_hash.as_deref(), code_expires).await? {
        return Err(ServiceError::conflict(
            "NOT_WAITING",
            "This request is no longer waiting for a decision.",
        ));
    }
    tx.commit().await?;
    if settled {
        super::sandbox::forget(svc, &a.application_id);
    }
    tracing::info!(application_id = %a.application_id, scope = %a.scope, "customer authorised");
    Ok(match (code, a.redirect_uri.as_deref()) {
        (Some(code), Some(uri)) => Some(back_to(svc, uri, a.state.as_deref(), &[("code", code.expose())])),
        _ => None,
    })
}

/// The payment's status once the customer authorises it: settled at once
/// (an immediate transfer between their own accounts) or accepted for
/// execution; refused with the bank's reason.
fn authorise_payment(c: &Customer, p: &StoredPayment, now: OffsetDateTime) -> Result<&'static str, ServiceError> {
    use crate::domain::sandbox::payments::{self, PaymentOrder, Product, Status as P};
    let request: serde_json::Value = serde_json::from_str(&p.request).unwrap_or_default();
    let date = request["requestedExecutionDate"]
        .as_str()
        .and_then(|d| time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]")).ok());
    let order = PaymentOrder {
        amount: crate::domain::sandbox::Money(p.amount),
        currency: p.currency.clone(),
        debtor_account: p.debtor_account.clone(),
        creditor_account: p.creditor_account.clone(),
        requested_execution_date: date,
    };
    let product = Product::parse(&p.product).unwrap_or(Product::SepaCreditTransfers);
    let accepted =
        payments::initiate(c, product, &order, now.date()).map_err(|r| ServiceError::refused(r.code, r.message))?;
    Ok(match accepted.status {
        P::Acsc if p.service == "payments" => "ACSC",
        P::Rjct => {
            return Err(ServiceError::refused(
                "FUNDS_NOT_AVAILABLE",
                "The account has too little money.",
            ));
        }
        _ => "ACTC",
    })
}

/// The customer gives up on the bank's page (or in BankID).
pub async fn cancel(svc: &Services, a: &StoredAuthorization) -> Result<Option<String>, ServiceError> {
    if let (Some(bankid), Some(order_ref)) = (&svc.bankid, &a.order_ref) {
        if let Err(e) = bankid.cancel(order_ref).await {
            tracing::warn!(error = %e, "cancelling a BankID order");
        }
    }
    let why = "The customer cancelled.";
    deny(svc, a, why).await?;
    Ok(denied_redirect(svc, a, why))
}

/// What `POST /oauth2/bankid/authorize` answers.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decoupled {
    #[serde(rename = "auth_req_id")]
    pub auth_req_id: String,
    pub auto_start_token: String,
    #[serde(rename = "expires_in")]
    pub expires_in: i64,
    pub interval: i64,
}

/// The decoupled flow (OpenID CIBA, poll mode, with BankID): the client
/// starts the customer's BankID order at the bank; the customer scans the QR
/// code the client shows (fetched from the bank each second) or opens the
/// app; the client polls the token endpoint.
#[tracing::instrument(name = "oauth.decoupled", skip_all)]
pub async fn start_decoupled(
    svc: &Services,
    client: ClientAuth,
    scope: Option<&str>,
    login_hint: Option<&str>,
    end_user_ip: &str,
) -> Result<Decoupled, OAuthError> {
    let client = token_endpoint::authenticate(svc, client).await?;
    let now = svc.now();
    let hint = match login_hint.map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => Some(
            Personnummer::parse(h, now.date())
                .map_err(|m| OAuthError::InvalidRequest(format!("login_hint: {m}")))?
                .to_string(),
        ),
        None => None,
    };
    let (scope, app_name) = {
        let mut conn = svc.db.conn().await?;
        let mut ex = conn.exec();
        let scope = scope_for(svc, &mut ex, &client.application_id, client.environment, scope)
            .await?
            .map_err(OAuthError::InvalidScope)?;
        let app = applications::by_id(ex.reborrow(), &client.application_id).await?;
        (scope, app.map(|a| a.name).unwrap_or_default())
    };
    let a = StoredAuthorization {
        flow: "decoupled".into(),
        login_hint: hint.clone(),
        ..pushed(
            &client.application_id,
            client.environment,
            &client.client_id,
            &scope,
            now,
            now + rules::DECOUPLED_LIFETIME,
        )
    };
    {
        let mut conn = svc.db.conn().await?;
        store::insert(conn.exec(), &a).await?;
    }
    match start_order(svc, &a, &app_name, hint, end_user_ip).await {
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "starting a BankID order");
            return Err(OAuthError::Unavailable(
                "The bank cannot identify customers at the moment; try again later.".into(),
            ));
        }
    }
    let a = find(svc, &a.id).await.map_err(|e| OAuthError::Internal(e.into()))?;
    Ok(Decoupled {
        auth_req_id: a.id,
        auto_start_token: a.auto_start_token.unwrap_or_default(),
        expires_in: rules::DECOUPLED_LIFETIME.whole_seconds(),
        interval: rules::POLL_INTERVAL,
    })
}

/// The client's decoupled request by `auth_req_id` (another client's is unknown).
pub async fn decoupled_of(
    svc: &Services,
    client: &token_endpoint::Authenticated,
    auth_req_id: &str,
) -> Result<Option<StoredAuthorization>, OAuthError> {
    let mut conn = svc.db.conn().await?;
    Ok(store::find(conn.exec(), auth_req_id)
        .await?
        .filter(|a| a.flow == "decoupled" && a.application_id == client.application_id))
}

/// `GET /oauth2/bankid/{auth_req_id}/qr`: the current QR code for the
/// client to show, with where the order is.
pub async fn decoupled_qr(svc: &Services, client: ClientAuth, auth_req_id: &str) -> Result<Step, OAuthError> {
    let client = token_endpoint::authenticate(svc, client).await?;
    let Some(a) = decoupled_of(svc, &client, auth_req_id).await? else {
        return Err(OAuthError::InvalidGrant("Unknown auth_req_id.".into()));
    };
    step(svc, &a).await.map_err(|e| OAuthError::Internal(e.into()))
}

/// The decoupled request behind a BankID order (the simulator approves the
/// consent with the identification in that flow).
pub async fn by_order(svc: &Services, order_ref: &str) -> Result<Option<StoredAuthorization>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(store::by_order_ref(conn.exec(), order_ref).await?)
}
