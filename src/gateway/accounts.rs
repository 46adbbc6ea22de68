//! The Accounts API (AIS), `/sandbox/accounts/1.0.0`.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use time::{Date, Duration};

use super::call::{Accounts, Call};
use super::dto::*;
use super::error::{ErrorDto, GatewayError};
use crate::domain::consent::Consent;
use crate::domain::sandbox::payments::serviceable;
use crate::domain::sandbox::{Customer, TransactionStatus};
use crate::services::{Services, sandbox};
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

type R<T> = Result<Json<T>, GatewayError>;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// Include the balances (`true`/`false`, default `false`).
    #[serde(default)]
    #[param(value_type = Option<bool>, nullable = false, example = true)]
    with_balance: Option<String>,
}

impl BalanceQuery {
    fn wanted(&self) -> Result<bool, GatewayError> {
        match self.with_balance.as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(GatewayError::bad_request(
                "FORMAT_ERROR",
                format!("withBalance must be true or false, not {other:?}."),
            )),
        }
    }
}

/// Who the call reads for: the customer, and the consent when the token
/// is an AIS token (`AIS:<consentId>`), which then bounds what it reads.
struct Reader {
    customer: std::sync::Arc<Customer>,
    consent: Option<Consent>,
}

impl Reader {
    /// Whether the consent (if any) covers `what` of `account`.
    fn may(&self, account: &str, what: &str) -> bool {
        self.consent.as_ref().is_none_or(|c| c.may(account, what))
    }

    /// Refuses what the consent does not cover.
    fn check(&self, account: &str, what: &str) -> Result<(), GatewayError> {
        if self.may(account, what) {
            return Ok(());
        }
        Err(super::consents::not_covered(account, what))
    }
}

/// The customer for the call, or the refusal that applies to every call.
async fn reader(svc: &Services, call: &Call<Accounts>) -> Result<Reader, GatewayError> {
    let party = call.party();
    if party.ssn.is_empty() {
        return Err(GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "CONSENT_INVALID",
            "This client token (scope accounts) creates consents; reading accounts needs a token for the customer.",
        ));
    }
    let consent = match call.access.consent_id() {
        None => None,
        Some(id) => Some(super::consents::usable(svc, party.application_id, id).await?),
    };
    let c = sandbox::customer_for(svc, party.application_id, party.ssn).await?;
    serviceable(&c)?;
    Ok(Reader { customer: c, consent })
}

/// The PSD2 rule for reads without the customer present: 4 a day per
/// account, or the consent's `frequencyPerDay` (the service decides; this
/// maps its answer).
async fn unattended_limit(
    svc: &Services,
    call: &Call<Accounts>,
    r: &Reader,
    account: &str,
) -> Result<(), GatewayError> {
    let limited = match &r.consent {
        Some(c) => sandbox::consent_read(svc, c, account, call.psu_present).await?,
        None => sandbox::account_read(svc, call.party(), account, call.psu_present).await?,
    };
    if let Err(retry) = limited {
        let limit = if r.consent.is_some() {
            "consent_frequency"
        } else {
            "psd2_unattended"
        };
        svc.metrics.throttled.with_label_values(&[limit]).inc();
        let allowed = r
            .consent
            .as_ref()
            .map_or(sandbox::UNATTENDED_READS_PER_DAY, |c| i64::from(c.frequency_per_day));
        return Err(GatewayError::too_many(
            "ACCESS_EXCEEDED",
            format!(
                "Without the customer present, this account may be read {allowed} times a day (PSD2; a consent's \
                 frequencyPerDay). Send PSU-IP-Address when the customer is actively asking (unlimited), or try \
                 again tomorrow (UTC)."
            ),
            retry.0,
        ));
    }
    Ok(())
}

fn account<'a>(c: &'a Customer, id: &str) -> Result<&'a crate::domain::sandbox::Account, GatewayError> {
    c.account(id)
        .ok_or_else(|| GatewayError::not_found(&format!("Account {id}")))
}

