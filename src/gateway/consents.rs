//! Consents (Berlin Group NextGenPSD2) on the Accounts API: a TPP asks for
//! one with a client token (`scope=accounts`, no customer yet), reads it and
//! its status, and ends it. The customer authorises it at the bank.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::call::{Accounts, Call};
use super::dto::{AccountRefDto, HrefDto};
use super::error::{ErrorDto, GatewayError};
use crate::domain::catalogue::Environment;
use crate::domain::consent::{self, Access, Consent};
use crate::services::{ServiceError, Services, consents};

const BASE: &str = "/sandbox/accounts/1.0.0";

/// What the TPP asks to read: account lists, or `availableAccounts`, or `allPsd2`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessDto {
    /// Accounts whose details may be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountRefDto>,
    /// Accounts whose balances (and details) may be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub balances: Vec<AccountRefDto>,
    /// Accounts whose transactions (and details) may be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<AccountRefDto>,
    /// `allAccounts` or `allAccountsWithBalances`: the list of the customer's accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub available_accounts: Option<String>,
    /// `allAccounts`: every account, with balances and transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub all_psd2: Option<String>,
}

/// A consent request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRequestDto {
    pub access: AccessDto,
    /// True for repeated access, false for a one-off read.
    pub recurring_indicator: bool,
    /// YYYY-MM-DD, at most 180 days ahead; `9999-12-31` for as long as allowed.
    #[schema(format = Date)]
    pub valid_until: String,
    /// Reads a day without the customer present: 1 to 4 (1 for a one-off consent).
    #[schema(minimum = 1, maximum = 4, example = 4)]
    pub frequency_per_day: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentLinksDto {
    /// The bank's OAuth metadata (RFC 8414): where the customer authorises it.
    #[serde(rename = "scaOAuth")]
    pub sca_oauth: HrefDto,
    #[serde(rename = "self")]
    pub self_: HrefDto,
    pub status: HrefDto,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentCreatedDto {
    /// `received` until the customer authorises it.
    #[schema(example = "received")]
    pub consent_status: &'static str,
    pub consent_id: String,
    #[serde(rename = "_links")]
    pub links: ConsentLinksDto,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentDto {
    pub access: AccessDto,
    pub recurring_indicator: bool,
    #[schema(format = Date)]
    pub valid_until: String,
    pub frequency_per_day: u8,
    /// received, valid, rejected, revokedByPsu, expired or terminatedByTpp.
    #[schema(example = "received")]
    pub consent_status: &'static str,
    /// The day the consent last changed (YYYY-MM-DD).
    #[schema(format = Date)]
    pub last_action_date: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentStatusDto {
    #[schema(example = "received")]
    pub consent_status: &'static str,
}

fn refused(e: ServiceError) -> GatewayError {
    match e {
        ServiceError::NotFound => GatewayError::not_found("Consent"),
        ServiceError::Refused { code, message } => GatewayError::bad_request(code, message),
        other => GatewayError::internal(anyhow::anyhow!("{other}")),
    }
}

fn refs(list: &[String]) -> Vec<AccountRefDto> {
    list.iter().map(|b| AccountRefDto { bban: b.clone() }).collect()
}

fn access_dto(a: &Access) -> AccessDto {
    match a {
        Access::Accounts {
            accounts,
            balances,
            transactions,
        } => AccessDto {
            accounts: refs(accounts),
            balances: refs(balances),
            transactions: refs(transactions),
            ..AccessDto::default()
        },
        Access::AvailableAccounts { with_balances } => AccessDto {
            available_accounts: Some(
                if *with_balances {
                    "allAccountsWithBalances"
                } else {
                    "allAccounts"
                }
                .into(),
            ),
            ..AccessDto::default()
        },
        Access::AllPsd2 => AccessDto {
            all_psd2: Some("allAccounts".into()),
            ..AccessDto::default()
        },
    }
}

fn bbans(list: Vec<AccountRefDto>) -> Vec<String> {
    list.into_iter().map(|r| r.bban).collect()
}

/// Asks for the customer's consent; it is `received` until they authorise it.
#[utoipa::path(post, path = "/consents", tag = "Consents", params(super::Headers),
    request_body = ConsentRequestDto, security(("bearer" = [])),
    responses((status = 201, body = ConsentCreatedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
              (status = 403, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn create(
    State(svc): State<Services>,
    call: Call<Accounts>,
    body: Result<Json<ConsentRequestDto>, JsonRejection>,
) -> Result<(StatusCode, Json<ConsentCreatedDto>), GatewayError> {
    let Json(body) = body.map_err(|e| {
        GatewayError::bad_request("FORMAT_ERROR", format!("The body cannot be read: {}", e.body_text()))
    })?;
    let request = consent::Request {
        accounts: bbans(body.access.accounts),
        balances: bbans(body.access.balances),
        transactions: bbans(body.access.transactions),
        available_accounts: body.access.available_accounts,
        all_psd2: body.access.all_psd2,
        recurring_indicator: Some(body.recurring_indicator),
        valid_until: Some(body.valid_until),
        frequency_per_day: Some(body.frequency_per_day),
    };
    let c = consents::create(
        &svc.db,
        svc.now(),
        &call.access.application_id,
        Environment::Sandbox,
        request,
    )
    .await
    .map_err(refused)?;
    let href = |path: String| HrefDto { href: path };
    Ok((
        StatusCode::CREATED,
        Json(ConsentCreatedDto {
            consent_status: c.status.as_str(),
            links: ConsentLinksDto {
                sca_oauth: href(svc.url("/.well-known/oauth-authorization-server")),
                self_: href(format!("{BASE}/consents/{}", c.id)),
                status: href(format!("{BASE}/consents/{}/status", c.id)),
            },
            consent_id: c.id,
        }),
    ))
}

async fn find(svc: &Services, call: &Call<Accounts>, id: &str) -> Result<Consent, GatewayError> {
    consents::get(&svc.db, &call.access.application_id, id)
        .await
        .map_err(refused)
}

/// A consent: what it allows, until when, and its status.
#[utoipa::path(get, path = "/consents/{consentId}", tag = "Consents",
    params(("consentId" = String, Path, description = "The consentId the creation answered"), super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = ConsentDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn get(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path(id): Path<String>,
) -> Result<Json<ConsentDto>, GatewayError> {
    let c = find(&svc, &call, &id).await?;
    Ok(Json(ConsentDto {
        access: access_dto(&c.access),
        recurring_indicator: c.recurring,
        valid_until: c.valid_until.to_string(),
        frequency_per_day: c.frequency_per_day,
        consent_status: c.status_on(svc.now().date()).as_str(),
        last_action_date: c.updated_at.date().to_string(),
    }))
}

/// A consent's status.
#[utoipa::path(get, path = "/consents/{consentId}/status", tag = "Consents",
    params(("consentId" = String, Path, description = "The consentId the creation answered"), super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = ConsentStatusDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn status(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path(id): Path<String>,
) -> Result<Json<ConsentStatusDto>, GatewayError> {
    let c = find(&svc, &call, &id).await?;
    Ok(Json(ConsentStatusDto {
        consent_status: c.status_on(svc.now().date()).as_str(),
    }))
}

/// Ends a consent (`terminatedByTpp`); its tokens stop reading at once.
#[utoipa::path(delete, path = "/consents/{consentId}", tag = "Consents",
    params(("consentId" = String, Path, description = "The consentId the creation answered"), super::Headers),
    security(("bearer" = [])),
    responses((status = 204, description = "Ended"), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn delete(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path(id): Path<String>,
) -> Result<StatusCode, GatewayError> {
    consents::terminate(&svc.db, svc.now(), &call.access.application_id, &id)
        .await
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The consent an AIS token reads with, or the API's answer when it no
/// longer allows reading (sandbox and production alike).
pub async fn usable(svc: &Services, application_id: &str, id: &str) -> Result<Consent, GatewayError> {
    use crate::services::consents::Unusable;
    match consents::usable(&svc.db, svc.now(), application_id, id).await {
        Ok(c) => Ok(c),
        Err(Unusable::Expired) => Err(GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "CONSENT_EXPIRED",
            "The consent has expired: ask the customer for a new one.",
        )),
        Err(Unusable::Invalid(status)) => Err(GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "CONSENT_INVALID",
            format!("The consent is {}: ask the customer for a new one.", status.as_str()),
        )),
        Err(Unusable::Internal(e)) => Err(GatewayError::internal(e)),
    }
}

/// A read the consent does not cover.
pub fn not_covered(account: &str, what: &str) -> GatewayError {
    GatewayError::new(
        StatusCode::UNAUTHORIZED,
        "CONSENT_INVALID",
        format!("The consent does not cover the {what} of account {account}."),
    )
}
