//! Fixed-window hit counters in the database (the sign-in rate limit), so
//! that every instance behind a load balancer counts against the same limit.

use super::{Exec, Result, sql};

/// Adds one hit to `bucket` in the window starting at `window_start` and
/// returns the hits in that window so far.
pub async fn hit(ex: Exec<'_>, bucket: &str, window_start: i64) -> Result<i64> {
    sql("INSERT INTO throttle (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = throttle.hits + 1 \
         RETURNING hits")
    .bind(bucket)
    .bind(window_start)
    .scalar(ex)
    .await
}

/// The hits on `bucket` in the window starting at `window_start`, without adding one.
pub async fn hits(ex: Exec<'_>, bucket: &str, window_start: i64) -> Result<i64> {
    Ok(sql("SELECT hits FROM throttle WHERE bucket = $1 AND window_start = $2")
        .bind(bucket)
        .bind(window_start)
        .scalar_optional(ex)
        .await?
        .unwrap_or(0))
}
