//! How evenly an application calls the sandbox: calls per hour over the last
//! 24 hours, the share refused with 429, and an evenness figure.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Services;
use crate::storage::usage;

/// Calls and 429s by unix hour.
type Hours = HashMap<i64, (i64, i64)>;

/// Calls and 429s per application and hour (unix hour), not yet written.
#[derive(Default)]
pub struct UsageCounter {
    /// By application, then hour: a known application is found without
    /// allocating its id (every sandbox call records).
    pending: Mutex<HashMap<String, Hours>>,
}

impl UsageCounter {
    pub fn record(&self, application_id: &str, hour: i64, throttled: bool) {
        self.add(application_id, hour, 1, i64::from(throttled));
    }

    fn add(&self, application_id: &str, hour: i64, calls: i64, throttled: i64) {
        let mut p = self.lock();
        let hours = match p.get_mut(application_id) {
            Some(h) => h,
            None => p.entry(application_id.to_string()).or_default(),
        };
        let e = hours.entry(hour).or_insert((0, 0));
        e.0 += calls;
        e.1 += throttled;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Hours>> {
        match self.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Takes what is pending, to be written.
    pub fn drain(&self) -> Vec<(String, i64, i64, i64)> {
        self.lock()
            .drain()
            .flat_map(|(app, hours)| {
                hours
                    .into_iter()
                    .map(move |(hour, (calls, throttled))| (app.clone(), hour, calls, throttled))
            })
            .collect()
    }
}

pub fn hour_of(unix: i64) -> i64 {
    unix.div_euclid(3600)
}

/// Counts one sandbox call (or refusal) of an application.
pub fn record(svc: &Services, application_id: &str, throttled: bool) {
    svc.usage
        .record(application_id, hour_of(svc.now().unix_timestamp()), throttled);
}

/// Writes this instance's pending counters.
pub async fn flush(svc: &Services) -> anyhow::Result<()> {
    let rows = svc.usage.drain();
    if rows.is_empty() {
        return Ok(());
    }
    let written = async {
        let mut tx = svc.db.begin().await?;
        for (app, hour, calls, throttled) in &rows {
            usage::add(tx.exec(), app, *hour, *calls, *throttled).await?;
        }
        tx.commit().await?;
        anyhow::Ok(())
    }
    .await;
    if written.is_err() {
        // Counted again at the next flush, not lost with the transaction.
        for (app, hour, calls, throttled) in &rows {
            svc.usage.add(app, *hour, *calls, *throttled);
        }
    }
    written
}

/// The last 24 hours of an application's calls.
#[derive(Debug, Clone)]
pub struct UsageReport {
    /// Oldest first: (hour start as unix seconds, calls, throttled).
    pub hours: Vec<(i64, i64, i64)>,
    pub total: i64,
    pub throttled: i64,
    /// 100 when calls are spread evenly over the hours that had any traffic
    /// window, towards 0 when they come in one batch (1 − coefficient of
    /// variation / √23, clamped).
    pub evenness: Option<u8>,
}

impl UsageReport {
    pub fn throttled_percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.throttled as f64 * 100.0 / self.total as f64
        }
    }
}

pub async fn last_24_hours(svc: &Services, application_id: &str) -> anyhow::Result<UsageReport> {
    flush(svc).await?;
    let now_hour = hour_of(svc.now().unix_timestamp());
    let first = now_hour - 23;
    let rows = {
        let mut conn = svc.db.conn().await?;
        usage::since(conn.exec(), application_id, first).await?
    };
    let mut hours: Vec<(i64, i64, i64)> = (first..=now_hour).map(|h| (h * 3600, 0, 0)).collect();
    for (hour, calls, throttled) in rows {
        if let Some(slot) = hours.get_mut((hour - first) as usize) {
            slot.1 = calls;
            slot.2 = throttled;
        }
    }
    let total: i64 = hours.iter().map(|h| h.1).sum();
    let throttled: i64 = hours.iter().map(|h| h.2).sum();
    Ok(UsageReport {
        // With a handful of calls a batch and an even spread look the same.
        evenness: (total >= EVENNESS_MIN_CALLS)
            .then(|| evenness(&hours.iter().map(|h| h.1).collect::<Vec<_>>()))
            .flatten(),
        hours,
        total,
        throttled,
    })
}

/// Calls in 24 hours before evenness means something: one an hour.
pub const EVENNESS_MIN_CALLS: i64 = 24;

/// 0–100: how evenly `counts` are spread (100 = the same every hour).
pub fn evenness(counts: &[i64]) -> Option<u8> {
    let n = counts.len() as f64;
    let total: i64 = counts.iter().sum();
    if total == 0 || counts.len() < 2 {
        return None;
    }
    let mean = total as f64 / n;
    let var = counts.iter().map(|&c| (c as f64 - mean).powi(2)).sum::<f64>() / n;
    let cv = var.sqrt() / mean;
    // All calls in one hour out of n gives cv = √(n−1): the least even.
    let score = 1.0 - cv / (n - 1.0).sqrt();
    Some((score.clamp(0.0, 1.0) * 100.0).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_counts_calls_and_refusals_per_hour() {
        let u = UsageCounter::default();
        u.record("a", 1, false);
        u.record("a", 1, true);
        u.record("a", 2, false);
        let mut rows = u.drain();
        rows.sort();
        assert_eq!(rows, vec![("a".into(), 1, 2, 1), ("a".into(), 2, 1, 0)]);
        assert!(u.drain().is_empty());
    }

    #[test]
    fn evenness_is_100_for_a_flat_day_and_0_for_one_batch() {
        assert_eq!(evenness(&[5; 24]), Some(100));
        let mut batch = [0; 24];
        batch[3] = 500;
        assert_eq!(evenness(&batch), Some(0));
        assert_eq!(evenness(&[0; 24]), None);
        let half: Vec<i64> = (0..24).map(|h| if h < 12 { 10 } else { 0 }).collect();
        let e = evenness(&half);
        assert!(e.is_some_and(|e| e > 0 && e < 100), "{e:?}");
    }
}
