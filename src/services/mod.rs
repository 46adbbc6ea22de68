//! Use cases. The HTML pages and (later) the JSON API call the same
//! functions here, so no rule is written twice.

pub mod access;
pub mod account_closure;
pub mod admin;
pub mod applications;
pub mod audit;
pub mod authorization;
pub mod bankid_simulator;
pub mod catalogue;
pub mod certificates;
pub mod consents;
pub mod console;
pub mod console_authorization;
pub mod contact;
pub mod customer_consents;
pub mod data_export;
pub mod developers;
pub mod journey;
pub mod keys;
pub mod legal;
pub mod maintenance;
pub mod operations;
pub mod outbox;
pub mod passwords;
pub mod personal_tokens;
pub mod rate_limits;
pub mod sandbox;
pub mod sandbox_payments;
pub mod sandbox_state;
pub mod sealing;
pub mod sign_in;
pub mod sign_up;
pub mod subscriptions;
pub mod test_qtsp;
pub mod token_endpoint;
pub mod token_grants;
pub mod usage;

use std::sync::Arc;

use url::Url;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::validation::FieldErrors;
use crate::mail::MailQueue;
use crate::storage::{self, Db};

/// The gateway's token-bucket rate limits (shared in Redis when configured).
pub struct RateLimits {
    /// Requests per application to the sandbox APIs.
    pub sandbox: rate_limits::Limiter,
    /// Token requests per client id, counted once the secret is right.
    pub token_endpoint: rate_limits::Limiter,
    /// Failed token requests: per (client id, client address) for a wrong
    /// secret, per client address for an unknown client id. A stranger's
    /// wrong guesses never spend the real client's allowance.
    pub token_failures: rate_limits::Limiter,
    /// Redis, when the limits are shared.
    pub shared: Option<Arc<rate_limits::Shared>>,
}

/// How a use case can refuse. The pages and the JSON API map these to a
/// message next to a field, a flash, or a JSON error with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The input was read and refused for a reason with a code (a certificate that is not a QWAC…).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<storage::Error> for ServiceError {
    fn from(e: storage::Error) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl ServiceError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        ServiceError::Invalid(errors)
    }
}

/// Admin use cases answer "not found" to anyone else: for them the area does not exist.
fn must_be_admin(user: &crate::domain::user::User) -> Result<(), ServiceError> {
    if user.role == crate::domain::user::Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// What every use case may need: the database, the clock, settings, the
/// password hasher and the mail queue. Every request clones it (axum's
/// state), so it is one reference count, not one per part.
#[derive(Clone)]
pub struct Services(Arc<Parts>);

impl Services {
    pub fn new(parts: Parts) -> Services {
        Services(Arc::new(parts))
    }
}

impl std::ops::Deref for Services {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The parts of [`Services`], assembled at start.
pub struct Parts {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub hasher: passwords::PasswordHasher,
    pub mail: MailQueue,
    /// Access tokens checked from memory (see [`access`]).
    pub access: Arc<access::AccessCache>,
    /// Customers as each application's sandbox has them (see [`sandbox_state`]).
    pub sandbox_state: Arc<sandbox_state::SandboxState>,
    /// Group commit of the client credentials grant's tokens.
    pub token_writes: Arc<crate::storage::token_batch::TokenBatcher>,
    /// The API catalogue, as upserted at start (it changes only with a release).
    pub catalogue: Arc<std::sync::OnceLock<Vec<Arc<crate::domain::catalogue::Api>>>>,
    pub rate_limits: Arc<RateLimits>,
    /// Calls counted for the usage chart, not yet written.
    pub usage: Arc<usage::UsageCounter>,
    /// Where users reach the portal; links in e-mails start with it.
    pub base_url: Url,
    /// This instance's own address, for the API console's calls.
    pub self_url: Url,
    /// Mails are kept at /dev/mailbox instead of sent (see `MailConfig::dev_mailbox_for`).
    pub dev_mailbox: bool,
    /// Seals mail bodies in the outbox (see [`sealing`]).
    pub sealer: Arc<sealing::Sealer>,
    /// The portal's test QTSP (see [`test_qtsp`]).
    pub test_ca: Arc<test_qtsp::TestCa>,
    /// Where the TLS listener (mutual TLS) is reached, when it is on.
    pub tls_url: Option<Url>,
    /// Where checked production calls go: the bank's backend or the simulation.
    pub production_bank: Arc<dyn crate::production_bank::ProductionBank>,
    /// What `/metrics` shows.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// How customers identify (None: `DEVPORTAL_BANKID=off`).
    pub bankid: Option<Arc<dyn crate::bankid::BankId>>,
    /// The simulated BankID's phone side, when the simulation is on.
    pub bankid_simulator: Option<Arc<crate::bankid::simulated::SimulatedBankId>>,
    /// The bank's name, logo, colours and legal texts (see [`crate::brand`]).
    pub brand: Arc<crate::brand::Brand>,
}

impl Services {
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// A fresh random id for a new row (applications, subscriptions, tokens).
    pub fn new_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// An absolute link to `path` for an e-mail.
    pub fn url(&self, path: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.to_string()
    }

    /// An absolute link to `path?token=…` for an e-mail.
    pub fn link(&self, path: &str, token: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.query_pairs_mut().clear().append_pair("token", token);
        url.to_string()
    }
}
