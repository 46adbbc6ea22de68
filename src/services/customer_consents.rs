//! The customer's own view of their consents (`/my-consents`): they sign in
//! with BankID, see which applications may read what, until when and when
//! they last did, and revoke a consent (`revokedByPsu`), which stops its
//! tokens at once (every read checks the consent) and its refresh tokens.

use super::{ServiceError, Services};
use crate::bankid::{AuthRequest, Collect, Order};
use crate::domain::consent::{Consent, Status};
use crate::storage::{applications, consents};

/// Starts the BankID order that signs the customer in.
pub async fn start_sign_in(svc: &Services, end_user_ip: &str) -> Result<Order, ServiceError> {
    let bankid = svc.bankid.as_ref().ok_or(ServiceError::NotFound)?;
    bankid
        .auth(AuthRequest {
            end_user_ip: end_user_ip.to_string(),
            personal_number: None,
            user_visible_data: "Sign in to see and revoke your consents.".into(),
        })
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))
}

pub async fn collect(svc: &Services, order_ref: &str) -> Result<Collect, ServiceError> {
    let bankid = svc.bankid.as_ref().ok_or(ServiceError::NotFound)?;
    bankid
        .collect(order_ref)
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))
}

/// A consent with the name of the application it was given to.
pub struct Given {
    pub consent: Consent,
    pub application_name: String,
    /// Its status today.
    pub status: Status,
}

/// The customer's consents, newest first.
pub async fn list(svc: &Services, ssn: &str) -> Result<Vec<Given>, ServiceError> {
    let today = svc.now().date();
    let mut conn = svc.db.conn().await?;
    let mut ex = conn.exec();
    let mut out = Vec::new();
    for c in consents::for_customer(ex.reborrow(), ssn).await? {
        let name = applications::by_id(ex.reborrow(), &c.application_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_else(|| "(deleted application)".into());
        out.push(Given {
            status: c.status_on(today),
            consent: c,
            application_name: name,
        });
    }
    Ok(out)
}

/// Revokes one of the customer's valid consents.
#[tracing::instrument(name = "consents.revoke_by_customer", skip_all)]
pub async fn revoke(svc: &Services, ssn: &str, consent_id: &str) -> Result<Given, ServiceError> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let c = consents::by_id(tx.exec(), consent_id)
        .await?
        .filter(|c| c.ssn.as_deref() == Some(ssn))
        .ok_or(ServiceError::NotFound)?;
    if c.status_on(now.date()) != Status::Valid
        || !consents::set_status(tx.exec(), &c.id, Status::Valid, Status::RevokedByPsu, now).await?
    {
        return Err(ServiceError::conflict(
            "NOT_VALID",
            "This consent is no longer valid: nothing to revoke.",
        ));
    }
    crate::storage::refresh_tokens::end_scope(tx.exec(), &c.application_id, &format!("AIS:{}", c.id)).await?;
    let name = applications::by_id(tx.exec(), &c.application_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    tx.commit().await?;
    tracing::info!(consent_id = %c.id, "consent revoked by the customer");
    Ok(Given {
        consent: c,
        application_name: name,
        status: Status::RevokedByPsu,
    })
}
