//! What operators see: the gauges `/metrics` reads at scrape time, and how
//! the instance stands for `/readyz`.

use super::Services;
use crate::storage::outbox;

/// Sets the gauges that are read, not counted: the outbox and the pool.
pub async fn refresh_gauges(svc: &Services) -> anyhow::Result<()> {
    let m = &svc.metrics;
    let (size, idle) = svc.db.pool_state();
    let idle = i64::try_from(idle).unwrap_or(i64::MAX);
    m.db_connections.with_label_values(&["idle"]).set(idle);
    m.db_connections
        .with_label_values(&["in_use"])
        .set(i64::from(size) - idle);
    let mut conn = svc.db.conn().await?;
    let (pending, oldest, failed) = outbox::stats(conn.exec()).await?;
    m.outbox_pending.set(pending);
    m.outbox_failed.set(failed);
    let now = svc.now().unix_timestamp();
    m.outbox_oldest_pending_seconds
        .set(oldest.map_or(0, |t| (now - t).max(0)));
    Ok(())
}

/// How the rate limits stand, for `/readyz`'s details.
pub fn rate_limits_state(svc: &Services) -> &'static str {
    match &svc.rate_limits.shared {
        None => "rate limits: per instance (no Redis configured)",
        Some(s) if s.is_up() => "rate limits: shared (Redis)",
        Some(_) => "rate limits: per instance (Redis unreachable; falling back)",
    }
}
