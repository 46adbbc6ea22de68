//! Where production API calls go once the gateway has checked them: the
//! bank's own backend (an upstream URL per API family), or, where none is
//! set, the portal's simulated bank, which says so on every answer. Both sit
//! behind [`ProductionBank`], the interface the bank's real component fills.

pub mod simulated;
pub mod upstream;

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode};

use crate::clock::Clock;
use crate::config::ProductionConfig;
use crate::storage::Db;

/// A checked production call, as the bank receives it.
#[derive(Debug, Clone)]
pub struct BankRequest {
    /// `accounts` or `payments`.
    pub family: &'static str,
    pub method: Method,
    /// The path after the API's base, from `/` (e.g. `/Accounts/123`).
    pub path: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub request_id: String,
    pub psu_ip_address: Option<String>,
    /// From the application's registered QWAC.
    pub organization_id: String,
    pub application_id: String,
    /// An AIS token's consent (`X-Consent-ID` to the backend).
    pub consent_id: Option<String>,
    /// The customer who authorised the token (`X-PSU-ID`: their personnummer).
    pub psu_id: Option<String>,
}

/// The bank's answer, passed on as it is.
#[derive(Debug, Clone)]
pub struct BankResponse {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// True when the simulated bank answered (the gateway labels the answer).
    pub simulated: bool,
}

/// Why the bank gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("the bank did not answer in time")]
    Timeout,
    #[error("the bank cannot be reached: {0}")]
    Unreachable(String),
}

#[async_trait::async_trait]
pub trait ProductionBank: Send + Sync {
    async fn call(&self, req: BankRequest) -> Result<BankResponse, BankError>;
}

/// Each family to its upstream when one is set, else to the simulated bank.
pub struct Routed {
    accounts: Option<upstream::Upstream>,
    payments: Option<upstream::Upstream>,
    simulated: simulated::SimulatedBank,
}

pub fn build(config: &ProductionConfig, db: Db, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<dyn ProductionBank>> {
    let upstream = |url: &Option<url::Url>| {
        url.as_ref()
            .map(|u| upstream::Upstream::new(u.clone(), config.upstream_timeout))
            .transpose()
    };
    Ok(Arc::new(Routed {
        accounts: upstream(&config.upstream_accounts)?,
        payments: upstream(&config.upstream_payments)?,
        simulated: simulated::SimulatedBank::new(db, clock),
    }))
}

#[async_trait::async_trait]
impl ProductionBank for Routed {
    async fn call(&self, req: BankRequest) -> Result<BankResponse, BankError> {
        let upstream = match req.family {
            "accounts" => self.accounts.as_ref(),
            "payments" => self.payments.as_ref(),
            _ => None,
        };
        match upstream {
            Some(u) => u.call(req).await,
            None => self.simulated.call(req).await,
        }
    }
}
