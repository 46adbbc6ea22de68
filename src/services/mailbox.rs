//! The dev mailbox: the outbox as a page, for development without SMTP.

use super::{ServiceError, Services};
use crate::domain::mail::StoredMail;
use crate::storage::outbox;

/// The newest mails, newest first.
pub async fn recent(svc: &Services) -> Result<Vec<StoredMail>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(outbox::recent(conn.exec(), 100).await?)
}

pub async fn find(svc: &Services, id: i64) -> Result<StoredMail, ServiceError> {
    let mut conn = svc.db.conn().await?;
    outbox::find(conn.exec(), id).await?.ok_or(ServiceError::NotFound)
}
