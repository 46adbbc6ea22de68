//! The simulated production bank: what answers production calls when the
//! bank's backend is not connected, so that TPPs (and the portal's own
//! tests and benchmarks) can exercise the whole mutual-TLS path. Every
//! answer says it is a simulation (the gateway adds a header; the JSON body
//! has a `simulation` field). Nothing here is real customer data.
//!
//! What it does: with a client token (no customer yet), a payment can be
//! initiated and stays `RCVD` until a customer authorizes it, and a consent
//! can be asked for and stays `received` until a customer authorises it (the
//! customer authorises it with BankID at the bank); both can be read and
//! ended. Account reads need a customer's token (`AIS:<consentId>`): the
//! gateway has checked the consent; this answers the test customer's mock
//! accounts that the consent covers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BankError, BankRequest, BankResponse, ProductionBank};
use crate::clock::Clock;
use crate::domain::catalogue::Environment;
use crate::domain::consent;
use crate::domain::sandbox::Money;
use crate::domain::sandbox::payments::{Product, Status};
use crate::services::{ServiceError, consents};
use crate::storage::Db;
use crate::storage::consents::access_json;
use crate::storage::sandbox::{self as store, StoredPayment};

pub const NOTICE: &str = "Simulated production bank: not real customer data";

/// Payments waiting for a customer are kept with no customer yet.
const NO_CUSTOMER: &str = "";

pub struct SimulatedBank {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl SimulatedBank {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> SimulatedBank {
        SimulatedBank { db, clock }
    }
}

fn answer(status: StatusCode, mut body: Value) -> BankResponse {
    if let Value::Object(fields) = &mut body {
        fields.insert("simulation".into(), json!(NOTICE));
    }
    BankResponse {
        status,
        content_type: Some("application/json".into()),
        body: Bytes::from(body.to_string()),
        simulated: true,
    }
}

fn refused(status: StatusCode, code: &str, message: &str) -> BankResponse {
    answer(status, json!({"error": code, "message": message}))
}

#[async_trait::async_trait]
impl ProductionBank for SimulatedBank {
    async fn call(&self, req: BankRequest) -> Result<BankResponse, BankError> {
        let result = match req.family {
            "accounts" if req.path.starts_with("/consents") => self.consents(&req).await,
            "accounts" if req.consent_id.is_some() && req.psu_id.is_some() => self.accounts(&req).await,
            "accounts" => Ok(refused(
                StatusCode::UNAUTHORIZED,
                "CONSENT_INVALID",
                "Account information needs the customer's consent, given after they authenticate with BankID. \
                 A client token alone does not read accounts.",
            )),
            _ => self.payments(&req).await,
        };
        Ok(result.unwrap_or_else(|e| {
            tracing::error!(error = %format!("{e:#}"), "simulated production bank");
            refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "The simulated bank failed; try again.",
            )
        }))
    }
}

impl SimulatedBank {
    /// A customer's accounts as their consent covers them (the test users'
    /// mock data; the gateway checked the consent's status and the account).
    async fn accounts(&self, req: &BankRequest) -> anyhow::Result<BankResponse> {
        use crate::gateway::dto::{AccountDto, AccountRefDto, TransactionDto, balances};
        let today = self.clock.now().date();
        let (Some(consent_id), Some(psu)) = (&req.consent_id, &req.psu_id) else {
            return Ok(unknown());
        };
        let Some(c) = ({
            let mut conn = self.db.conn().await?;
            crate::storage::consents::find(conn.exec(), &req.application_id, consent_id).await?
        }) else {
            return Ok(unknown());
        };
        let customer = crate::domain::sandbox::customers::customer_for_ssn(psu, today)
            .map_err(|m| anyhow::anyhow!("stored personnummer: {m}"))?;
        let with_balance = req.query.as_deref().is_some_and(|q| q.contains("withBalance=true"));
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let account = |id: &str| customer.account(id).filter(|a| c.may(&a.id, "accounts"));
        let body = match segments[..] {
            ["Accounts"] => json!({"accounts": customer
                .accounts
                .iter()
                .filter(|a| c.may(&a.id, "list") || c.may(&a.id, "accounts"))
                .map(|a| AccountDto::new(a, &customer.name, with_balance && c.may(&a.id, "balances")))
                .collect::<Vec<_>>()}),
            ["Accounts", id] => match account(id) {
                Some(a) => {
                    json!({"account": AccountDto::new(a, &customer.name, with_balance && c.may(id, "balances"))})
                }
                None => return Ok(unknown()),
            },
            ["Accounts", id, "balances"] => match account(id) {
                Some(a) => json!({"account": AccountRefDto { bban: a.id.clone() }, "balances": balances(a)}),
                None => return Ok(unknown()),
            },
            ["Accounts", id, "transactions"] => match account(id) {
                Some(a) => {
                    let of = |booked: bool| {
                        a.transactions
                            .iter()
                            .filter(|t| (t.status == crate::domain::sandbox::TransactionStatus::Booked) == booked)
                            .map(TransactionDto::from)
                            .collect::<Vec<_>>()
                    };
                    json!({"account": AccountRefDto { bban: a.id.clone() },
                           "transactions": {"booked": of(true), "pending": of(false)}})
                }
                None => return Ok(unknown()),
            },
            _ => return Ok(unknown()),
        };
        Ok(answer(StatusCode::OK, body))
    }

