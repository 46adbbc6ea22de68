//! How the bank identifies its customer: BankID, as a relying party uses it
//! (RP API v6: `auth`, `collect`, `cancel`). The portal ships a simulated
//! BankID ([`simulated`]), which says so on every page it shows; a bank puts
//! its own connection to BankID (or an OpenID Connect broker in front of
//! it) behind [`BankId`] instead, and nothing else changes.
//!
//! The animated QR code is computed by the relying party from the order's
//! `qrStartToken` and `qrStartSecret` ([`crate::domain::bankid::qr_data`]),
//! so the secret never leaves the bank.

pub mod simulated;

use time::OffsetDateTime;

pub use crate::domain::bankid::Collect;

/// An identification order, as `auth` is asked for it.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The customer's address (BankID asks for it).
    pub end_user_ip: String,
    /// Only this customer may identify (a `login_hint`).
    pub personal_number: Option<String>,
    /// What the app shows the customer.
    pub user_visible_data: String,
}

/// What `auth` answers.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
    pub started_at: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum BankIdError {
    /// BankID cannot be reached or refused the order.
    #[error("BankID is not available: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[async_trait::async_trait]
pub trait BankId: Send + Sync {
    /// True for the portal's simulation: pages and answers say so.
    fn simulated(&self) -> bool;
    async fn auth(&self, req: AuthRequest) -> Result<Order, BankIdError>;
    async fn collect(&self, order_ref: &str) -> Result<Collect, BankIdError>;
    async fn cancel(&self, order_ref: &str) -> Result<(), BankIdError>;
}