/// The customer's accounts (terminated accounts are not listed).
#[utoipa::path(get, path = "/Accounts", tag = "Accounts", params(BalanceQuery, super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = AccountListDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
              (status = 403, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn list(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Query(q): Query<BalanceQuery>,
) -> Result<Response, GatewayError> {
    let with_balance = q.wanted()?;
    let r = reader(&svc, &call).await?;
    unattended_limit(&svc, &call, &r, "list").await?;
    let c = &r.customer;
    let render = || {
        let list = AccountListDto {
            accounts: c
                .accounts
                .iter()
                .filter(|a| r.may(&a.id, "list") || r.may(&a.id, "accounts"))
                .map(|a| AccountDto::new(a, &c.name, with_balance && r.may(&a.id, "balances")))
                .collect(),
        };
        // Serialising owned strings and numbers cannot fail.
        Bytes::from(serde_json::to_vec(&list).unwrap_or_default())
    };
    // Without a consent the list depends only on the build and withBalance:
    // rendered once per build (TPPs' pipelines poll it), gone with it.
    let body = match r.consent {
        None => {
            let party = call.party();
            svc.sandbox_state
                .view(party.application_id, party.ssn, c, usize::from(with_balance), render)
        }
        Some(_) => render(),
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// One account in detail.
#[utoipa::path(get, path = "/Accounts/{accountId}", tag = "Accounts",
    params(("accountId" = String, Path, description = "Account number (12345678910 is an account of the test user 195505063676)", example = "12345678910"), BalanceQuery, super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = AccountDetailsDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn details(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path(id): Path<String>,
    Query(q): Query<BalanceQuery>,
) -> R<AccountDetailsDto> {
    let with_balance = q.wanted()?;
    let r = reader(&svc, &call).await?;
    let a = account(&r.customer, &id)?;
    r.check(&id, "accounts")?;
    unattended_limit(&svc, &call, &r, &id).await?;
    Ok(Json(AccountDetailsDto {
        account: AccountDto::new(a, &r.customer.name, with_balance && r.may(&id, "balances")),
    }))
}

/// Booked, reserved and available amount; available includes any credit limit.
#[utoipa::path(get, path = "/Accounts/{accountId}/balances", tag = "Accounts",
    params(("accountId" = String, Path, description = "Account number (12345678910 is an account of the test user 195505063676)", example = "12345678910"), super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = BalancesDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn balances(State(svc): State<Services>, call: Call<Accounts>, Path(id): Path<String>) -> R<BalancesDto> {
    let r = reader(&svc, &call).await?;
    let a = account(&r.customer, &id)?;
    r.check(&id, "balances")?;
    unattended_limit(&svc, &call, &r, &id).await?;
    Ok(Json(BalancesDto {
        account: AccountRefDto { bban: a.id.clone() },
        balances: super::dto::balances(a),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    /// `booked`, `pending` or `both` (default `both`).
    #[serde(default)]
    #[param(value_type = Option<BookingStatus>, nullable = false, inline, example = "both")]
    status: Option<String>,
    /// YYYY-MM-DD; default 30 days ago; at most 18 months ago.
    #[serde(default)]
    #[param(value_type = Option<String>, nullable = false, format = Date)]
    date_from: Option<String>,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    #[param(value_type = Option<String>, nullable = false, format = Date)]
    date_to: Option<String>,
}

/// The `status` filter's values (documentation only; the handler reads a string
/// so that a wrong value gets the gateway's FORMAT_ERROR).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum BookingStatus {
    Booked,
    Pending,
    Both,
}

fn parse_date(s: &str, name: &str) -> Result<Date, GatewayError> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &f).map_err(|_| {
        GatewayError::bad_request(
            "FORMAT_ERROR",
            format!("{name} must be a date like 2026-01-31, not {s:?}."),
        )
    })
}

/// The same day `months` months earlier (the last day of a shorter month).
fn months_before(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) - months;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// Transactions, the last 30 days by default.
#[utoipa::path(get, path = "/Accounts/{accountId}/transactions", tag = "Accounts",
    params(("accountId" = String, Path, description = "Account number (12345678910 is an account of the test user 195505063676)", example = "12345678910"), TransactionQuery, super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = TransactionsDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
              (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn transactions(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path(id): Path<String>,
    Query(q): Query<TransactionQuery>,
) -> R<TransactionsDto> {
    let today = svc.now().date();
    let (want_booked, want_pending) = match q.status.as_deref().unwrap_or("both") {
        "booked" => (true, false),
        "pending" => (false, true),
        "both" => (true, true),
        other => {
            return Err(GatewayError::bad_request(
                "FORMAT_ERROR",
                format!("status must be booked, pending or both, not {other:?}."),
            ));
        }
    };
    let from = q
        .date_from
        .as_deref()
        .map(|s| parse_date(s, "dateFrom"))
        .transpose()?
        .unwrap_or(today - Duration::days(30));
    let to = q
        .date_to
        .as_deref()
        .map(|s| parse_date(s, "dateTo"))
        .transpose()?
        .unwrap_or(today);
    if from < months_before(today, 18) {
        return Err(GatewayError::bad_request(
            "PERIOD_INVALID",
            "dateFrom may be at most 18 months back.",
        ));
    }
    if from > to {
        return Err(GatewayError::bad_request("PERIOD_INVALID", "dateFrom is after dateTo."));
    }
    let r = reader(&svc, &call).await?;
    let a = account(&r.customer, &id)?;
    r.check(&id, "transactions")?;
    unattended_limit(&svc, &call, &r, &id).await?;
    let in_period = a
        .transactions
        .iter()
        .filter(|t| t.booking_date >= from && t.booking_date <= to);
    let (mut booked, mut pending) = (Vec::new(), Vec::new());
    for t in in_period {
        match t.status {
            TransactionStatus::Booked if want_booked => booked.push(TransactionDto::from(t)),
            TransactionStatus::Pending if want_pending => pending.push(TransactionDto::from(t)),
            _ => {}
        }
    }
    Ok(Json(TransactionsDto {
        account: AccountRefDto { bban: a.id.clone() },
        transactions: TransactionListDto { booked, pending },
    }))
}

/// One transaction.
#[utoipa::path(get, path = "/Accounts/{accountId}/transactions/{transactionId}", tag = "Accounts",
    params(("accountId" = String, Path, description = "Account number (12345678910 is an account of the test user 195505063676)", example = "12345678910"), ("transactionId" = String, Path, description = "A transaction's id from the transaction list", example = "12345678910-0001"), super::Headers),
    security(("bearer" = [])),
    responses((status = 200, body = TransactionDetailsDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
              (status = 404, body = ErrorDto), (status = 429, body = ErrorDto)))]
pub async fn transaction(
    State(svc): State<Services>,
    call: Call<Accounts>,
    Path((id, transaction_id)): Path<(String, String)>,
) -> R<TransactionDetailsDto> {
    let r = reader(&svc, &call).await?;
    let a = account(&r.customer, &id)?;
    r.check(&id, "transactions")?;
    let t = a
        .transactions
        .iter()
        .find(|t| t.id == transaction_id)
        .ok_or_else(|| GatewayError::not_found(&format!("Transaction {transaction_id}")))?;
    unattended_limit(&svc, &call, &r, &id).await?;
    Ok(Json(TransactionDetailsDto {
        transactions_details: t.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn eighteen_months_back_clamps_the_day() {
        assert_eq!(months_before(date!(2026 - 11 - 24), 18), date!(2025 - 05 - 24));
        assert_eq!(months_before(date!(2026 - 08 - 31), 18), date!(2025 - 02 - 28));
    }
}
