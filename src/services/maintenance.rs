//! Periodic clean-up of rows that have served their time.

use super::Services;
use crate::storage::{self, access_tokens, throttle};

/// Drops rate-limit windows older than a day and expired access tokens.
pub async fn sweep(svc: &Services) -> Result<(), storage::Error> {
    let now = svc.now().unix_timestamp();
    svc.access.prune(now);
    let mut conn = svc.db.conn().await?;
    throttle::prune(conn.exec(), now - 86_400).await?;
    access_tokens::prune(conn.exec(), now).await?;
    Ok(())
}
