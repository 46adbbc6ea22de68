//! Customers' consents to account information, as the TPP sees them: it
//! asks for one (with a client token; the customer authorises it later),
//! reads it and its status, and ends it (`terminatedByTpp`). The sandbox
//! gateway and the simulated production bank both keep consents this way,
//! so these take the database and the time rather than the services.

use time::OffsetDateTime;

use super::ServiceError;
use crate::domain::catalogue::Environment;
use crate::domain::consent::{self, Consent, Status};
use crate::storage::{Db, consents as store};

/// Checks and stores a consent request; it starts as `received`.
pub async fn create(
    db: &Db,
    now: OffsetDateTime,
    application_id: &str,
    environment: Environment,
    request: consent::Request,
) -> Result<Consent, ServiceError> {
    let checked = consent::check(request, now.date()).map_err(|r| ServiceError::refused(r.code, r.message))?;
    let c = Consent {
        id: uuid::Uuid::new_v4().to_string(),
        application_id: application_id.to_string(),
        environment,
        status: Status::Received,
        access: checked.access,
        recurring: checked.recurring,
        valid_until: checked.valid_until,
        frequency_per_day: checked.frequency_per_day,
        ssn: None,
        chosen_accounts: None,
        last_used_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut conn = db.conn().await?;
    store::insert(conn.exec(), &c).await?;
    tracing::info!(application_id, consent_id = %c.id, env = environment.as_str(), "consent received");
    Ok(c)
}

/// The application's consent (another application's is not found).
pub async fn get(db: &Db, application_id: &str, id: &str) -> Result<Consent, ServiceError> {
    let mut conn = db.conn().await?;
    store::find(conn.exec(), application_id, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Ends the consent at the TPP's request. A consent that has already ended
/// stays as it ended (the answer is the same: nothing more to end).
pub async fn terminate(db: &Db, now: OffsetDateTime, application_id: &str, id: &str) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    let c = store::find(tx.exec(), application_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    // Changed only from the status read: if a concurrent change ended it
    // first, that end stands, and the answer is the same.
    if !c.status_on(now.date()).is_final() {
        store::set_status(tx.exec(), &c.id, c.status, Status::TerminatedByTpp, now).await?;
        crate::storage::refresh_tokens::end_scope(tx.exec(), application_id, &format!("AIS:{}", c.id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why a consent-bound token cannot read.
#[derive(Debug)]
pub enum Unusable {
    /// Past its `validUntil`.
    Expired,
    /// Revoked by the customer, terminated by the TPP, rejected, or gone.
    Invalid(Status),
    Internal(anyhow::Error),
}

/// The consent an AIS token reads with, if it still allows reading; notes
/// the use (for the customer's and the developer's view).
pub async fn usable(db: &Db, now: OffsetDateTime, application_id: &str, id: &str) -> Result<Consent, Unusable> {
    let internal = |e: crate::storage::Error| Unusable::Internal(e.into());
    let mut conn = db.conn().await.map_err(internal)?;
    let Some(c) = store::find(conn.exec(), application_id, id).await.map_err(internal)? else {
        return Err(Unusable::Invalid(Status::TerminatedByTpp));
    };
    match c.status_on(now.date()) {
        Status::Valid => {}
        Status::Expired => return Err(Unusable::Expired),
        other => return Err(Unusable::Invalid(other)),
    }
    store::touch(conn.exec(), &c.id, now).await.map_err(internal)?;
    Ok(c)
}

/// The consents customers gave an application (sandbox and production), newest first.
pub async fn of_application(
    svc: &super::Services,
    app: &super::applications::Owned,
) -> Result<Vec<Consent>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(store::for_application(conn.exec(), &app.id).await?)
}
