//! Limits on how often something may happen, counted in the database.

use super::Services;
use crate::storage::throttle;

/// Too many hits: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// Counts a hit on `bucket`; refuses once more than `limit` hits fall in the
/// current fixed window of `window_secs`.
pub async fn hit(svc: &Services, bucket: &str, limit: i64, window_secs: i64) -> anyhow::Result<Result<(), RetryAfter>> {
    let now = svc.now().unix_timestamp();
    let window_start = now - now.rem_euclid(window_secs);
    let mut conn = svc.db.conn().await?;
    let hits = throttle::hit(conn.exec(), bucket, window_start).await?;
    if hits > limit {
        let retry = (window_start + window_secs - now).max(1) as u64;
        Ok(Err(RetryAfter(retry)))
    } else {
        Ok(Ok(()))
    }
}
