//! The dashboard's checklist: where the developer stands.

use super::{ServiceError, Services, usage};
use crate::domain::journey::Progress;
use crate::domain::user::User;
use crate::storage::journey;

pub async fn progress(svc: &Services, dev: &User) -> Result<Progress, ServiceError> {
    // The calls counted in memory are written first, so a call made a
    // moment ago already ticks its step.
    usage::flush(svc).await?;
    let mut conn = svc.db.conn().await?;
    Ok(journey::progress(conn.exec(), dev.id).await?)
}
