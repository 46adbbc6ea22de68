//! The BankID simulator's use cases (the customer's phone, simulated): the
//! open orders, scanning a QR code or opening the app by its autostart
//! token, and approving or cancelling. In the decoupled flow the phone is
//! also where the customer approves the consent, so approving an order
//! behind a decoupled request decides it too.

use std::sync::Arc;

use super::authorization::{self, Step};
use super::{ServiceError, Services};
use crate::bankid::simulated::{PhoneError, PhoneOrder, SimulatedBankId};

fn phone(svc: &Services) -> Result<&Arc<SimulatedBankId>, ServiceError> {
    svc.bankid_simulator.as_ref().ok_or(ServiceError::NotFound)
}

impl From<PhoneError> for ServiceError {
    fn from(e: PhoneError) -> Self {
        match e {
            PhoneError::NoSuchOrder => ServiceError::NotFound,
            PhoneError::Refused(m) => ServiceError::refused("BANKID_REFUSED", m),
            PhoneError::Internal(e) => ServiceError::Internal(e),
        }
    }
}

pub async fn pending(svc: &Services) -> Result<Vec<PhoneOrder>, ServiceError> {
    Ok(phone(svc)?.pending().await?)
}

/// Scans a QR code's data; answers the order it opened.
pub async fn scan(svc: &Services, qr: &str) -> Result<String, ServiceError> {
    Ok(phone(svc)?.scan(qr).await?)
}

pub async fn autostart(svc: &Services, token: &str) -> Result<String, ServiceError> {
    Ok(phone(svc)?.autostart(token).await?)
}

/// The customer identifies as `personal_number`; in the decoupled flow they
/// also approve (or reject) the consent or payment, with every account it
/// may cover.
pub async fn approve(
    svc: &Services,
    order_ref: &str,
    personal_number: &str,
    approve_request: bool,
) -> Result<String, ServiceError> {
    let pnr = phone(svc)?.approve(order_ref, personal_number).await?;
    if let Some(a) = authorization::by_order(svc, order_ref).await? {
        if a.flow == "decoupled" {
            if let Step::Decide = authorization::step(svc, &a).await? {
                let a = authorization::find(svc, &a.id).await?;
                let r = authorization::request(svc, a.clone()).await?;
                let all: Vec<String> = r.accounts().iter().map(|x| x.id.clone()).collect();
                authorization::decide(svc, &a, approve_request, &all).await?;
            }
        }
    }
    Ok(pnr)
}

pub async fn cancel(svc: &Services, order_ref: &str) -> Result<(), ServiceError> {
    Ok(phone(svc)?.cancel_on_phone(order_ref).await?)
}