    async fn consents(&self, req: &BankRequest) -> anyhow::Result<BankResponse> {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        match (&req.method, &segments[1..]) {
            (&Method::POST, []) => self.ask_consent(req).await,
            (&Method::GET, [id]) => self.read_consent(req, id, false).await,
            (&Method::GET, [id, "status"]) => self.read_consent(req, id, true).await,
            (&Method::DELETE, [id]) => self.end_consent(req, id).await,
            _ => Ok(unknown()),
        }
    }

    async fn ask_consent(&self, req: &BankRequest) -> anyhow::Result<BankResponse> {
        let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                "FORMAT_ERROR",
                "The body is not JSON.",
            ));
        };
        let bbans = |name: &str| -> Vec<String> {
            body["access"][name]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["bban"].as_str().map(str::to_string))
                .collect()
        };
        let request = consent::Request {
            accounts: bbans("accounts"),
            balances: bbans("balances"),
            transactions: bbans("transactions"),
            available_accounts: body["access"]["availableAccounts"].as_str().map(str::to_string),
            all_psd2: body["access"]["allPsd2"].as_str().map(str::to_string),
            recurring_indicator: body["recurringIndicator"].as_bool(),
            valid_until: body["validUntil"].as_str().map(str::to_string),
            frequency_per_day: body["frequencyPerDay"].as_i64(),
        };
        let created = consents::create(
            &self.db,
            self.clock.now(),
            &req.application_id,
            Environment::Production,
            request,
        );
        let c = match created.await {
            Ok(c) => c,
            Err(ServiceError::Refused { code, message }) => {
                return Ok(refused(StatusCode::BAD_REQUEST, code, &message));
            }
            Err(e) => return Err(e.into()),
        };
        let base = "/production/accounts/1.0.0/consents";
        Ok(answer(
            StatusCode::CREATED,
            json!({
                "consentStatus": c.status.as_str(),
                "consentId": c.id,
                "_links": {
                    "scaOAuth": {"href": "/.well-known/oauth-authorization-server"},
                    "self": {"href": format!("{base}/{}", c.id)},
                    "status": {"href": format!("{base}/{}/status", c.id)},
                },
            }),
        ))
    }

    async fn read_consent(&self, req: &BankRequest, id: &str, status_only: bool) -> anyhow::Result<BankResponse> {
        let c = match consents::get(&self.db, &req.application_id, id).await {
            Ok(c) => c,
            Err(ServiceError::NotFound) => return Ok(unknown()),
            Err(e) => return Err(e.into()),
        };
        let status = c.status_on(self.clock.now().date()).as_str();
        if status_only {
            return Ok(answer(StatusCode::OK, json!({"consentStatus": status})));
        }
        Ok(answer(
            StatusCode::OK,
            json!({
                "access": access_json(&c.access),
                "recurringIndicator": c.recurring,
                "validUntil": c.valid_until.to_string(),
                "frequencyPerDay": c.frequency_per_day,
                "consentStatus": status,
                "lastActionDate": c.updated_at.date().to_string(),
            }),
        ))
    }

    async fn end_consent(&self, req: &BankRequest, id: &str) -> anyhow::Result<BankResponse> {
        match consents::terminate(&self.db, self.clock.now(), &req.application_id, id).await {
            Ok(()) => {}
            Err(ServiceError::NotFound) => return Ok(unknown()),
            Err(e) => return Err(e.into()),
        }
        Ok(BankResponse {
            status: StatusCode::NO_CONTENT,
            content_type: None,
            body: Bytes::new(),
            simulated: true,
        })
    }

    async fn payments(&self, req: &BankRequest) -> anyhow::Result<BankResponse> {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let (service, rest) = match segments.split_first() {
            Some((&"Payments", rest)) => ("payments", rest),
            Some((&"PeriodicPayments", rest)) => ("periodic-payments", rest),
            _ => return Ok(unknown()),
        };
        let Some(product) = rest.first().and_then(|p| Product::parse(p)) else {
            return Ok(refused(
                StatusCode::NOT_FOUND,
                "PRODUCT_UNKNOWN",
                "The payment products are SepaCreditTransfers and CrossBorderCreditTransfers.",
            ));
        };
        match (&req.method, &rest[1..]) {
            (&Method::POST, []) => self.initiate(req, service, product).await,
            (&Method::GET, [id]) => self.read(req, service, product, id, false).await,
            (&Method::GET, [id, "status"]) => self.read(req, service, product, id, true).await,
            (&Method::DELETE, [id]) => self.cancel(req, service, product, id).await,
            _ => Ok(unknown()),
        }
    }

    async fn initiate(&self, req: &BankRequest, service: &str, product: Product) -> anyhow::Result<BankResponse> {
        let Ok(order) = serde_json::from_slice::<Value>(&req.body) else {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                "FORMAT_ERROR",
                "The body is not JSON.",
            ));
        };
        let amount = order["instructedAmount"]["amount"].as_str().map(Money::parse_positive);
        let (Some(Ok(amount)), Some(currency), Some(debtor)) = (
            amount,
            order["instructedAmount"]["currency"].as_str(),
            order["debtorAccount"]["bban"].as_str(),
        ) else {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                "FORMAT_ERROR",
                "A payment needs instructedAmount (amount, currency) and debtorAccount (bban).",
            ));
        };
        let id = uuid::Uuid::new_v4().to_string();
        let payment = StoredPayment {
            id: id.clone(),
            application_id: req.application_id.clone(),
            ssn: NO_CUSTOMER.into(),
            service: service.into(),
            product: product.as_str().into(),
            status: Status::Rcvd.code().into(),
            debtor_account: debtor.into(),
            creditor_account: order["creditorAccount"]["bban"].as_str().map(str::to_string),
            internal: false,
            amount: amount.0,
            currency: currency.into(),
            request: order.to_string(),
            created_at: 0,
        };
        let mut conn = self.db.conn().await?;
        store::insert_payment(conn.exec(), &payment, self.clock.now()).await?;
        let base = format!("/production/payments/1.0.0/{}/{}", path_of(service), product.as_str());
        Ok(answer(
            StatusCode::CREATED,
            json!({
                "transactionStatus": "RCVD",
                "paymentId": id,
                "_links": {"self": {"href": format!("{base}/{id}")}, "status": {"href": format!("{base}/{id}/status")}},
            }),
        ))
    }

    async fn find(
        &self,
        req: &BankRequest,
        service: &str,
        product: Product,
        id: &str,
    ) -> anyhow::Result<Option<StoredPayment>> {
        let mut conn = self.db.conn().await?;
        Ok(store::find_payment(
            conn.exec(),
            &req.application_id,
            NO_CUSTOMER,
            service,
            product.as_str(),
            id,
        )
        .await?)
    }

    async fn read(
        &self,
        req: &BankRequest,
        service: &str,
        product: Product,
        id: &str,
        status_only: bool,
    ) -> anyhow::Result<BankResponse> {
        let Some(p) = self.find(req, service, product, id).await? else {
            return Ok(unknown());
        };
        if status_only {
            return Ok(answer(StatusCode::OK, json!({"transactionStatus": p.status})));
        }
        let mut body: Value = serde_json::from_str(&p.request).unwrap_or_else(|_| json!({}));
        if let Value::Object(fields) = &mut body {
            fields.insert("paymentId".into(), json!(p.id));
            fields.insert("paymentProduct".into(), json!(p.product));
            fields.insert("transactionStatus".into(), json!(p.status));
        }
        Ok(answer(StatusCode::OK, body))
    }

    async fn cancel(
        &self,
        req: &BankRequest,
        service: &str,
        product: Product,
        id: &str,
    ) -> anyhow::Result<BankResponse> {
        let Some(p) = self.find(req, service, product, id).await? else {
            return Ok(unknown());
        };
        let mut conn = self.db.conn().await?;
        let now = self.clock.now();
        if !store::set_status(conn.exec(), &p.id, Status::Rcvd.code(), Status::Canc.code(), now).await? {
            return Ok(refused(
                StatusCode::CONFLICT,
                "CANCELLATION_INVALID",
                &format!("The payment is {} and can no longer be cancelled.", p.status),
            ));
        }
        Ok(answer(
            StatusCode::OK,
            json!({"transactionStatus": Status::Canc.code()}),
        ))
    }
}

fn path_of(service: &str) -> &'static str {
    match service {
        "periodic-payments" => "PeriodicPayments",
        _ => "Payments",
    }
}

fn unknown() -> BankResponse {
    refused(
        StatusCode::NOT_FOUND,
        "RESOURCE_UNKNOWN",
        "There is no such resource at the simulated bank.",
    )
}
