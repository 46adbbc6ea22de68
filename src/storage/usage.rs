//! The `api_usage` table: sandbox calls and 429s per application and hour.

use super::{Exec, Result, sql};

pub async fn add(ex: Exec<'_>, application_id: &str, hour: i64, calls: i64, throttled: i64) -> Result<()> {
    // The application may have been deleted since the calls; its counts go with it.
    sql("INSERT INTO api_usage (application_id, hour, calls, throttled) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM applications WHERE id = $1) \
         ON CONFLICT (application_id, hour) DO UPDATE SET calls = api_usage.calls + excluded.calls, \
         throttled = api_usage.throttled + excluded.throttled")
    .bind(application_id)
    .bind(hour)
    .bind(calls)
    .bind(throttled)
    .execute(ex)
    .await?;
    Ok(())
}

/// (hour, calls, throttled) from `from_hour` on.
pub async fn since(ex: Exec<'_>, application_id: &str, from_hour: i64) -> Result<Vec<(i64, i64, i64)>> {
    sql("SELECT hour, calls, throttled FROM api_usage WHERE application_id = $1 AND hour >= $2 ORDER BY hour")
        .bind(application_id)
        .bind(from_hour)
        .all(ex)
        .await
}
